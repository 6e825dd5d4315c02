// Package header checks the header block and the MIME structure: missing
// or malformed Date, Message-ID and From (RFC 5322 §3.6), several From
// mailboxes, display names that carry another address, Reply-To to another
// domain, replies with no thread (a hijacked-thread sign), undisclosed
// recipients, and the parser's MIME anomalies.
package header

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/link/psl"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// Symbols.
const (
	MissingDate        = "HDR_MISSING_DATE"
	BadDate            = "HDR_BAD_DATE"
	FutureDate         = "HDR_DATE_IN_FUTURE"
	MissingMessageID   = "HDR_MISSING_MESSAGE_ID"
	BadMessageID       = "HDR_BAD_MESSAGE_ID"
	MissingFrom        = "HDR_MISSING_FROM"
	BadFrom            = "HDR_BAD_FROM"
	MultipleFrom       = "HDR_MULTIPLE_FROM"
	FromNameAddress    = "HDR_FROM_NAME_HAS_ADDRESS"
	ReplyToOther       = "HDR_REPLYTO_OTHER_DOMAIN"
	ReplyToFreemail    = "HDR_REPLYTO_FREEMAIL"
	ReNoThread         = "HDR_RE_NO_THREAD"
	FwdNoThread        = "HDR_FWD_NO_THREAD"
	Undisclosed        = "HDR_UNDISCLOSED_RECIPIENTS"
	MissingTo          = "HDR_MISSING_TO"
	MissingSubject     = "HDR_MISSING_SUBJECT"
	EmptySubject       = "HDR_EMPTY_SUBJECT"
	SenderOtherDomain  = "HDR_SENDER_OTHER_DOMAIN"
	FromNoLocal        = "HDR_FROM_EMPTY_NAME_AND_LOCAL"
	MessageIDFromOther = "HDR_MESSAGE_ID_OTHER_DOMAIN"
	BulkMailer         = "HDR_BULK_MAILER"
	ScriptMailer       = "HDR_SCRIPT_MAILER"
)

