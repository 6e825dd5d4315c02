// Package sender is sekisho's impersonation analyzer: brands claimed from
// foreign domains, lookalike domains, protected people (BEC), free webmail
// and disposable senders, spoofed own domains, payment requests, first
// contact and hijacked threads (Emotet). It runs in pipeline.StageLate so
// it sees the authentication results (internal/analyzer/auth) and every
// other hit. It reads the correspondence history of
// internal/store/contacts (first contact, threads); the history is
// learned after the verdict by internal/observe.Contacts.
package sender

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
	"github.com/sekisho/sekisho/internal/ascii"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/auth/dmarc"
	"github.com/sekisho/sekisho/internal/auth/spf"
	"github.com/sekisho/sekisho/internal/brands"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/contacts"
	"golang.org/x/text/unicode/norm"
)

// Analyzer is the sender analyzer.
type Analyzer struct {
	cfg        config.Sender
	orgs       []string
	protected  []string // org + partner domains
	people     []person
	freemail   map[string]bool
	disposable map[string]bool
	store      contacts.Reader
}

type person struct {
	name  string
	keys  []string // normalised spellings
	addrs map[string]bool
}

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Staged   = (*Analyzer)(nil)
	_ pipeline.Closer   = (*Analyzer)(nil)
)

// New builds the package's analyzers.
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	if !cfg.Sender.Enabled {
		return nil, nil
	}
	// The history is read only for first contact (and the thread checks
	// that depend on it); internal/observe.Contacts learns and prunes it.
	var st contacts.Reader
	if cfg.Sender.FirstContact {
		var err error
		st, err = openReader(cfg, deps)
		if err != nil {
			return nil, fmt.Errorf("sender: %w", err)
		}
	}
	return []pipeline.Analyzer{NewAnalyzer(cfg, st)}, nil
}

// ContactsPath is the history file under the data directory.
func ContactsPath(dataDir string) string { return filepath.Join(dataDir, "contacts.db") }

// NewAnalyzer builds the analyzer over a given history (nil: none).
func NewAnalyzer(cfg *config.Config, st contacts.Reader) *Analyzer {
	a := &Analyzer{cfg: cfg.Sender, orgs: cfg.General.Domains, store: st,
		freemail: loadList(brands.FreemailList(), cfg.Sender.Freemail), disposable: loadList(brands.DisposableList(), cfg.Sender.Disposable)}
	a.protected = append(append([]string(nil), cfg.General.Domains...), cfg.Sender.ProtectedDomains...)
	for _, p := range cfg.Sender.ProtectedPeople {
		pp := person{name: p.Name, addrs: map[string]bool{}}
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			pp.keys = appendUnique(pp.keys, nameKey(n))
			// The other word order ("Taro Yamada" / "Yamada Taro").
			if f := strings.Fields(n); len(f) == 2 {
				pp.keys = appendUnique(pp.keys, nameKey(f[1]+f[0]))
			}
		}
		for _, ad := range p.Addresses {
			pp.addrs[strings.ToLower(strings.TrimSpace(ad))] = true
		}
		a.people = append(a.people, pp)
	}
	return a
}

func appendUnique(ss []string, s string) []string {
	if s == "" {
		return ss
	}
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

func loadList(m map[string]bool, extra []string) map[string]bool {
	for _, e := range extra {
		m[strings.ToLower(strings.TrimSpace(e))] = true
	}
	return m
}

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "sender" }

// Stage implements pipeline.Staged.
func (a *Analyzer) Stage() pipeline.Stage { return pipeline.StageLate }

// Close implements pipeline.Closer.
func (a *Analyzer) Close() error {
	if a.store != nil {
		return a.store.Close()
	}
	return nil
}

func inList(m map[string]bool, domain string) bool { return brands.InList(m, domain) }

func under(d, parent string) bool {
	d, parent = strings.ToLower(d), strings.ToLower(parent)
	return d == parent || strings.HasSuffix(d, "."+parent)
}

func (a *Analyzer) isOrg(domain string) bool { return isOrg(a.orgs, domain) }

func isOrg(orgs []string, domain string) bool {
	for _, o := range orgs {
		if under(domain, o) {
			return true
		}
	}
	return false
}

// Symbols of the header analyzer (internal/analyzer/header) that cover the
// same ground as ours; when they fired, ours are not added again.
const (
	hdrFromNameHasAddress = "HDR_FROM_NAME_HAS_ADDRESS"
	hdrReplyToFreemail    = "HDR_REPLYTO_FREEMAIL"
	keyNameAddr           = "sender.name_addr"
)

