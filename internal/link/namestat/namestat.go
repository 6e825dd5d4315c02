// Package namestat tells machine-made names from words: bulk toolkits
// register throw-away domains and make sender addresses from random strings.
package namestat

import (
	"github.com/sekisho/sekisho/internal/textgate"
	"strings"
)

// Bulk toolkits register throw-away domains and
// make sender addresses from random strings ("ytbssrxxs6.com",
// "rqorcqbhvtvtqcp@…", "nkn5zun99r.com") so that no two messages share
// them. Words of human languages, and the romanised Japanese of .jp
// domains, have vowels at regular intervals, few letter/digit switches
// and consonant pairs from a small set; random strings break all three.

// vowels counts y as a vowel: "sky", "ryokan", "kyoto".
func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// commonPairs are consonant pairs that occur inside words of English,
// German, Dutch, French, Spanish, Portuguese, Italian and romanised
// Japanese. A pair of consonants outside this set is rare in words.
var commonPairs = func() map[[2]byte]bool {
	m := map[[2]byte]bool{}
	for _, p := range strings.Fields(`
		bb bd bj bl bn br bs bt
		cc ch ck cl cn cr cs ct cz
		dd df dg dh dj dl dm dn dr ds dt dv dw dz
		ff ff fl fn fr fs ft
		gg gh gl gm gn gr gs gt gz
		hc hd hf hk hl hm hn hr hs ht hw hb hg hp
		jj
		kk kl km kn kr ks kt kw
		lb lc ld lf lg lk ll lm ln lp lr ls lt lv lw lz
		mb mc md mf ml mm mn mp mr ms mt
		nb nc nd nf ng nh nj nk nl nm nn np nq nr ns nt nv nw nx nz
		pf ph pl pm pn pp pr ps pt
		qu
		rb rc rd rf rg rh rj rk rl rm rn rp rq rr rs rt rv rw rz
		sb sc sd sf sg sh sj sk sl sm sn sp sq sr ss st sv sw sz
		tc tf tg th tj tk tl tm tn tp tr ts tt tv tw tz
		vl vr vv
		wb wd wf wk wl wm wn wp wr ws wt ww
		xc xp xt xx
		zb zh zk zl zm zn zs zt zw zz`) {
		m[[2]byte{p[0], p[1]}] = true
	}
	return m
}()

// Randomness scores how machine-made a name looks: 0 for words and
// ordinary names, 2 or more for random strings. It looks at ASCII letters
// and digits only; names shorter than 6 of them score 0.
func Randomness(s string) float64 {
	// "gfx2swf", "web2print", "peer4you": a 2 ("to") or 4 ("for") joining
	// two names.
	if i := strings.IndexAny(s, "24"); i > 0 && i < len(s)-1 && !hasDigit(s[:i]) && !hasDigit(s[i+1:]) {
		return min(rawRandomness(s[:i]), rawRandomness(s[i+1:]))
	}
	r := rawRandomness(s)
	if r < Threshold {
		return r
	}
	// Vowel-less abbreviations that mail and web services name their
	// hosts with ("lnksrv", "clktrk", "imgcdn") are made by people.
	if abbreviations(strings.ToLower(s)) {
		return 0.5
	}
	// An acronym before or after a word ("nmtbmedia", "freshrpms",
	// "pcworld") is not random: score the rest without it.
	b := strings.ToLower(s)
	for k := 2; k <= 5 && k < len(b) && isConsonant(b[k-1]); k++ {
		if len(b)-k >= 4 && !hasDigit(b[k:]) && strings.ContainsAny(b[k:], "aeiouy") {
			if rest := rawRandomness(b[k:]); rest <= 0.5 {
				r = rest
				break
			}
		}
	}
	j := len(b)
	for j > 0 && len(b)-j < 4 && isConsonant(b[j-1]) {
		j--
	}
	if len(b)-j >= 2 && j >= 5 && !hasDigit(b[:j]) {
		if rest := rawRandomness(b[:j]); rest <= 0.5 {
			r = min(r, rest)
		}
	}
	return r
}