// Weight table note: every header sign is weak on its own (legitimate
// mailers get some of them wrong); they add up with the content checks.
// Weights were set from how often each fires on the SpamAssassin corpus
// train split (ham vs spam): "Re:" without thread headers, a missing To
// and Reply-To elsewhere are common in 2002 list mail, so they weigh little.
func init() {
	pipeline.Register(
		def(MissingDate, 1.0, pipeline.CategorySpam, "The message has no Date header (RFC 5322 requires one).", "Date ヘッダーがありません(RFC 5322 では必須です)。"),
		def(BadDate, 1.5, pipeline.CategorySpam, "The Date header cannot be parsed.", "Date ヘッダーの形式が不正です。"),
		def(FutureDate, 1.5, pipeline.CategorySpam, "The Date header is more than a day in the future.", "Date ヘッダーが1日以上未来の日時です。"),
		def(MissingMessageID, 1.0, pipeline.CategorySpam, "The message has no Message-ID header; real mail programs always add one.", "Message-ID ヘッダーがありません。通常のメールソフトは必ず付けます。"),
		def(BadMessageID, 1.5, pipeline.CategorySpam, "The Message-ID is malformed (no @ or no angle brackets).", "Message-ID の形式が不正です(@ や山括弧がありません)。"),
		def(MissingFrom, 2.0, pipeline.CategorySpam, "The message has no From header.", "From ヘッダーがありません。"),
		def(BadFrom, 1.5, pipeline.CategorySpam, "The From header holds no valid address.", "From ヘッダーに有効なアドレスがありません。"),
		def(MultipleFrom, 1.5, pipeline.CategorySpam, "The From header lists several senders, a trick to confuse which one is shown.", "From ヘッダーに複数の差出人があります。表示される差出人をごまかす手口です。"),
		def(FromNameAddress, 2.5, pipeline.CategoryPhishing, "The sender's display name shows a different address than the real one.", "差出人の表示名に、実際とは別のメールアドレスが書かれています。"),
		def(ReplyToOther, 0.2, pipeline.CategorySpam, "Replies go to a different domain than the sender's.", "返信先(Reply-To)が差出人とは別のドメインです。"),
		def(ReplyToFreemail, 1.5, pipeline.CategoryBEC, "Replies go to a free webmail address while the sender is not one.", "差出人はフリーメールではないのに、返信先がフリーメールアドレスです。"),
		def(ReNoThread, 0.5, pipeline.CategorySpam, "The subject says \"Re:\" but the message replies to nothing (no In-Reply-To/References): a hijacked-thread sign.", "件名は「Re:」なのに返信元の情報(In-Reply-To/References)がありません。スレッド乗っ取りの兆候です。"),
		def(FwdNoThread, 0.5, pipeline.CategorySpam, "The subject says \"Fwd:\" but no forwarded message or thread reference is present.", "件名は「Fwd:」なのに転送元のメッセージもスレッド情報もありません。"),
		def(Undisclosed, 1.2, pipeline.CategorySpam, "Recipients are hidden (\"undisclosed recipients\"), typical of bulk mail.", "宛先が非公開(undisclosed recipients)になっています。大量送信によくある形です。"),
		def(MissingTo, 0.1, pipeline.CategorySpam, "The message has no To header.", "To ヘッダーがありません。"),
		def(MissingSubject, 0.5, pipeline.CategorySpam, "The message has no Subject header.", "Subject ヘッダーがありません。"),
		def(EmptySubject, 0.3, pipeline.CategorySpam, "The subject is empty.", "件名が空です。"),
		def(SenderOtherDomain, 0.1, pipeline.CategoryClean, "The Sender header names another domain than From (mailing lists do this).", "Sender ヘッダーが From とは別のドメインです(メーリングリストでは普通です)。"),
		def(FromNoLocal, 1.0, pipeline.CategorySpam, "The From header has neither a display name nor a usable local part.", "From ヘッダーに表示名もローカル部もありません。"),
		def(BulkMailer, 2.0, pipeline.CategorySpam, "The mail program is bulk-mailing software sold to spammers (a bulk toolkit).", "送信ソフトがスパム業者向けの大量送信ツールです。"),
		def(ScriptMailer, 0.8, pipeline.CategorySpam, "The message was sent by a script library (CDO, PHPMailer) rather than a mail program, as compromised servers do.", "メールソフトではなくスクリプト用ライブラリ(CDO、PHPMailer 等)から送信されています。乗っ取られたサーバーによくある形です。"),
		def(MessageIDFromOther, 0.1, pipeline.CategoryClean, "The Message-ID was made by another domain than the sender's (common with hosted mail).", "Message-ID が差出人とは別のドメインで生成されています(ホスティングでは普通です)。"),
	)
	for code, d := range mimeSymbols {
		sd := def(code, d.w, d.cat, d.en, d.ja)
		sd.Unscannable = mimeUnscannable[code]
		pipeline.Register(sd)
	}
}

func def(name string, w float64, cat pipeline.Category, en, ja string) pipeline.SymbolDef {
	g := "header"
	if strings.HasPrefix(name, "MIME_") {
		g = "mime"
	}
	return pipeline.SymbolDef{Name: name, Weight: w, Category: cat, Group: g, EN: en, JA: ja}
}

type mimeDef struct {
	w      float64
	cat    pipeline.Category
	en, ja string
}

// mimeUnscannable are the parser-limit anomalies: part of the message was
// not inspected, so the policy's fail-closed rule acts on them.
var mimeUnscannable = map[string]bool{
	mail.AnomalyTruncated: true, mail.AnomalyTooManyParts: true, mail.AnomalyTooDeep: true,
	mail.AnomalyTooManyHeaders: true, mail.AnomalyHeaderTooLong: true, mail.AnomalyTextTruncated: true,
	mail.AnomalyTooManyURLs: true, mail.AnomalyHTMLParseLimited: true, mail.AnomalyNotMail: true,
}

