package report

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode"
)

// Report kinds: how the reported message arrived.
const (
	KindAttachment = "attachment" // forwarded as a message/rfc822 attachment
	KindARF        = "arf"        // multipart/report; report-type=feedback-report (RFC 5965)
	KindRaw        = "raw"        // the reported message itself (redirected or bounced)
	KindConsole    = "console"    // the console's Report button
)

// Bounds of the MIME walk over a report (the bytes come from anyone).
const (
	maxDepth = 5
	maxParts = 200
)

// Extracted is what a report mail carries.
type Extracted struct {
	Kind         string
	Message      []byte // the reported message (for ARF with only headers: the headers)
	FeedbackType string // ARF Feedback-Type ("abuse", "fraud", ...)
	Lang         string // "ja", "en" or "" (unknown)
	Subject      string // the report's own subject
	From         string // the report's From address (lower-case)
	AutoReply    bool   // Auto-Submitted other than "no", or a list/bulk precedence: never answered
	MessageID    string // the report's own Message-ID (for In-Reply-To)
}

// Extract finds the reported message in a report mail: the first
// message/rfc822 part of a feedback report (ARF) or of the mail
// (forwarded as an attachment), else the mail itself. It never fails: what
// cannot be parsed is taken as the raw reported message.
func Extract(raw []byte) Extracted {
	x := Extracted{Kind: KindRaw, Message: raw}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return x
	}
	h := m.Header
	dec := new(mime.WordDecoder)
	x.Subject, _ = dec.DecodeHeader(h.Get("Subject"))
	if a, err := mail.ParseAddress(h.Get("From")); err == nil {
		x.From = strings.ToLower(a.Address)
	}
	x.MessageID = strings.TrimSpace(h.Get("Message-Id"))
	if as := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); as != "" && as != "no" {
		x.AutoReply = true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list", "junk":
		x.AutoReply = true
	}
	x.Lang = langOf(h.Get("Accept-Language"))
	if x.Lang == "" {
		x.Lang = langOf(h.Get("Content-Language"))
	}
	w := &walker{}
	w.walk(textproto.MIMEHeader(h), m.Body, 0)
	if x.Lang == "" {
		x.Lang = w.lang
	}
	switch {
	case w.arf && w.msg != nil:
		x.Kind, x.Message, x.FeedbackType = KindARF, w.msg, w.feedback
	case w.arf && w.headers != nil:
		x.Kind, x.Message, x.FeedbackType = KindARF, w.headers, w.feedback
	case w.msg != nil:
		x.Kind, x.Message = KindAttachment, w.msg
	}
	return x
}

type walker struct {
	parts    int
	arf      bool
	feedback string
	msg      []byte // first message/rfc822 part
	headers  []byte // first text/rfc822-headers part
	lang     string // from the report's own text
}

func (w *walker) walk(h textproto.MIMEHeader, body io.Reader, depth int) {
	w.parts++
	if depth > maxDepth || w.parts > maxParts {
		return
	}
	ct, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		ct = "text/plain"
	}
	switch {
	case strings.HasPrefix(ct, "multipart/"):
		if ct == "multipart/report" && strings.EqualFold(params["report-type"], "feedback-report") {
			w.arf = true
		}
		if params["boundary"] == "" {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			w.walk(p.Header, p, depth+1)
			if w.parts > maxParts {
				return
			}
		}
	case ct == "message/rfc822" || ct == "message/global":
		if w.msg == nil {
			b, _ := io.ReadAll(decode(h, body))
			if len(b) > 0 {
				w.msg = b
			}
		}
	case ct == "text/rfc822-headers":
		if w.headers == nil {
			b, _ := io.ReadAll(decode(h, body))
			w.headers = b
		}
	case ct == "message/feedback-report":
		b, _ := io.ReadAll(io.LimitReader(decode(h, body), 64<<10))
		tp := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(b), strings.NewReader("\r\n\r\n"))))
		fh, _ := tp.ReadMIMEHeader()
		w.feedback = strings.ToLower(strings.TrimSpace(fh.Get("Feedback-Type")))
	case strings.HasPrefix(ct, "text/") && w.lang == "":
		b, _ := io.ReadAll(io.LimitReader(decode(h, body), 64<<10))
		if cs := strings.ToLower(params["charset"]); strings.Contains(cs, "iso-2022-jp") || strings.Contains(cs, "shift_jis") || strings.Contains(cs, "euc-jp") {
			w.lang = "ja"
		} else if hasKana(string(b)) {
			w.lang = "ja"
		}
	}
}

// decode undoes the part's Content-Transfer-Encoding.
func decode(h textproto.MIMEHeader, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &stripSpace{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// stripSpace drops white space so that line-wrapped base64 decodes.
type stripSpace struct{ r io.Reader }

func (s *stripSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for i := 0; i < n; i++ {
			switch p[i] {
			case ' ', '\t', '\r', '\n':
			default:
				p[j] = p[i]
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// langOf reads the first language of an Accept-Language or
// Content-Language value: "ja" or "en", "" for anything else.
func langOf(v string) string {
	for _, f := range strings.Split(v, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(f, ";", 2)[0]))
		switch {
		case tag == "ja" || strings.HasPrefix(tag, "ja-"):
			return "ja"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		case tag != "":
			return ""
		}
	}
	return ""
}

func hasKana(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}