// abbrevs are the short forms that service host names are built from.
var abbrevs = strings.Fields(`lnk lnks link links srv svr svc svcs srvc trk trck trkr clk clck clks img imgs cdn
	msg msgs mx mta eml mail mgmt mkt mktg ntf ntfy nws news rdr redir lst tx px pxl bnc sndr snd mbr mbrs acct
	grp sys cfg dns ftp www web app api net dl cnt ctr str stat stats evt trx pmt pay rpt rprt doc docs
	usr inf info sec adm admin pro hub go my`)

// abbreviations reports whether s (lower-case letters) is two or three
// of the abbrevs run together.
func abbreviations(s string) bool {
	var seg func(s string, n int) bool
	seg = func(s string, n int) bool {
		if s == "" {
			return n >= 2
		}
		if n == 3 {
			return false
		}
		for _, a := range abbrevs {
			if strings.HasPrefix(s, a) && seg(s[len(a):], n+1) {
				return true
			}
		}
		return false
	}
	return len(s) <= 16 && seg(s, 0)
}

func isConsonant(c byte) bool { return c >= 'a' && c <= 'z' && !isVowel(c) }

func rawRandomness(s string) float64 {
	s = strings.ToLower(s)
	if strings.HasPrefix(s, "xn--") {
		return 0
	}
	var b []byte
	for i := 0; i < len(s) && len(b) < 64; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	if len(b) < 6 {
		return 0
	}
	// Hexadecimal identifiers (message ids, tracking tokens) are machine
	// made but not a sign of abuse.
	if isHex(b) && len(b) >= 12 {
		return 0
	}
	letters, vow, trans, run, maxRun, rare, pairs := 0, 0, 0, 0, 0, 0, 0
	for i, c := range b {
		digit := c >= '0' && c <= '9'
		if i > 0 {
			pd := b[i-1] >= '0' && b[i-1] <= '9'
			if pd != digit {
				trans++
			}
		}
		if digit {
			run = 0
			continue
		}
		letters++
		if isVowel(c) {
			vow++
			run = 0
		} else {
			run++
			if run > maxRun {
				maxRun = run
			}
		}
		if i > 0 {
			p := b[i-1]
			if p >= 'a' && p <= 'z' {
				pairs++
				if !isVowel(p) && !isVowel(c) && !commonPairs[[2]byte{p, c}] {
					rare++
				}
			}
		}
	}
	score := 0.0
	switch {
	case trans >= 4:
		score += 1.5
	case trans >= 3 || trans >= 2 && embeddedDigit(b) && len(b) >= 8:
		score += 1
	case trans == 2 && len(b) >= 8:
		score += 0.5
	}
	if letters >= 6 {
		ratio := float64(vow) / float64(letters)
		switch {
		case ratio < 0.12:
			score += 1
		case ratio < 0.22:
			score += 0.5
		}
	}
	switch {
	case maxRun >= 6:
		score += 1
	case maxRun >= 5:
		score += 0.5
	}
	switch {
	case rare >= 3:
		score += 1.5
	case rare == 2:
		score += 1
	case rare == 1 && letters <= 10:
		score += 0.5
	}
	return score
}

// embeddedDigit reports digits with letters on both sides ("vy448tguxl").
func embeddedDigit(b []byte) bool {
	for i := 1; i < len(b)-1; i++ {
		if b[i] >= '0' && b[i] <= '9' && b[i-1] >= 'a' && b[i-1] <= 'z' {
			j := i
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			if j < len(b) {
				return true
			}
		}
	}
	return false
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Threshold is the randomness from which a name counts as random.
const Threshold = 1.5

// RandomLabel returns the registrable label of a host when it looks
// random (subdomains are left alone: server names such as "smtp01ffm" are
// machine-made on purpose).
func RandomLabel(host, registrable string) string {
	if registrable == "" {
		return ""
	}
	label := strings.TrimSuffix(registrable, "."+SuffixOf(registrable))
	if i := strings.IndexByte(label, '.'); i >= 0 {
		label = label[:i]
	}
	if Randomness(label) >= Threshold {
		return label
	}
	return ""
}

// RandomLocal reports a local part made of random tokens; an address
// tag (+…) and hexadecimal or numeric tokens do not count.
func RandomLocal(local string) string {
	// Tracking and VERP identifiers (mixed case, several digit groups,
	// '#', '=') are machine-made on purpose by legitimate senders too.
	if strings.ContainsAny(local, "#=%") || digitGroups(local) >= 3 || local != strings.ToLower(local) && local != strings.ToUpper(local) && strings.IndexFunc(local, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
		return ""
	}
	local = strings.ToLower(local)
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	for _, tok := range strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '=' }) {
		if Randomness(tok) >= Threshold+0.5 {
			return tok
		}
	}
	return ""
}