// mimeSymbols turn the parser's anomaly codes into symbols of the same name.
var mimeSymbols = map[string]mimeDef{
	mail.AnomalyTruncated:        {0.5, pipeline.CategorySpam, "The message is larger than the parse limit; only the first part was analysed.", "メッセージが解析上限より大きく、先頭部分のみ解析しました。"},
	mail.AnomalyTooManyParts:     {2, pipeline.CategorySpam, "The message has more MIME parts than the limit allows, a way to exhaust scanners.", "MIME パートが上限を超えています。スキャナーを疲弊させる手口です。"},
	mail.AnomalyTooDeep:          {2, pipeline.CategorySpam, "MIME parts are nested deeper than the limit allows.", "MIME パートの入れ子が上限を超えています。"},
	mail.AnomalyTooManyHeaders:   {2, pipeline.CategorySpam, "The header block has more fields than the limit allows.", "ヘッダーの数が上限を超えています。"},
	mail.AnomalyHeaderTooLong:    {2, pipeline.CategorySpam, "The header block is larger than the limit allows.", "ヘッダー部が上限より大きいです。"},
	mail.AnomalyBadHeaderLine:    {0.5, pipeline.CategorySpam, "A line in the header block is not a valid header field.", "ヘッダー部に不正な行があります。"},
	mail.AnomalyNoBoundary:       {1.5, pipeline.CategorySpam, "A multipart part declares no boundary.", "マルチパートに境界文字列(boundary)の指定がありません。"},
	mail.AnomalyMissingBoundary:  {1.5, pipeline.CategorySpam, "The declared MIME boundary never appears in the body.", "宣言された MIME 境界文字列が本文に現れません。"},
	mail.AnomalyNoCloseBoundary:  {0.8, pipeline.CategorySpam, "A multipart part lacks its closing boundary.", "マルチパートの終端境界がありません。"},
	mail.AnomalyBadContentType:   {0.5, pipeline.CategorySpam, "A Content-Type header cannot be parsed.", "Content-Type ヘッダーの形式が不正です。"},
	mail.AnomalyBadEncoding:      {0.5, pipeline.CategorySpam, "A part's transfer encoding is broken or unknown.", "パートの転送エンコーディングが壊れているか不明です。"},
	mail.AnomalyBadCharset:       {0.3, pipeline.CategorySpam, "A part declares a charset sekisho does not know.", "未知の文字コードが宣言されています。"},
	mail.AnomalyCharsetMismatch:  {0.1, pipeline.CategorySpam, "A part's declared charset does not fit its bytes (decoded by sniffing).", "宣言された文字コードと実際の内容が一致しません(推定して復号しました)。"},
	mail.AnomalyRaw8BitHeader:    {0.3, pipeline.CategorySpam, "A header holds raw 8-bit text with no charset label (decoded by sniffing).", "ヘッダーに文字コード指定のない 8 ビット文字があります(推定して復号しました)。"},
	mail.AnomalyBadEncodedWord:   {0.3, pipeline.CategorySpam, "A header has a malformed RFC 2047 encoded word.", "ヘッダーの RFC 2047 エンコード語が不正です。"},
	mail.AnomalyTextTruncated:    {0.3, pipeline.CategorySpam, "A text part is larger than the limit; only its start was analysed.", "テキストパートが上限より大きく、先頭のみ解析しました。"},
	mail.AnomalyTooManyURLs:      {1, pipeline.CategorySpam, "The message holds more links than the limit allows.", "リンク数が上限を超えています。"},
	mail.AnomalyNoMIMEVersion:    {0, pipeline.CategorySpam, "The message uses MIME headers without MIME-Version.", "MIME-Version なしで MIME ヘッダーが使われています。"},
	mail.AnomalyEmptyMultipart:   {1, pipeline.CategorySpam, "A multipart part contains no parts.", "中身のないマルチパートがあります。"},
	mail.AnomalyDuplicateHeader:  {1, pipeline.CategorySpam, "A header that must appear once appears several times.", "1つだけのはずのヘッダーが複数あります。"},
	mail.AnomalyBareLF:           {0, pipeline.CategoryClean, "Lines end in bare LF (normal for stored mail).", "改行が LF のみです(保存されたメールでは普通です)。"},
	mail.AnomalyMixedEOL:         {0.1, pipeline.CategorySpam, "Lines end partly in CRLF and partly in bare LF or CR: a sending tool that writes its own lines, or a message pieced together.", "改行コードに CRLF と LF(または CR)のみが混在しています。独自に行を組み立てる送信ツールか、継ぎ合わせたメッセージです。"},
	mail.AnomalySMTPSmuggling:    {6, pipeline.CategoryPhishing, "The body holds a lone dot line followed by SMTP commands (MAIL FROM, RCPT TO, DATA): an SMTP smuggling attempt to slip a forged second message past a relay that ends the data at that dot.", "本文に、ドットだけの行とそれに続く SMTP コマンド(MAIL FROM、RCPT TO、DATA)があります。そのドットをデータの終わりと解釈する中継サーバーに偽の2通目を送り込む、SMTP スマグリングの試みです。"},
	mail.AnomalyNULByte:          {1, pipeline.CategorySpam, "The message contains NUL bytes.", "メッセージに NUL 文字が含まれています。"},
	mail.AnomalyNotMail:          {3, pipeline.CategorySpam, "The input is not an email message: it has no header fields at all (an empty file, binary data or plain text).", "入力はメールではありません。ヘッダーが1つもありません(空のファイル、バイナリデータ、ただのテキストなど)。"},
	mail.AnomalyEmptyBody:        {0.5, pipeline.CategorySpam, "The message has no body.", "本文がありません。"},
	mail.AnomalyHiddenHTMLText:   {0.5, pipeline.CategorySpam, "The HTML hides text from the reader (invisible or tiny fonts), a filter-evasion trick.", "HTML に読者から見えない文字(非表示・極小・同色)があります。フィルター回避の手口です。"},
	mail.AnomalyHTMLParseLimited: {0.5, pipeline.CategorySpam, "The HTML is too large or deep to render fully.", "HTML が大きすぎるか深すぎて、全体を表示処理できません。"},
}