// impersonation symbols: first contact combined with one of them scores more.
var impersonation = []string{SymDisplayBrand, SymLocalBrand, SymLookalike, SymLookalikeOrg, SymReplyToLookalike,
	SymMixedScript, SymNameAddrMismatch, SymCompanyFreemail, SymProtectedName, SymOrgSpoof, SymExecTitleFreemail,
	hdrFromNameHasAddress}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	m := t.Msg
	if t.Env.Outbound || t.Env.AuthUser != "" {
		// Our own users' mail: its correspondents are learned after the
		// verdict (internal/observe.Contacts).
		return nil
	}
	if len(m.From) == 0 {
		return nil
	}
	from, _ := m.PrimaryFromAddress()
	dom := strings.ToLower(from.Domain)
	free := inList(a.freemail, dom)
	disp := inList(a.disposable, dom)
	switch {
	case disp:
		t.Add(SymDisposable, dom)
	case free:
		t.Add(SymFreemail, dom)
	}
	var replyTo mail.Address
	if len(m.ReplyTo) > 0 {
		replyTo = m.ReplyTo[0]
	}
	replyElsewhere := replyTo.Domain != "" && dmarc.OrgDomain(replyTo.Domain) != dmarc.OrgDomain(dom)
	// The header analyzer may already report a webmail Reply-To: do not count it twice.
	if replyElsewhere && (inList(a.freemail, replyTo.Domain) || inList(a.disposable, replyTo.Domain)) && !free && !t.Has(hdrReplyToFreemail) {
		t.Add(SymReplyToFreemail, replyTo.Domain)
	}
	name := cleanName(from.Name)

	a.checkBrands(t, from, name, dom, free)
	a.checkLookalikes(t, from, replyTo, dom)
	a.checkDisplayAddr(t, name, dom, free)
	orgSpoof := a.checkOrgSpoof(t, dom, replyElsewhere, replyTo)
	a.checkPeople(t, from, name, dom, free, replyElsewhere, replyTo, orgSpoof)
	a.checkPayment(t, name, free, replyElsewhere)
	a.checkHistory(ctx, t, from)
	return nil
}

// cleanName drops quotes and decorations around a display name.
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "\"'“”")
	return s
}

func (a *Analyzer) checkBrands(t *pipeline.Task, from mail.Address, name, dom string, free bool) {
	if !a.cfg.Brands {
		return
	}
	// A brand's consumer mailboxes (hotmail.com, gmail.com, icloud.com,
	// docomo.ne.jp) are anyone's: they do not make the sender the brand.
	//
	// A subdomain of the provider (mail.yahoo.co.jp) is its own system,
	// not a mailbox, and role addresses at the bare domain
	// (info@docomo.ne.jp) are reserved for the provider.
	owns := func(b brands.Brand) bool {
		if !b.Owns(dom) {
			return false
		}
		return !free || !a.freemail[dom] || roleLocal(from.Local, b)
	}
	if name != "" {
		for _, b := range brands.Claimed(name) {
			if owns(b) {
				continue
			}
			// A name that starts with the brand ("Amazon Shipping") claims to
			// be it; one that only mentions it ("Lockergnome Apple Core", a
			// mailing list) claims less.
			f := 1.0
			if !brands.StartsWith(name, b) || t.Msg.Headers.Has("List-Id") {
				f = 0.5
			}
			t.AddScaled(SymDisplayBrand, f, fmt.Sprintf("%s from %s", b.Name, dom))
			if free {
				t.Add(SymBrandFreemail, b.Name)
			}
			break
		}
	}
	// The user part names a brand: micros0ftsupport@hotmail.com.
	local := strings.ToLower(from.Local)
	if len(local) >= 5 && len(local) <= 64 {
		if l, ok := brands.MatchLookalike(local+".invalid", nil); ok && l.Kind != "cousin_tld" && !owns(l.Brand) {
			t.Add(SymLocalBrand, fmt.Sprintf("%s@ names %s", from.Local, l.Brand.Name))
			if free {
				t.Add(SymBrandFreemail, l.Brand.Name)
			}
		} else if bs := brands.Claimed(localSpaces.Replace(local)); len(bs) > 0 && !owns(bs[0]) && keywordInLocal(local, bs[0]) {
			t.Add(SymLocalBrand, fmt.Sprintf("%s@ names %s", from.Local, bs[0].Name))
			if free {
				t.Add(SymBrandFreemail, bs[0].Name)
			}
		}
	}
}