func digitGroups(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		d := s[i] >= '0' && s[i] <= '9'
		if d && !in {
			n++
		}
		in = d
	}
	return n
}

func hasDigit(s string) bool { return strings.IndexAny(s, "0123456789") >= 0 }

// kitPathExpr matches the paths and pages phishing kits are served from
// on hacked or rented sites.
const kitPathExpr = `(?i)/(?:wp-(?:content|includes|admin)|\.well-known)/.*(?:log-?in|sign-?in|verif|secure|update|account|auth|webmail|owa|office|outlook|365|wallet|valid|bank|paypal|apple|microsoft|docusign|dhl|ups|fedex)|/(?:owa|webmail|office365|o365|outlook|sharepoint|onedrive|docusign|adobe|dropbox)/.*\.(?:php|html?)\b|(?:log-?in|sign-?in|verify|validate|secure|update|unlock|wallet|recover)[\w-]*\.php\b|/(?:log-?in|sign-?in|signon|verify|auth|secure|account|webscr)/(?:index\.|auth\.|login\.)?(?:php|html?|aspx?)\b`

// kitPath is kitPathExpr as one regex (the reference for tests).
var kitPath = textgate.MustCompile(kitPathExpr)

// kitPathAlts are kitPathExpr's four top-level alternatives, each with
// literals one of which every match holds (in textgate.Lower of the
// text): an unanchored alternation matches a text when one of its
// alternatives does, and these literals are tighter than the ones
// textgate derives for the whole expression (php, htm, asp), so a path
// with ".php" no longer runs the whole regex. FuzzKitPathSplit and
// FuzzNames compare KitPath with kitPath.
var kitPathAlts = []struct {
	need textgate.Lits
	re   *textgate.Regexp
}{
	{textgate.NewLits(nil),
		textgate.MustCompile(`(?i)/(?:wp-(?:content|includes|admin)|\.well-known)/.*(?:log-?in|sign-?in|verif|secure|update|account|auth|webmail|owa|office|outlook|365|wallet|valid|bank|paypal|apple|microsoft|docusign|dhl|ups|fedex)`)},
	{textgate.NewLits([]string{"/owa/", "/webmail/", "/office365/", "/o365/", "/outlook/", "/sharepoint/", "/onedrive/", "/docusign/", "/adobe/", "/dropbox/"}),
		textgate.MustCompile(`(?i)/(?:owa|webmail|office365|o365|outlook|sharepoint|onedrive|docusign|adobe|dropbox)/.*\.(?:php|html?)\b`)},
	{textgate.NewLits([]string{"login", "log-in", "signin", "sign-in", "verify", "validate", "secure", "update", "unlock", "wallet", "recover"}),
		textgate.MustCompile(`(?i)(?:log-?in|sign-?in|verify|validate|secure|update|unlock|wallet|recover)[\w-]*\.php\b`)},
	{textgate.NewLits([]string{"/login/", "/log-in/", "/signin/", "/sign-in/", "/signon/", "/verify/", "/auth/", "/secure/", "/account/", "/webscr/"}),
		textgate.MustCompile(`(?i)/(?:log-?in|sign-?in|signon|verify|auth|secure|account|webscr)/(?:index\.|auth\.|login\.)?(?:php|html?|aspx?)\b`)},
}

// KitPath reports a link path (with its query) that looks like a phishing
// kit's page: /wp-content/…/login, /.well-known/…, /owa/….php,
// verify….php, /login/index.php.
func KitPath(pathQuery string) bool {
	if !kitPath.MayMatch(pathQuery) {
		return false
	}
	low := textgate.Lower(pathQuery)
	for i := range kitPathAlts {
		if a := &kitPathAlts[i]; a.need.In(low) && a.re.MatchString(pathQuery) {
			return true
		}
	}
	return false
}