// Analyzer is the header analyzer.
type Analyzer struct {
	domains []string
	now     func() time.Time
}

var _ pipeline.Analyzer = (*Analyzer)(nil)

// New builds the header analyzer.
func New(cfg *config.Config, _ pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.Header.Enabled {
		return nil, nil
	}
	return []pipeline.Analyzer{&Analyzer{domains: cfg.General.Domains, now: time.Now}}, nil
}

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "header" }

var (
	reSubject   = regexp.MustCompile(`(?i)^\s*(?:\[[^\]]{0,40}\]\s*)?(re|fwd?|aw|wg|sv|vs|tr|rif|r|転送|返信)\s*(?:\[\d+\])?\s*[:：]`)
	reAddrInStr = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+`)
	reMsgID     = regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`)
	// Bulk-mailing toolkits seen in spam campaigns (X-Mailer / User-Agent).
	reBulkMailer   = regexp.MustCompile(`(?i)quick ?sender|envex|group ?mail express|dynamic (?:e-?mail|mail)|send-?safe|sendblaster|mass ?(?:mail|sender|e-?mailer)|atomic mail|emailer platinum|mailking|mail ?bomber|super ?mail ?sender|stealth ?mailer|direct ?e-?mail ?(?:sender|blaster)|bulk ?(?:mail|e-?mail|sender)|floodgate|jpfree|avalanche ?mailer|power ?mailer|e-?mail ?blaster|worldmerge|advanced ?mass|turbo ?mailer|send ?blaster|mailer ?express|ultimate ?bulk`)
	reScriptMailer = regexp.MustCompile(`(?i)microsoft cdo for windows|^phpmailer|^php/\d|php mailer`)
)

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(_ context.Context, t *pipeline.Task) error {
	m := t.Msg
	h := m.Headers
	x := indexFields(h)

	// Date (RFC 5322 §3.6.1).
	switch {
	case !x.has(hdDate):
		t.Add(MissingDate)
	case m.Date.IsZero():
		t.Add(BadDate, trunc(x.get(h, hdDate), 60))
	case m.Date.After(a.now().Add(24 * time.Hour)):
		t.Add(FutureDate, m.Date.UTC().Format(time.RFC3339))
	}

	// Message-ID (RFC 5322 §3.6.4).
	if !x.has(hdMessageID) {
		t.Add(MissingMessageID)
	} else if raw := strings.TrimSpace(x.get(h, hdMessageID)); !isMsgID(raw) {
		t.Add(BadMessageID, trunc(raw, 60))
	}

	// From (RFC 5322 §3.6.2).
	var fromDomain string
	switch {
	case !x.has(hdFrom):
		t.Add(MissingFrom)
	case len(m.From) == 0 || m.From[0].Domain == "":
		t.Add(BadFrom, trunc(m.FromHeader, 60))
	default:
		if len(m.From) > 1 {
			addrs := make([]string, 0, len(m.From))
			for _, f := range m.From {
				addrs = append(addrs, f.Addr)
			}
			t.Add(MultipleFrom, addrs...)
		}
		f := m.From[0]
		fromDomain = f.Domain
		if f.Name == "" && (f.Local == "" || f.Local == "<>") {
			t.Add(FromNoLocal)
		}
		// A display name that carries an address other than the real one.
		// (reAddrInStr needs an "@": most names have none.)
		if f.Name != "" && strings.IndexByte(f.Name, '@') >= 0 {
			// An address of the sender's own organisation in the display
			// name ("Editors@news.example" <subscriber@news.example>) shows
			// nothing false about who sends; another domain's does.
			for _, other := range reAddrInStr.FindAllString(f.Name, 3) {
				od := ""
				if i := strings.LastIndexByte(other, '@'); i >= 0 {
					od = strings.ToLower(other[i+1:])
				}
				if !strings.EqualFold(other, f.Addr) && (f.Domain == "" || orgDomain(od) != orgDomain(f.Domain)) {
					t.Add(FromNameAddress, other+" ≠ "+f.Addr)
					break
				}
			}
		}
	}

	// Reply-To elsewhere.
	if fromDomain != "" && len(m.ReplyTo) > 0 {
		rd := m.ReplyTo[0].Domain
		if rd != "" && orgDomain(rd) != orgDomain(fromDomain) {
			t.Add(ReplyToOther, rd)
			if IsFreemail(rd) && !IsFreemail(fromDomain) {
				t.Add(ReplyToFreemail, m.ReplyTo[0].Addr)
			}
		}
	}
	if fromDomain != "" && len(m.Sender) > 0 && m.Sender[0].Domain != "" && orgDomain(m.Sender[0].Domain) != orgDomain(fromDomain) {
		t.Add(SenderOtherDomain, m.Sender[0].Domain)
	}
	if fromDomain != "" && m.MessageID != "" {
		if i := strings.LastIndexByte(m.MessageID, '@'); i >= 0 {
			mid := strings.ToLower(m.MessageID[i+1:])
			if strings.Contains(mid, ".") && orgDomain(mid) != orgDomain(fromDomain) {
				t.Add(MessageIDFromOther, mid)
			}
		}
	}

	// Reply-looking subject with no thread.
	if !x.has(hdSubject) {
		t.Add(MissingSubject)
	} else if strings.TrimSpace(m.Subject) == "" {
		t.Add(EmptySubject)
	} else if len(m.InReplyTo) > 0 || len(m.References) > 0 {
		// In a thread: the subject's prefix is not looked at.
	} else if sm := replyPrefix(m.Subject); sm != nil {
		kind := strings.ToLower(sm[1])
		if kind == "fw" || kind == "fwd" || kind == "wg" || kind == "tr" || kind == "転送" {
			if !hasForwardedContent(m) {
				t.Add(FwdNoThread, trunc(m.Subject, 60))
			}
		} else {
			t.Add(ReNoThread, trunc(m.Subject, 60))
		}
	}

	// Recipients.
	to := x.get(h, hdTo)
	switch {
	case isUndisclosed(to) || isUndisclosed(x.get(h, hdCc)):
		t.Add(Undisclosed)
	case !x.has(hdTo) && !x.has(hdCc):
		t.Add(MissingTo)
	}

	// Bulk toolkits and script libraries.
	if xm := firstNonEmpty(x.get(h, hdXMailer), x.get(h, hdUserAgent)); xm != "" {
		switch mailerKind(xm) {
		case 1:
			t.Add(BulkMailer, trunc(xm, 60))
		case 2:
			t.Add(ScriptMailer, trunc(xm, 60))
		}
	}

	// MIME anomalies from the parser.
	for _, an := range m.Anomalies {
		if _, ok := mimeSymbols[an.Code]; ok {
			if an.Detail != "" {
				t.Add(an.Code, an.Detail)
			} else {
				t.Add(an.Code)
			}
		}
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func isUndisclosed(v string) bool {
	l := strings.ToLower(v)
	return strings.Contains(l, "undisclosed") || strings.Contains(l, "recipient list suppressed") || strings.Contains(v, "非公開") ||
		strings.HasSuffix(strings.TrimSpace(l), ":;") && !strings.Contains(l, "@")
}

// hasForwardedContent reports whether the message carries a forwarded
// message (an attached message/rfc822 or a quoted original-message block).
func hasForwardedContent(m *mail.Message) bool {
	for _, p := range m.Parts {
		if p.Embedded != nil {
			return true
		}
	}
	l := strings.ToLower(m.Text)
	if strings.Contains(l, "forwarded message") || strings.Contains(l, "original message") ||
		strings.Contains(m.Text, "転送メッセージ") || strings.Contains(m.Text, "元のメッセージ") {
		return true
	}
	// A quoted header block: "From:" followed by "Subject:" or "Date:"/"Sent:"
	// lines (a stray "from:" in prose is not a forwarded message).
	i := strings.Index(l, "\nfrom:")
	if i < 0 {
		return false
	}
	rest := l[i:min(len(l), i+600)]
	return strings.Contains(rest, "\nsubject:") || strings.Contains(rest, "\ndate:") || strings.Contains(rest, "\nsent:") || strings.Contains(rest, "\n件名:")
}

func trunc(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// isMsgID is reMsgID.MatchString by a byte scan: "<", one "@" with text
// on both sides, ">", and inside no "<", ">", "@" beyond the one, or
// white space of \s (all ASCII: a byte of a multi-byte rune, or an
// invalid byte, is none of them, as the regexp's rune is none of them).
func isMsgID(s string) bool {
	if len(s) < 5 || s[0] != '<' || s[len(s)-1] != '>' {
		return false
	}
	in := s[1 : len(s)-1]
	at := -1
	for i := 0; i < len(in); i++ {
		switch in[i] {
		case '<', '>', ' ', '\t', '\n', '\f', '\r':
			return false
		case '@':
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	return at > 0 && at < len(in)-1
}

// replyPrefix is reSubject.FindStringSubmatch; the pattern needs a colon
// (ASCII or full-width), so without one there is no match.
func replyPrefix(s string) []string {
	if !strings.ContainsAny(s, ":：") {
		return nil
	}
	return reSubject.FindStringSubmatch(s)
}

// orgDomain returns the registrable domain (public-suffix aware).
func orgDomain(d string) string {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	if od, ok := psl.EffectiveTLDPlusOne(d); ok {
		return od
	}
	return d
}

// IsFreemail reports whether a domain is a free webmail provider: the one
// maintained list, in package brands.
func IsFreemail(d string) bool { return brands.Freemail(d) }