// roleLocal reports a role or service local part that a mailbox
// provider keeps for itself (info@, no-reply@, support@, or one naming
// the brand: docomo@docomo.ne.jp).
func roleLocal(local string, b brands.Brand) bool {
	l := strings.ToLower(local)
	switch strings.Trim(localJoin.Replace(l), "0123456789") {
	case "info", "information", "noreply", "donotreply", "support", "notice", "notification", "notifications",
		"news", "newsletter", "mail", "service", "customer", "security", "account", "accounts", "admin", "postmaster", "oshirase", "mailmagazine":
		return true
	}
	for _, k := range b.Keywords {
		if len(k) >= 3 && strings.Contains(l, strings.ToLower(k)) {
			return true
		}
	}
	return false
}

// keywordInLocal requires a brand keyword of 5+ letters in the local part,
// so that ordinary names do not match short brand names.
func keywordInLocal(local string, b brands.Brand) bool {
	sk := brands.Skeleton(local)
	for _, k := range b.Keywords {
		if len(k) >= 5 && strings.Contains(sk, brands.Skeleton(k)) {
			return true
		}
	}
	return false
}

func (a *Analyzer) checkLookalikes(t *pipeline.Task, from, replyTo mail.Address, dom string) {
	check := func(d, what string) (brands.Lookalike, bool) {
		if d == "" || a.isOrg(d) || inList(a.freemail, d) {
			return brands.Lookalike{}, false
		}
		for _, p := range a.protected {
			if under(d, p) {
				return brands.Lookalike{}, false
			}
		}
		if !a.cfg.Brands {
			// Only the protected domains.
			l, ok := brands.MatchLookalike(d, a.protected)
			if ok && l.Brand.Kind != "protected" {
				return brands.Lookalike{}, false
			}
			return l, ok
		}
		return brands.MatchLookalike(d, a.protected)
	}
	if l, ok := check(dom, "from"); ok {
		opt := fmt.Sprintf("%s imitates %s (%s)", dom, l.Target, l.Kind)
		if l.Brand.Kind == "protected" {
			t.AddScaled(SymLookalikeOrg, l.Strength(), opt)
		} else {
			t.AddScaled(SymLookalike, l.Strength(), opt)
		}
	} else if brands.MixedScripts(dom) {
		t.Add(SymMixedScript, dom)
	}
	if replyTo.Domain != "" && replyTo.Domain != dom {
		if l, ok := check(replyTo.Domain, "reply-to"); ok {
			t.Add(SymReplyToLookalike, fmt.Sprintf("%s imitates %s (%s)", replyTo.Domain, l.Target, l.Kind))
		}
	}
	if mf := strings.ToLower(t.Env.MailFrom); mf != "" {
		if i := strings.LastIndexByte(mf, '@'); i >= 0 {
			d := strings.Trim(mf[i+1:], "<> ")
			if d != dom {
				if l, ok := check(d, "mailfrom"); ok {
					opt := fmt.Sprintf("envelope %s imitates %s (%s)", d, l.Target, l.Kind)
					if l.Brand.Kind == "protected" {
						t.AddScaled(SymLookalikeOrg, l.Strength(), opt)
					} else {
						t.AddScaled(SymLookalike, l.Strength(), opt)
					}
				}
			}
		}
	}
}

// Replacers for local parts, built once (a Replacer is safe for concurrent use).
var (
	localSpaces = strings.NewReplacer(".", " ", "_", " ", "-", " ")
	localJoin   = strings.NewReplacer("-", "", "_", "", ".", "")
)

// findAddrInName is addrInName.FindStringSubmatch, which needs an @.
func findAddrInName(name string) []string {
	if strings.IndexByte(name, '@') < 0 {
		return nil
	}
	return addrInName.FindStringSubmatch(name)
}

var addrInName = regexp.MustCompile(`[A-Za-z0-9._%+\-*]+@([A-Za-z0-9\-*]+(?:\.[A-Za-z0-9\-*]+)+)`)

var companyMarkers = []string{"株式会社", "有限会社", "合同会社", "(株)", "(有)", "㈱", "㈲", "co., ltd", "co.,ltd", "co. ltd", "inc.", "corporation", "corp.", "ltd.", "gmbh", "s.a.", "llc", "カンパニー", "商事", "工業", "銀行", "証券"}

// companyMarkersFolded are the markers width- and case-folded once.
var companyMarkersFolded = func() []string {
	out := make([]string, len(companyMarkers))
	for i, c := range companyMarkers {
		out[i] = strings.ToLower(norm.NFKC.String(c))
	}
	return out
}()

func hasCompanyMarker(name string) bool {
	n := strings.ToLower(norm.NFKC.String(name))
	for _, c := range companyMarkersFolded {
		if strings.Contains(n, c) {
			return true
		}
	}
	return false
}