// RandomTail reports a letter string that reads as typed at random rather
// than as a word or name ("ijqwfuib", "erngf", "hlhl"): a letter three
// times in a row, two consonant pairs that words do not have, or one such
// pair with few vowels. Strings under 4 letters never count.
func RandomTail(t string) bool {
	t = strings.ToLower(t)
	if len(t) < 4 {
		return false
	}
	rare, vow := 0, 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < 'a' || c > 'z' {
			return false
		}
		if isVowel(c) {
			vow++
		}
		if i >= 2 && t[i-1] == c && t[i-2] == c {
			return true
		}
		if i > 0 && isConsonant(t[i-1]) && isConsonant(c) && !commonPairs[[2]byte{t[i-1], c}] {
			rare++
		}
	}
	return rare >= 2 || rare == 1 && float64(vow)/float64(len(t)) < 0.3
}

// NameWithRandomTail reports the random letters a sender put after its
// display name to make a mailbox name unique ("Karen Thomas" as
// thomaskarenijqwfuib@…): the local part starts with words of the display
// name (any order, 5 letters or more in all) and the letters left after
// them are random. It returns those letters.
func NameWithRandomTail(displayName, local string) string {
	var toks []string
	for _, w := range strings.FieldsFunc(strings.ToLower(displayName), func(r rune) bool { return r < 'a' || r > 'z' }) {
		if len(w) >= 3 {
			toks = append(toks, w)
		}
	}
	if len(toks) == 0 {
		return ""
	}
	var b []byte
	for i := 0; i < len(local) && i < 64; i++ {
		c := local[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' {
			b = append(b, c)
		}
	}
	l := string(b)
	pos, used := 0, make([]bool, len(toks))
	for progress := true; progress; {
		progress = false
		for i, t := range toks {
			if !used[i] && strings.HasPrefix(l[pos:], t) {
				pos += len(t)
				used[i], progress = true, true
				break
			}
		}
	}
	if pos < 5 {
		return ""
	}
	if tail := l[pos:]; RandomTail(tail) {
		return tail
	}
	return ""
}

// RandomToken returns a word of s that is a random mixed-case string, the
// per-message token bulk toolkits append to subjects and sender names so
// that no two copies match ("Notificação - qWrUAngJaLJzBndSE"): 10 or more
// letters and digits, both cases, in five or more pieces of which three
// are one or two characters long. CamelCase words ("PowerFlowNetworks")
// and upper-case codes ("1Z999AA10123456784") do not count.
func RandomToken(s string) string {
	start := -1
	for i := 0; i <= len(s); i++ {
		alnum := i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9')
		if alnum {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if tok := s[start:i]; randomCase(tok) {
				return tok
			}
			start = -1
		}
	}
	return ""
}

func randomCase(tok string) bool {
	if len(tok) < 10 || len(tok) > 64 {
		return false
	}
	kind := func(c byte) int {
		switch {
		case c >= 'a' && c <= 'z':
			return 1
		case c >= 'A' && c <= 'Z':
			return 2
		}
		return 3
	}
	lower, upper := false, false
	pieces, short := 0, 0
	for i := 0; i < len(tok); {
		k := kind(tok[i])
		j := i + 1
		if k == 2 && j < len(tok) && kind(tok[j]) == 1 {
			// A capital starting a word: "Power".
			k = 1
		}
		for j < len(tok) && kind(tok[j]) == k {
			j++
		}
		switch k {
		case 1:
			lower = true
		case 2:
			upper = true
		}
		if k == 1 && tok[i] >= 'A' && tok[i] <= 'Z' {
			upper = true
		}
		pieces++
		if j-i <= 2 {
			short++
		}
		i = j
	}
	return lower && upper && pieces >= 5 && short >= 3
}

// DigestFactor scales the "odd host" link signals (an IP address, a
// dynamic-DNS or random-looking host) by how many different sites a
// message links to: a digest or directory linking dozens of sites (a
// weblog update list, a link roundup) carries a few odd hosts by chance,
// while a lure links to a handful. 1 below 20 sites, 0.5 from 20, 0.25
// from 40.
func DigestFactor(sites int) float64 {
	switch {
	case sites >= 40:
		return 0.25
	case sites >= 20:
		return 0.5
	}
	return 1
}