// checkDisplayAddr: an address in the display name at another domain.
func (a *Analyzer) checkDisplayAddr(t *pipeline.Task, name, dom string, free bool) {
	if name == "" {
		return
	}
	if t.Has(hdrFromNameHasAddress) {
		// Already reported by the header analyzer; remember it for the
		// hijacked-thread checks without scoring it twice.
		t.Set(keyNameAddr, true)
	} else if mm := findAddrInName(name); mm != nil {
		nd := strings.ToLower(mm[1])
		if strings.Contains(nd, "*") {
			// Redacted or obfuscated ("*****@*****.***"): still not the sender's.
			t.Add(SymNameAddrMismatch, "obfuscated address in display name")
		} else if dmarc.OrgDomain(nd) != dmarc.OrgDomain(dom) {
			t.Add(SymNameAddrMismatch, fmt.Sprintf("name shows %s, sent from %s", nd, dom))
		}
	}
	if free && hasCompanyMarker(name) {
		t.Add(SymCompanyFreemail, name)
	}
}

// checkOrgSpoof: From in our domain, from outside, not authenticated.
func (a *Analyzer) checkOrgSpoof(t *pipeline.Task, dom string, replyElsewhere bool, replyTo mail.Address) bool {
	if !a.isOrg(dom) {
		return false
	}
	v, _ := t.Get(authz.KeyResults)
	res, _ := v.(*authz.Results)
	dm, hasDM := t.Get(authz.KeyDMARC)
	spoof := false
	why := ""
	if hasDM {
		if r, ok := dm.(dmarc.Result); ok && r.Status == dmarc.Fail {
			spoof, why = true, "DMARC fail"
		}
	}
	if !spoof && res != nil && res.HasClient {
		dkimOK := false
		for _, d := range res.DKIM {
			if d.Status == dkim.Pass && dmarc.Aligned(d.Domain, dom, false) {
				dkimOK = true
			}
		}
		spfOK := res.SPFDone && res.SPF.Status == spf.Pass && dmarc.Aligned(res.SPF.Domain, dom, false)
		if !dkimOK && !spfOK {
			spoof, why = true, "no aligned SPF or DKIM pass"
		}
	}
	if spoof {
		t.Add(SymOrgSpoof, dom+": "+why)
		if replyElsewhere {
			t.Add(SymReplyToElsewhere, replyTo.Domain)
		}
	}
	return spoof
}

// nameKey normalises a person's name: width and case folded, spaces,
// dots, middle dots and commas removed.
func nameKey(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '.', ',', '・', '･', '-', '_', '"', '\'', '　':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (a *Analyzer) checkPeople(t *pipeline.Task, from mail.Address, name, dom string, free, replyElsewhere bool, replyTo mail.Address, orgSpoof bool) {
	if len(a.people) == 0 || name == "" {
		return
	}
	if a.isOrg(dom) && !orgSpoof {
		return
	}
	key := nameKey(name)
	for _, p := range a.people {
		if p.addrs[strings.ToLower(from.Addr)] {
			return
		}
		for _, k := range p.keys {
			if len([]rune(k)) < 3 || !strings.Contains(key, k) {
				continue
			}
			t.Add(SymProtectedName, fmt.Sprintf("%q from %s", p.name, dom))
			if free {
				t.Add(SymExecFreemail, dom)
			}
			if replyElsewhere {
				t.Add(SymReplyToElsewhere, replyTo.Domain)
			}
			return
		}
	}
}

var execTitle = regexp.MustCompile(`(?i)\b(ceo|cfo|coo|cto|cio|president|chairman|director|managing director|vice president|vp|treasurer|controller)\b|社長|代表取締役|取締役|会長|専務|常務|副社長|部長|本部長|経理|財務`)

// execTitleWords and execTitleJa are what execTitle matches (the longer
// alternatives hold a shorter one: "managing director", 代表取締役).
var (
	execTitleWords = []string{"ceo", "cfo", "coo", "cto", "cio", "president", "chairman", "director", "vp", "treasurer", "controller"}
	execTitleJa    = []string{"社長", "取締役", "会長", "専務", "常務", "部長", "経理", "財務"}
)

// hasExecTitle is execTitle.MatchString without the regexp: a title word
// between ASCII word boundaries (RE2's \b), ASCII case folded, or a
// Japanese title anywhere. A name with the long s or the Kelvin sign,
// which (?i) folds to s and k, goes to the regexp.
func hasExecTitle(name string) bool {
	for _, w := range execTitleJa {
		if strings.Contains(name, w) {
			return true
		}
	}
	if strings.Contains(name, "ſ") || strings.Contains(name, "\u212a") {
		return execTitle.MatchString(name)
	}
	low := []byte(name)
	for i, c := range low {
		if c >= 'A' && c <= 'Z' {
			low[i] = c + 'a' - 'A'
		}
	}
	for _, w := range execTitleWords {
		for off := 0; off < len(low); {
			i := bytes.Index(low[off:], []byte(w))
			if i < 0 {
				break
			}
			i += off
			if (i == 0 || !isWordByte(low[i-1])) && (i+len(w) == len(low) || !isWordByte(low[i+len(w)])) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// paymentPhrases and urgencyPhrases are matched on the lower-cased,
// width-folded text (plain substring search: fast on long bodies).
var paymentPhrases = []string{
	"wire transfer", "bank transfer", "wire the payment", "wire payment", "wire the funds", "wire funds",
	"process a payment", "process the payment", "process a wire", "process the wire", "process a transfer", "process the transfer",
	"outstanding payment", "outstanding invoice", "overdue payment", "overdue invoice", "payment details", "payment information",
	"payment default", "bank details", "account details have", "bank account has changed", "bank account have changed",
	"change of bank", "change in bank", "change of account", "new bank account", "remittance", "gift card", "giftcard",
	"itunes card", "google play card", "western union", "moneygram",
	"振込", "振り込み", "送金", "入金先", "口座変更", "口座の変更", "支払期限", "支払い期限", "支払遅延", "支払い遅延",
	"支払不履行", "支払い不履行", "未払い", "請求書の支払", "ギフトカード", "ギフト券", "プリペイドカード", "電子マネー",
}

var urgencyPhrases = []string{
	"urgent", "asap", "immediately", "today", "right away", "confidential", "discreet", "quick favor", "quick favour",
	"are you available", "are you at your desk", "end of the day", "end of day",
	"至急", "急ぎ", "本日中", "今日中", "内密", "極秘", "内々", "すぐに", "今メール対応", "対応できますか",
}

// phraseSet is a list of phrases with keys shared by several of them
// ("payment", "bank", "process ", "支払"): a text without the key holds
// none of them, so they cost one search, not one each.
type phraseSet struct {
	list  []string
	group []int    // list[i]'s key in keys; -1: none shared
	keys  []string // the shared keys, each a substring of its phrases
	// wide[i]: list[i] holds a non-ASCII byte, so ASCII text cannot
	// hold it (nor its group's key, when the key holds one).
	wide []bool
	// rare[i], keyRare[k]: the offset of the byte of list[i], keys[k]
	// the search looks for (rareByte).
	rare, keyRare []int
}

// newPhraseSet groups the phrases under keys: a phrase's first word with
// the space after it, a word of four bytes or more, or, for a phrase
// without space, its first two characters. Keys are picked greedily, the
// one the most phrases not yet grouped hold first (ties: the longer, then
// the first met in list order), while one is shared by two or more;
// then a phrase left alone joins the first key it holds.
func newPhraseSet(list []string) *phraseSet {
	cands := make([][]string, len(list))
	for i, p := range list {
		var c []string
		if j := strings.IndexByte(p, ' '); j > 0 {
			c = append(c, p[:j+1])
			for _, w := range strings.Fields(p) {
				if len(w) >= 4 && !slices.Contains(c, w) {
					c = append(c, w)
				}
			}
		} else if n := len(firstRunes(p, 2)); n < len(p) {
			c = append(c, p[:n])
		}
		cands[i] = c
	}
	s := &phraseSet{list: list, group: make([]int, len(list)), wide: make([]bool, len(list))}
	for i, p := range list {
		s.group[i] = -1
		s.wide[i] = !ascii.Is(p)
	}
	for {
		count := map[string]int{}
		for i := range list {
			if s.group[i] < 0 {
				for _, w := range cands[i] {
					count[w]++
				}
			}
		}
		best, bn := "", 1
		for i := range list {
			if s.group[i] >= 0 {
				continue
			}
			for _, w := range cands[i] {
				if n := count[w]; n > bn || n == bn && n > 1 && len(w) > len(best) {
					best, bn = w, n
				}
			}
		}
		if best == "" {
			break
		}
		for i := range list {
			if s.group[i] < 0 && slices.Contains(cands[i], best) {
				s.group[i] = len(s.keys)
			}
		}
		s.keys = append(s.keys, best)
	}
	// A phrase left alone that holds a key ("giftcard": "card") joins it.
	for i, p := range list {
		for k, key := range s.keys {
			if s.group[i] < 0 && strings.Contains(p, key) {
				s.group[i] = k
			}
		}
	}
	for _, p := range list {
		s.rare = append(s.rare, rareByte(p))
	}
	for _, k := range s.keys {
		s.keyRare = append(s.keyRare, rareByte(k))
	}
	return s
}

// letterOrder is lower-case English text's bytes, the most frequent
// first; other bytes count as rarer than all of them.
const letterOrder = " etaoinsrhldcumwfgypbvkjxqz"

// rareByte returns the offset of the byte of an ASCII phrase least
// frequent in lower-case English text (letterOrder; the first of equals),
// which holdsAt looks for; -1 for a phrase with other bytes.
func rareByte(p string) int {
	if p == "" || !ascii.Is(p) {
		return -1
	}
	best, rank := 0, -1
	for i := 0; i < len(p); i++ {
		r := strings.IndexByte(letterOrder, p[i])
		if r < 0 {
			r = len(letterOrder)
		}
		if r > rank {
			best, rank = i, r
		}
	}
	return best
}

// holdsAt is strings.Contains(s, sub), looking for sub's byte at k (a
// rare one: rareByte) and comparing sub where that byte is: fewer
// places to compare at than strings.Contains's first byte gives, on
// long texts. k < 0: strings.Contains.
func holdsAt(s, sub string, k int) bool {
	if k < 0 {
		return strings.Contains(s, sub)
	}
	c, n := sub[k], len(sub)
	// An occurrence at p has c at p+k, with 0 <= p <= len(s)-n.
	last := len(s) - n + k
	for i := k; i <= last; {
		j := strings.IndexByte(s[i:last+1], c)
		if j < 0 {
			return false
		}
		if p := i + j - k; s[p:p+n] == sub {
			return true
		}
		i += j + 1
	}
	return false
}

// firstRunes returns the first n characters of p.
func firstRunes(p string, n int) string {
	for i := range p {
		if n == 0 {
			return p[:i]
		}
		n--
	}
	return p
}

// find returns the first phrase of the list that text holds ("": none),
// as findPhrase does.
func (s *phraseSet) find(text string) string { return s.findIn(text, false) }

// findIn is find; ascii says the text is ASCII, when the phrases with
// other bytes are not looked for.
func (s *phraseSet) findIn(text string, ascii bool) string {
	var buf [16]int8
	seen := buf[:0] // by key: 0 not searched yet, 1 held, 2 not held
	if len(s.keys) <= len(buf) {
		seen = buf[:len(s.keys)]
	} else {
		seen = make([]int8, len(s.keys))
	}
	for i, p := range s.list {
		if ascii && s.wide[i] {
			continue
		}
		if g := s.group[i]; g >= 0 {
			if seen[g] == 0 {
				seen[g] = 2
				if holdsAt(text, s.keys[g], s.keyRare[g]) {
					seen[g] = 1
				}
			}
			if seen[g] == 2 {
				continue
			}
		}
		if holdsAt(text, p, s.rare[i]) {
			return p
		}
	}
	return ""
}

var paymentSet, urgencySet = newPhraseSet(paymentPhrases), newPhraseSet(urgencyPhrases)

// findPhrase returns the first of phrases that text holds ("": none).
func findPhrase(text string, phrases []string) string {
	for _, p := range phrases {
		if strings.Contains(text, p) {
			return p
		}
	}
	return ""
}

// checkPayment: a BEC-style payment request from a sender that is not
// established (webmail, reply-to elsewhere, executive title, protected name).
func (a *Analyzer) checkPayment(t *pipeline.Task, name string, free, replyElsewhere bool) {
	titled := name != "" && hasExecTitle(name)
	if free && titled {
		t.Add(SymExecTitleFreemail, name)
	}
	suspect := free || replyElsewhere || titled || t.Has(SymProtectedName) || t.Has(SymOrgSpoof) || t.Has(SymLookalikeOrg)
	if !suspect {
		return
	}
	bp := paymentBufs.Get().(*[]byte)
	text, ascii := paymentTextIn(bp, t.Msg.Subject, t.Msg.Text)
	pm := paymentSet.findIn(text, ascii)
	urgent := pm != "" && urgencySet.findIn(text, ascii) != ""
	// text may be a view of *bp: the phrases found are the lists' own.
	paymentBufs.Put(bp)
	if !urgent {
		return
	}
	t.Add(SymPaymentRequest, pm)
}

// paymentBufs holds the buffers paymentTextIn builds ASCII texts in.
var paymentBufs = sync.Pool{New: func() any { return new([]byte) }}

// paymentTextIn is paymentText, and reports whether the text is ASCII:
// then it is built lower-cased in *bp in one pass (valid until *bp is
// reused), not joined and lower-cased into two new strings.
func paymentTextIn(bp *[]byte, subject, body string) (string, bool) {
	// The pieces of the cut text: subject (or its head), the line break
	// when it fits, the body's head.
	s1, nl, s2 := subject, true, body
	switch n := len(subject) + 1; {
	case n+len(body) <= maxPaymentText:
	case n >= maxPaymentText:
		s1, nl, s2 = subject[:min(len(subject), maxPaymentText)], n == maxPaymentText, ""
	default:
		s2 = body[:maxPaymentText-n]
	}
	if !ascii.Is(s1) || !ascii.Is(s2) {
		return paymentText(subject, body), false
	}
	b := ascii.AppendLower((*bp)[:0], s1)
	if nl {
		b = append(b, '\n')
	}
	b = ascii.AppendLower(b, s2)
	*bp = b
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}

// maxPaymentText bounds the text the payment phrases are looked for in.
const maxPaymentText = 20000

// paymentText is the subject, a line break and the body, cut to
// maxPaymentText bytes, NFKC-normalised and lower-cased: the body is cut
// before it is joined (not copied whole), and ASCII text, which NFKC
// leaves as it is, is not normalised.
func paymentText(subject, body string) string {
	var text string
	switch n := len(subject) + 1; {
	case n+len(body) <= maxPaymentText:
		text = subject + "\n" + body
	case n >= maxPaymentText:
		text = (subject + "\n")[:maxPaymentText]
	default:
		text = subject + "\n" + body[:maxPaymentText-n]
	}
	if !ascii.Is(text) {
		text = norm.NFKC.String(text)
	}
	return lowerText(text)
}

// lowerText is strings.ToLower(s) (unicode.ToLower of each character, an
// invalid byte becoming U+FFFD, as strings.Map makes it), with the ASCII
// bytes lower-cased one by one instead of decoded as characters: the
// payment text of a mostly ASCII message with a few other characters
// costs a few instructions a byte, not strings.Map's rune by rune.
func lowerText(s string) string {
	out := make([]byte, 0, len(s)+utf8.UTFMax)
	for i := 0; i < len(s); {
		k := i // the run of ASCII bytes from i
		for k < len(s) && s[k] < utf8.RuneSelf {
			k++
		}
		out = ascii.AppendLower(out, s[i:k])
		if k == len(s) {
			break
		}
		r, n := utf8.DecodeRuneInString(s[k:])
		out = utf8.AppendRune(out, unicode.ToLower(r))
		i = k + n
	}
	return unsafe.String(unsafe.SliceData(out), len(out))
}

var replySubject = regexp.MustCompile(`(?i)^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|aw|sv|vs|antw|返信|回复|答复)\s*(?:\[\d+\])?\s*[:：]`)

// isReplySubject is replySubject.MatchString; the pattern needs a colon
// (ASCII or full-width), so a subject without one is not a reply.
func isReplySubject(s string) bool {
	return strings.ContainsAny(s, ":：") && replySubject.MatchString(s)
}

// checkHistory: first contact, fake replies, hijacked threads.
func (a *Analyzer) checkHistory(ctx context.Context, t *pipeline.Task, from mail.Address) {
	m := t.Msg
	// Whether the subject reads as a reply, looked at (a regex) only
	// where it counts.
	var replyDone, replied bool
	isReply := func() bool {
		if !replyDone {
			replyDone, replied = true, isReplySubject(m.Subject)
		}
		return replied
	}
	rcpts := a.recipients(t)
	// Quoting a third party is normal on mailing lists; it counts only
	// with a spoofed display name or a company name on webmail.
	_, nameAddr := t.Get(keyNameAddr)
	if (nameAddr || t.Has(SymNameAddrMismatch) || t.Has(SymCompanyFreemail)) && isReply() {
		a.checkQuotes(t, from, rcpts)
	}
	if a.store == nil || len(rcpts) == 0 || from.Addr == "" {
		return
	}
	first := false
	for _, r := range rcpts {
		if !a.cfg.FirstContact {
			break
		}
		// Below MinHistory the pair is not read: KnownMin may skip it.
		k, err := a.store.KnownMin(ctx, r, from.Addr, a.cfg.MinHistory)
		if err != nil {
			t.Logger.Warn("contacts lookup", "err", err)
			break
		}
		if k.RcptHistory < a.cfg.MinHistory || k.AddrSeen || k.DomainSeen {
			continue
		}
		first = true
		t.Add(SymFirstContact, from.Addr)
		break
	}
	if first {
		for _, s := range impersonation {
			if t.Has(s) {
				t.Add(SymFirstContactImp, s)
				break
			}
		}
	}
	// The thread lookups can only add a symbol to a first contact (the
	// lookups only read): without one, no SQLite round trip per recipient.
	if first && (len(m.InReplyTo) > 0 || len(m.References) > 0) {
		refs := append(append([]string(nil), m.InReplyTo...), m.References...)
		for _, r := range rcpts {
			th, err := a.store.Thread(ctx, r, refs)
			if err != nil {
				break
			}
			if th.Known > 0 {
				same := false
				for _, p := range th.Peers {
					pd := p
					if i := strings.LastIndexByte(p, '@'); i >= 0 {
						pd = p[i+1:]
					}
					if strings.EqualFold(p, from.Addr) || dmarc.OrgDomain(pd) == dmarc.OrgDomain(from.Domain) {
						same = true
					}
				}
				// A stranger continuing the thread is the Emotet sign; a
				// known correspondent joining in, or a mailing list where
				// everyone replies to everyone, is ordinary.
				if !same && first && !isMailingList(m) {
					t.Add(SymThreadHijack, fmt.Sprintf("thread with %s continued by %s", strings.Join(th.Peers, ","), from.Addr))
				}
				break
			}
			if first && isReply() {
				t.Add(SymUnknownThread, from.Addr)
				break
			}
		}
	}
}

// isMailingList reports whether the message came through a list or bulk
// distribution (RFC 2369 / RFC 2919 headers, Precedence).
func isMailingList(m *mail.Message) bool {
	for _, h := range []string{"List-Id", "List-Post", "List-Unsubscribe", "List-Help", "Mailing-List", "X-Mailing-List", "X-BeenThere", "X-Loop"} {
		if m.Headers.Has(h) {
			return true
		}
	}
	switch strings.ToLower(strings.TrimSpace(m.Headers.Get("Precedence"))) {
	case "list", "bulk", "junk":
		return true
	}
	return false
}

var quotedFrom = regexp.MustCompile(`(?im)^[>\s]*(?:from|差出人|送信者|送信元)\s*[:：][^\n]*?([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)|<?([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)>?\s*(?:wrote|さんは書きました|のメッセージ)`)

// checkQuotes: a reply quoting a third party (not sender, not recipient,
// not the organisation).
func (a *Analyzer) checkQuotes(t *pipeline.Task, from mail.Address, rcpts []string) {
	text := t.Msg.Text
	if len(text) > 50000 {
		text = text[:50000]
	}
	known := map[string]bool{dmarc.OrgDomain(from.Domain): true}
	for _, r := range rcpts {
		if i := strings.LastIndexByte(r, '@'); i >= 0 {
			known[dmarc.OrgDomain(r[i+1:])] = true
		}
	}
	for _, ad := range append(append([]mail.Address(nil), t.Msg.To...), t.Msg.Cc...) {
		known[dmarc.OrgDomain(ad.Domain)] = true
	}
	for _, o := range a.orgs {
		known[dmarc.OrgDomain(o)] = true
	}
	// The domain of an address shown in the display name ("株式会社山田商事
	// <suzuki@yamada-shoji.co.jp>" <info@elsewhere>).
	shown := ""
	if mm := findAddrInName(from.Name); mm != nil && !strings.Contains(mm[1], "*") {
		shown = dmarc.OrgDomain(strings.ToLower(mm[1]))
	}
	for _, mm := range quotedFrom.FindAllStringSubmatch(text, 10) {
		ad := mm[1]
		if ad == "" {
			ad = mm[2]
		}
		i := strings.LastIndexByte(ad, '@')
		if i < 0 {
			continue
		}
		d := dmarc.OrgDomain(strings.ToLower(ad[i+1:]))
		if shown != "" && d == shown && shown != dmarc.OrgDomain(from.Domain) {
			// It quotes the very correspondent its display name pretends to
			// be, but comes from elsewhere: a stolen thread (Emotet).
			t.AddScaled(SymThreadHijack, 0.75, fmt.Sprintf("poses as %s, quotes its mail, sent from %s", shown, from.Domain))
			return
		}
		if !known[d] {
			t.Add(SymQuotesOther, ad)
			return
		}
	}
}

// recipients: the envelope's, else To/Cc in the organisation's domains
// (all of To when no domains are configured). At most 10.
func (a *Analyzer) recipients(t *pipeline.Task) []string { return Recipients(t.Env, t.Msg, a.orgs) }

// Recipients are the local recipients whose history a message is checked
// against and learned into: the envelope's, else To/Cc in the
// organisation's domains orgs (all of them when orgs is empty). At most 10.
func Recipients(env pipeline.Envelope, m *mail.Message, orgs []string) []string {
	var out []string
	if len(env.Rcpts) > 0 {
		for _, r := range env.Rcpts {
			out = append(out, strings.ToLower(strings.Trim(r, "<> ")))
		}
	} else {
		for _, ad := range append(append([]mail.Address(nil), m.To...), m.Cc...) {
			if ad.Addr == "" {
				continue
			}
			if len(orgs) == 0 || isOrg(orgs, ad.Domain) {
				out = append(out, strings.ToLower(ad.Addr))
			}
		}
	}
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}
