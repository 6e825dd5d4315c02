package mail

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// utf7Marker stands for UTF-7 in the alias table (x/text has no UTF-7).
var utf7Marker encoding.Encoding = encoding.Nop

// charsetAliases maps labels seen in real mail that the WHATWG index does
// not know (or maps differently) to an encoding.
//
// x/text's ShiftJIS and EUCJP follow the WHATWG index, which is Microsoft's
// CP932 / eucJP-ms: NEC row 13 (①, ㈱, ㍻), NEC-selected and IBM extension
// kanji all decode, so CP932 labels can share it.
var charsetAliases = map[string]encoding.Encoding{
	"cp932":               japanese.ShiftJIS,
	"ms932":               japanese.ShiftJIS,
	"windows-31j":         japanese.ShiftJIS,
	"sjis":                japanese.ShiftJIS,
	"x-sjis":              japanese.ShiftJIS,
	"shift-jis":           japanese.ShiftJIS,
	"shift_jisx0213":      japanese.ShiftJIS,
	"shift_jis-2004":      japanese.ShiftJIS,
	"x-mac-japanese":      japanese.ShiftJIS,
	"x-euc-jp":            japanese.EUCJP,
	"eucjp":               japanese.EUCJP,
	"euc-jp-ms":           japanese.EUCJP,
	"eucjp-ms":            japanese.EUCJP,
	"euc-jisx0213":        japanese.EUCJP,
	"cseucpkdfmtjapanese": japanese.EUCJP,
	"iso-2022-jp-1":       japanese.ISO2022JP,
	"iso-2022-jp-2":       japanese.ISO2022JP,
	"iso-2022-jp-3":       japanese.ISO2022JP,
	"iso-2022-jp-2004":    japanese.ISO2022JP,
	"iso-2022-jp-ms":      japanese.ISO2022JP,
	"csiso2022jp":         japanese.ISO2022JP,
	"jis":                 japanese.ISO2022JP,
	"cp936":               simplifiedchinese.GBK,
	"ms936":               simplifiedchinese.GBK,
	"windows-936":         simplifiedchinese.GBK,
	"euc-cn":              simplifiedchinese.GBK,
	"cp950":               traditionalchinese.Big5,
	"ms950":               traditionalchinese.Big5,
	"x-x-big5":            traditionalchinese.Big5,
	"cp949":               nil, // resolved below (euc-kr)
	"utf-16":              unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM),
	"utf-16be":            unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"utf-16le":            unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"ucs-2":               unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM),
	"utf-7":               utf7Marker,
	"unicode-1-1-utf-7":   utf7Marker,
	"csunicode11utf7":     utf7Marker,
	"cp866":               charmap.CodePage866,
	"cp850":               charmap.CodePage850,
	"cp437":               charmap.CodePage437,
}

func init() {
	if e, err := htmlindex.Get("euc-kr"); err == nil {
		charsetAliases["cp949"] = e
		charsetAliases["ms949"] = e
		charsetAliases["uhc"] = e
	}
}

// lookupCharset returns the encoding for a label; nil for UTF-8/ASCII.
// ok is false when the label is unknown.
func lookupCharset(label string) (enc encoding.Encoding, ok bool) {
	label = strings.ToLower(strings.Trim(label, `"' `))
	switch label {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "ansi_x3.4-1968", "7bit", "8bit", "default", "iso646-us", "us", "cp367", "utf-8-sig":
		return nil, true
	case "x-unknown", "unknown-8bit", "x-user-defined", "unknown", "charset":
		return nil, false
	}
	if e, found := charsetAliases[label]; found {
		return e, e != nil
	}
	e, err := htmlindex.Get(label)
	if err != nil {
		// "iso8859-1", "iso_8859-1", "latin1", "windows1252", "cp1252" style
		alt := strings.NewReplacer("iso8859", "iso-8859", "iso_8859", "iso-8859", "windows", "windows-", "cp125", "windows-125", "win-125", "windows-125").Replace(label)
		alt = strings.Replace(alt, "windows--", "windows-", 1)
		if e2, err2 := htmlindex.Get(alt); err2 == nil && e2 != encoding.Replacement {
			return e2, true
		}
		return nil, false
	}
	if e == encoding.Replacement {
		return nil, false
	}
	return e, true
}

func isUTF8Label(l string) bool {
	switch l {
	case "utf-8", "utf8", "utf-8-sig":
		return true
	}
	return false
}

func isASCIILabel(l string) bool {
	switch l {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968", "7bit", "8bit", "default", "iso646-us", "us", "cp367":
		return true
	}
	return false
}

// decodeCharset turns b into valid UTF-8. used is the charset actually
// applied (lower-case). mismatch is true when the declared label did not
// fit the bytes and another charset was used; known is false when the
// label was not recognised.
func decodeCharset(b []byte, label string) (s, used string, mismatch, known bool) {
	return decodeCharsetCarrier(b, label, carrierUnknown)
}

// decodeCharsetCarrier is decodeCharset for text from a known mobile
// carrier's sender, whose emoji codes it maps (emoji.go).
func decodeCharsetCarrier(b []byte, label string, cr carrier) (s, used string, mismatch, known bool) {
	label = strings.ToLower(strings.Trim(label, `"' `))
	enc, known := lookupCharset(label)
	ascii := isASCII(b)
	jisEsc := ascii && hasJISEscape(b)

	switch {
	case enc == utf7Marker:
		if !ascii {
			sn := sniff(b)
			return decodeWithC(b, sn, cr), sn, true, true
		}
		return decodeUTF7(b), "utf-7", false, true
	case enc == nil: // UTF-8, ASCII, missing or unknown label
		if ascii {
			if jisEsc {
				return decodeWithC(b, "iso-2022-jp", cr), "iso-2022-jp", label != "", known
			}
			if bytes.IndexByte(b, 0) >= 0 {
				if sn := sniff(b); strings.HasPrefix(sn, "utf-16") {
					return decodeUTF16(b, sn), sn, label != "", known
				}
			}
			return string(b), "us-ascii", false, known
		}
		if isUTF8Label(label) && utf8.Valid(b) {
			return string(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))), "utf-8", false, true
		}
		sn := sniff(b)
		// An unlabelled body is no mismatch; a wrong label is.
		mism := known && label != "" && !(isUTF8Label(label) && sn == "utf-8")
		return decodeWithC(b, sn, cr), sn, mism, known
	}

	canon := canonicalName(enc, label)
	switch {
	case strings.HasPrefix(canon, "utf-16"):
		return decodeUTF16(b, canon), canon, false, true
	case jisEsc && canon != "iso-2022-jp":
		// ISO-2022-JP escapes in a body labelled otherwise.
		return decodeWithC(b, "iso-2022-jp", cr), "iso-2022-jp", true, true
	case ascii && canon != "iso-2022-jp":
		return string(b), canon, false, true
	case ascii:
		out, _ := decodeCountC(enc, b, cr)
		return out, canon, false, true
	case canon == "iso-2022-jp":
		// 8-bit bytes in a 7-bit charset: Shift_JIS or UTF-8 mislabelled.
		sn := sniff(b)
		return decodeWithC(b, sn, cr), sn, true, true
	}
	// Valid multi-byte UTF-8 under a legacy label is nearly always UTF-8:
	// legacy text is almost never valid UTF-8 by chance.
	if hasUTF8Multibyte(b) && utf8.Valid(b) {
		return string(b), "utf-8", true, true
	}
	if isMultiByteCJK(canon) {
		out, bad := decodeCountC(enc, b, cr)
		if bad*50 > len(b) { // over 2 % undecodable: probably another charset
			if sn, score := sniffScore(b); score >= 0.5 && sn != canon {
				return decodeWithC(b, sn, cr), sn, true, true
			}
		}
		return out, canon, false, true
	}
	// Single-byte label: Japanese, Chinese or Cyrillic under a Latin label,
	// or KOI8-R / Windows-1251 confused, are common. Trust strong evidence.
	if highBytes(b) < 8 {
		out, _ := decodeCountC(enc, b, cr)
		return out, canon, false, true
	}
	if sn, score := sniffScore(b); sn != canon && score >= 0.6 && sn != "windows-1252" {
		if isLatinLabel(canon) || (isCyrillic(canon) && isCyrillic(sn) && strings.HasPrefix(canon, "koi8") != strings.HasPrefix(sn, "koi8")) {
			return decodeWithC(b, sn, cr), sn, true, true
		}
	}
	out, _ := decodeCountC(enc, b, cr)
	return out, canon, false, true
}

func highBytes(b []byte) int {
	n := 0
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	return n
}

func isLatinLabel(c string) bool {
	return c == "windows-1252" || c == "iso-8859-1" || c == "iso-8859-15" || c == "macintosh"
}

func isCyrillic(c string) bool {
	return c == "windows-1251" || c == "koi8-r" || c == "koi8-u" || c == "iso-8859-5" || c == "ibm866"
}

func isMultiByteCJK(c string) bool {
	switch c {
	case "shift_jis", "euc-jp", "gbk", "gb18030", "big5", "euc-kr":
		return true
	}
	return false
}

func hasJISEscape(b []byte) bool {
	if bytes.IndexByte(b, 0x1b) < 0 {
		return false
	}
	return bytes.Contains(b, []byte("\x1b$B")) || bytes.Contains(b, []byte("\x1b$@")) || bytes.Contains(b, []byte("\x1b(J")) || bytes.Contains(b, []byte("\x1b(I")) || bytes.Contains(b, []byte("\x1b$(D"))
}

func hasUTF8Multibyte(b []byte) bool {
	for _, c := range b {
		if c >= 0xC2 && c <= 0xF4 {
			return true
		}
	}
	return false
}

func canonicalName(enc encoding.Encoding, label string) string {
	switch enc {
	case japanese.ShiftJIS:
		return "shift_jis"
	case japanese.EUCJP:
		return "euc-jp"
	case japanese.ISO2022JP:
		return "iso-2022-jp"
	}
	if strings.HasPrefix(label, "utf-16") || label == "ucs-2" {
		if label == "ucs-2" {
			return "utf-16"
		}
		return label
	}
	if n, err := htmlindex.Name(enc); err == nil {
		return strings.ToLower(n)
	}
	return label
}

// decodeCountC is decodeCount that also maps the Japanese mobile carriers'
// emoji codes in Shift_JIS and ISO-2022-JP to Unicode (emoji.go).
func decodeCountC(enc encoding.Encoding, b []byte, cr carrier) (string, int) {
	switch enc {
	case japanese.ShiftJIS:
		if s, bad, ok := decodeSJISEmoji(b, cr); ok {
			return s, bad
		}
	case japanese.ISO2022JP:
		if s, bad, ok := decodeJISEmoji(b, cr); ok {
			return s, bad
		}
	}
	return decodeCount(enc, b)
}

// decodeCount decodes with enc, replacing undecodable bytes with U+FFFD,
// and counts them.
func decodeCount(enc encoding.Encoding, b []byte) (string, int) {
	if cm, ok := enc.(*charmap.Charmap); ok {
		return decodeCharmap(cm, b)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), len(b)
	}
	bad := 0
	if bytes.Contains(out, []byte("\uFFFD")) {
		bad = bytes.Count(out, []byte("\uFFFD"))
	}
	return sanitizeUTF8(out), bad
}

// decodeCharmap is decodeCount for a single-byte charset: each byte is
// its table's rune (U+FFFD where the charset has none), written straight
// into the string, without a transformer and its buffers.
func decodeCharmap(cm *charmap.Charmap, b []byte) (string, int) {
	t := charmapTableOf(cm)
	n := len(b)
	if t.ascii {
		for i := nextHigh(b, 0); i < len(b); i = nextHigh(b, i+1) {
			n += int(t.extra[b[i]])
		}
	} else {
		for _, c := range b {
			n += int(t.extra[c])
		}
	}
	var sb strings.Builder
	sb.Grow(n)
	bad := 0
	for i := 0; i < len(b); {
		// Bytes the table keeps as they are (ASCII) go in runs.
		j := i
		if t.ascii {
			j = nextHigh(b, i)
		} else {
			for j < len(b) && t.same[b[j]] {
				j++
			}
		}
		sb.Write(b[i:j])
		if j == len(b) {
			break
		}
		r := t.r[b[j]]
		if r == utf8.RuneError {
			bad++
		}
		sb.WriteRune(r)
		i = j + 1
	}
	return sb.String(), bad
}

// charmapTable is a single-byte charset's decoding, by byte: the rune,
// whether it is the byte itself (ASCII kept), and how many bytes its
// UTF-8 has beyond one.
type charmapTable struct {
	r     [256]rune
	same  [256]bool
	extra [256]uint8
	ascii bool // every ASCII byte is kept
}

// nextHigh returns the index of the first byte of b at or after i with
// the high bit set, or len(b); eight bytes at a time.
func nextHigh(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return i
		}
	}
	return i
}

var charmapTables sync.Map // *charmap.Charmap → *charmapTable

func charmapTableOf(cm *charmap.Charmap) *charmapTable {
	if t, ok := charmapTables.Load(cm); ok {
		return t.(*charmapTable)
	}
	t := new(charmapTable)
	for c := 0; c < 256; c++ {
		r := cm.DecodeByte(byte(c))
		t.r[c] = r
		t.same[c] = c < utf8.RuneSelf && r == rune(c)
		if !t.same[c] {
			t.extra[c] = uint8(utf8.RuneLen(r) - 1)
		}
	}
	t.ascii = true
	for c := 0; c < utf8.RuneSelf; c++ {
		t.ascii = t.ascii && t.same[c]
	}
	v, _ := charmapTables.LoadOrStore(cm, t)
	return v.(*charmapTable)
}

func sanitizeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func isASCII(b []byte) bool {
	// Thirty-two bytes at a time (four words or-ed, one test: most of a
	// text part is ASCII), then eight: a high bit in any of them.
	for len(b) >= 32 {
		w := binary.LittleEndian.Uint64(b) | binary.LittleEndian.Uint64(b[8:]) |
			binary.LittleEndian.Uint64(b[16:]) | binary.LittleEndian.Uint64(b[24:])
		if w&0x8080808080808080 != 0 {
			return false
		}
		b = b[32:]
	}
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// decodeWith decodes b with a sniffed or canonical charset name.
func decodeWith(b []byte, name string) string { return decodeWithC(b, name, carrierUnknown) }

// decodeWithC is decodeWith with carrier emoji for a known sender.
func decodeWithC(b []byte, name string, cr carrier) string {
	switch name {
	case "utf-8", "us-ascii", "":
		return sanitizeUTF8(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	case "utf-16", "utf-16le", "utf-16be":
		return decodeUTF16(b, name)
	case "utf-7":
		return decodeUTF7(b)
	}
	enc, ok := lookupCharset(name)
	if !ok || enc == nil {
		return sanitizeUTF8(b)
	}
	out, _ := decodeCountC(enc, b, cr)
	return out
}

// decodeUTF16 decodes UTF-16; a BOM wins, else the label, else (for plain
// "utf-16") the byte order whose zero bytes fit ASCII text. RFC 2781 §4.3
// says big-endian, but BOM-less little-endian from Windows is common.
func decodeUTF16(b []byte, label string) string {
	le := label == "utf-16le"
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		le, b = true, b[2:]
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		le, b = false, b[2:]
	case label == "utf-16":
		even, odd := 0, 0
		for i := 0; i+1 < len(b) && i < 4096; i += 2 {
			if b[i] == 0 {
				even++
			}
			if b[i+1] == 0 {
				odd++
			}
		}
		le = odd > even
	}
	n := len(b) / 2
	u := make([]uint16, n)
	for i := 0; i < n; i++ {
		if le {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		} else {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
	}
	return string(utf16.Decode(u))
}

// decodeUTF7 decodes RFC 2152 UTF-7: "+" opens modified base64 of UTF-16BE,
// "-" or any non-base64 character closes it, "+-" is "+".
func decodeUTF7(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			if c < 0x80 {
				sb.WriteByte(c)
			} else {
				sb.WriteRune(utf8.RuneError)
			}
			continue
		}
		j := i + 1
		for j < len(b) && isB64(b[j]) {
			j++
		}
		if j == i+1 {
			if j < len(b) && b[j] == '-' {
				sb.WriteByte('+')
				i = j
				continue
			}
			sb.WriteByte('+')
			continue
		}
		raw := b[i+1 : j]
		if len(raw)%4 == 1 {
			raw = raw[:len(raw)-1]
		}
		dec := make([]byte, base64.RawStdEncoding.DecodedLen(len(raw)))
		n, _ := base64.RawStdEncoding.Decode(dec, raw)
		dec = dec[:n&^1]
		u := make([]uint16, len(dec)/2)
		for k := range u {
			u[k] = uint16(dec[2*k])<<8 | uint16(dec[2*k+1])
		}
		sb.WriteString(string(utf16.Decode(u)))
		i = j - 1
		if j < len(b) && b[j] == '-' {
			i = j
		}
	}
	return sb.String()
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// sniff guesses the charset of unlabelled or mislabelled bytes.
func sniff(b []byte) string {
	s, _ := sniffScore(b)
	return s
}

const sniffSample = 8 << 10

// sniffScore guesses the charset of b and returns how sure it is (about
// 0..1; 1 for byte-order marks, escapes and valid UTF-8). Candidates:
// ISO-2022-JP by its escapes, UTF-16 by BOM or zero bytes, UTF-8 by
// validity, then Shift_JIS, EUC-JP, GBK and Big5 (for bytes that are
// well-formed in them) scored by what the decoded text holds: kana for
// Japanese, frequent hanzi for Chinese; Windows-1251 and KOI8-R for
// Cyrillic; Windows-1252 (Latin-1) as the fallback.
func sniffScore(b []byte) (string, float64) {
	if isASCII(b) {
		if hasJISEscape(b) {
			return "iso-2022-jp", 1
		}
		if z := bytes.Count(b, []byte{0}); len(b) >= 8 && z*4 >= len(b) {
			return utf16Order(b, z), 0.8
		}
		return "us-ascii", 1
	}
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE {
		return "utf-16le", 1
	}
	if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
		return "utf-16be", 1
	}
	if utf8.Valid(b) {
		return "utf-8", 1
	}
	if len(b) > sniffSample {
		b = b[:sniffSample]
		// Cut back to a line end so a sequence is not split.
		if i := bytes.LastIndexByte(b, '\n'); i > sniffSample/2 {
			b = b[:i+1]
		}
	}
	if z := bytes.Count(b, []byte{0}); len(b) >= 8 && z*4 >= len(b) {
		return utf16Order(b, z), 0.8
	}
	if looksUTF8(b) {
		return "utf-8", 0.7
	}
	best, bestScore := "windows-1252", 0.35
	// Latin text has a few accented letters among many ASCII ones; CJK and
	// Cyrillic text is mostly 8-bit. Skip the costly candidates for the former.
	high, letters := 0, 0
	for _, c := range b {
		if c >= 0x80 {
			high++
		} else if c|0x20 >= 'a' && c|0x20 <= 'z' {
			letters++
		}
	}
	if high*8 < high+letters {
		return best, bestScore
	}
	try := func(name string, enc encoding.Encoding, lang byte) {
		out, _ := decodeCount(enc, b)
		st := runeStatsOf(out)
		sc := st.score(lang)
		if sc > bestScore+0.01 {
			best, bestScore = name, sc
		}
	}
	if validSJIS(b) {
		try("shift_jis", japanese.ShiftJIS, 'j')
	}
	if validEUC(b, true) {
		try("euc-jp", japanese.EUCJP, 'j')
	}
	if validGBK(b) {
		try("gbk", simplifiedchinese.GBK, 's')
	}
	if validBig5(b) {
		try("big5", traditionalchinese.Big5, 't')
	}
	if bestScore < 0.7 { // Cyrillic never decodes to plausible CJK: skip when CJK won clearly
		try("windows-1251", charmap.Windows1251, 'c')
		try("koi8-r", charmap.KOI8R, 'k')
	}
	return best, bestScore
}

// utf16Order tells UTF-16 byte order from where the zero bytes of ASCII
// characters fall.
func utf16Order(b []byte, zeros int) string {
	even := 0
	for i := 0; i < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
	}
	if even*2 > zeros {
		return "utf-16be"
	}
	return "utf-16le"
}

// looksUTF8 accepts UTF-8 with a few broken bytes (a truncated sample or
// a mangled line): over 90 % of the 8-bit bytes form valid sequences.
func looksUTF8(b []byte) bool {
	good, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			good += n
		}
		i += n
	}
	return good >= 6 && bad*10 < good
}

// runeStats counts classes of the non-ASCII runes of decoded text.
type runeStats struct {
	n, kana, han, punct, hwkana, repl, other int
	cyr, cyrLower, commonS, commonT          int
	isolated, asciiLetters                   int
	touching                                 int // non-ASCII runes next to an ASCII letter
}

// Frequent Chinese characters, simplified and traditional forms.
const (
	commonSimplified  = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵" // ~1000 most frequent
	commonTraditional = "的一是不了在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於著下自之年過發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還進好小部其些主樣理心她本前開但因只從想實日軍者意無力它與長把機十民第公此已工使情明性知全三又關點正業外將兩高間由問很最重並物手應戰向頭文體政美相見被利什二等產或新己制身果加西斯月話合回特代內信表化老給世位次度門任常先海通教兒原東聲提立及比員解水名真論處走義各入幾口認條平系氣題活爾更別打女變四神總何電數安少報才結反受目太量再感建務做接必場件計管期市直德資命山金指克許統區保至隊形社便空決治展馬科司五基眼書非則聽白卻界達光放強即像難且權思王象完設式色路記南品住告類求據程北邊死張該交規萬取拉格望覺術領共確傳師觀清今切院讓識候帶導爭運笑飛風步改收根乾造言聯持組每濟車親極林服快辦議往元英士證近失轉夫令準布始怎呢存未遠叫台單影具羅字愛擊流備兵連調深商算質團集百需價花黨華城石級整府離況亞請技際約示復病息究線似官火斷精滿支視消越器容照須九增研寫稱企八功嗎包片史委乎查輕易早曾除農找裝廣顯吧阿李標談吃圖念六引歷首醫局突專費號盡另周較注語僅考落青隨選列武紅響雖推勢參希古眾構房半節土投某案黑維革劃敵致陳律足態護七興派孩驗責營星夠章音跟志底站嚴巴例防族供效續施留講型料終答緊黃絕奇察母京段依批群項故按河米圍江織害鬥雙境客紀採舉殺攻父蘇密低朝友訴止細願千值仍男錢破網熱助倒育屬坐帝限船臉職速刻樂否剛威毛狀率甚獨球般普怕彈校苦創假久錯承印晚蘭試股拿腦預誰益陽若哪微尼繼送急血驚傷素藥適波夜省初喜衛源食險待述陸習置居勞財環排福納歡雷警獲模充負雲停木遊龍樹疑層冷洲衝射略範竟句室異激漢村哈策演簡卡罪判擔州靜退既衣您宗積餘痛檢差富靈協角佔配徵修皮揮勝降階審沉堅善媽劉讀啊超免壓銀買皇養伊懷執副亂抗犯追幫宣佛歲航優怪香著田鐵控稅左右份穿藝背陣草腳概惡塊頓敢守酒島托央戶烈洋哥索胡款靠評版寶座釋景顧弟登貨互付伯慢歐換聞危忙核暗姐介壞討麗良序升監臨亮露永呼味野架域沙掉括艦魚雜誤灣吉減編楚肯測敗屋跑夢散溫困劍漸封救貴槍缺樓縣尚毫移娘朋畫班智亦耳恩短掌恐遺固席松秘謝魯遇康慮幸均銷鐘詩藏趕劇票損忽巨炮舊端探湖錄葉春鄉附吸予禮港雨呀板庭婦歸睛飯額含順輸搖招婚脫補謂督毒油療旅澤材滅逐莫筆亡鮮詞聖擇尋廠睡博勒煙授諾倫岸奧唐賣俄炸載洛健堂旁宮喝借君禁陰園謀宋避抓榮姑孫逃牙束跳頂玉鎮雪午練迫爺篇肉嘴館遍凡礎洞卷坦牛寧紙諸訓私莊祖絲翻暴森塔默握戲隱熟骨訪弱蒙歌店鬼軟典欲薩伙遭盤爸擴蓋弄雄穩忘億刺擁徒姆楊齊賽趣曲刀床迎冰虛玩析窗醒妻透購替塞努休虎揚途侵刑綠兄迅套貿畢唯谷輪庫跡尤競街促延震棄甲偉麻川申緩潛閃售燈針哲絡抵朱埃抱鼓植純夏忍頁傑築折鄭貝尊吳秀混臣雅振染盛怒舞圓搞狂措姓殘秋培迷誠寬宇猛擺梅毀伸摩盟末乃悲拍丁趙"
)

// commonHan marks frequent hanzi: bit 1 simplified, bit 2 traditional.
var commonHan = func() map[rune]uint8 {
	m := make(map[rune]uint8, 1500)
	for _, r := range commonSimplified {
		m[r] |= 1
	}
	for _, r := range commonTraditional {
		m[r] |= 2
	}
	return m
}()

func runeStatsOf(s string) runeStats {
	var st runeStats
	prevASCIILetter := false
	var prevRune rune
	for i, r := range s {
		if r < 0x80 {
			isL := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if isL {
				if prevRune >= 0x80 {
					st.touching++
				}
				st.asciiLetters++
				// A non-ASCII rune wedged between ASCII letters ("réd").
				if prevRune >= 0x80 && prevASCIILetter {
					st.isolated++
				}
			}
			prevASCIILetter = isL || (prevRune >= 0x80 && prevASCIILetter)
			if prevRune < 0x80 {
				prevASCIILetter = isL
			}
			prevRune = r
			continue
		}
		_ = i
		st.n++
		if prevRune < 0x80 && (prevRune|0x20 >= 'a' && prevRune|0x20 <= 'z') {
			st.touching++
		}
		switch {
		case r == utf8.RuneError:
			st.repl++
		case r >= 0x3041 && r <= 0x30FF:
			st.kana++
		case r >= 0x4E00 && r <= 0x9FFF:
			st.han++
			if c := commonHan[r]; c != 0 {
				st.commonS += int(c & 1)
				st.commonT += int(c >> 1)
			}
		case r >= 0x3000 && r <= 0x303F, r >= 0xFF01 && r <= 0xFF5E, r >= 0x2010 && r <= 0x206F, r >= 0x2460 && r <= 0x24FF, r >= 0x25A0 && r <= 0x25FF, r >= 0x3200 && r <= 0x33FF, r >= 0x2150 && r <= 0x218F:
			st.punct++
		case r >= 0xFF61 && r <= 0xFF9F:
			st.hwkana++
		case r >= 0x0410 && r <= 0x044F || r == 0x0401 || r == 0x0451:
			st.cyr++
			if r >= 0x0430 || r == 0x0451 {
				st.cyrLower++
			}
		default:
			st.other++
		}
		prevRune = r
	}
	return st
}

// score rates how plausible the decoded text is for a language: 'j'
// Japanese, 's' simplified or 't' traditional Chinese, 'c'/'k' Cyrillic
// decoded as Windows-1251 / KOI8-R.
func (st runeStats) score(lang byte) float64 {
	if st.n == 0 {
		return 0
	}
	n := float64(st.n)
	iso := float64(st.isolated) / n
	switch lang {
	case 'j':
		s := (float64(st.kana) + 0.6*float64(st.han) + 0.5*float64(st.punct) + 0.3*float64(st.hwkana) -
			2*float64(st.repl+st.other+st.cyr)) / n
		if st.kana+st.hwkana == 0 && st.n > 6 {
			s *= 0.5
		}
		return s - iso
	case 's', 't':
		common := st.commonS
		if lang == 't' {
			common = st.commonT
		}
		s := (0.2*float64(st.han) + 0.5*float64(st.punct) + float64(common) -
			2*float64(st.repl+st.other+st.cyr+st.kana) - 0.8*float64(st.hwkana)) / n
		return s - iso
	case 'c', 'k':
		if st.cyr == 0 {
			return 0
		}
		s := float64(st.cyr) / n
		if float64(st.cyrLower) < 0.6*float64(st.cyr) {
			s *= 0.6 // Russian prose is mostly lower case
		}
		// Cyrillic text is mostly 8-bit letters; Latin text with a few
		// accents is not.
		if dens := float64(st.cyr) / float64(st.cyr+st.asciiLetters); dens < 0.4 {
			s *= dens / 0.4
		}
		// Russian words do not glue Cyrillic to Latin letters ("Cafй").
		return s - iso - float64(st.touching)/n
	}
	return 0
}

// validSJIS reports whether b is well-formed Shift_JIS / CP932. A lead
// byte cut off at the very end is accepted (samples are truncated).
func validSJIS(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c >= 0xA1 && c <= 0xDF: // half-width katakana
		case (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC):
			if i+1 >= len(b) {
				return true
			}
			d := b[i+1]
			if d < 0x40 || d == 0x7F || d > 0xFC {
				return false
			}
			i++
		default:
			return false
		}
	}
	return true
}

// validEUC reports whether b is well-formed EUC (EUC-JP when jp: SS2
// half-width katakana and SS3 JIS X 0212 allowed).
func validEUC(b []byte, jp bool) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case jp && c == 0x8E: // SS2: half-width katakana
			if i+1 >= len(b) {
				return true
			}
			if b[i+1] < 0xA1 || b[i+1] > 0xDF {
				return false
			}
			i++
		case jp && c == 0x8F: // SS3: JIS X 0212
			if i+2 >= len(b) {
				return true
			}
			if b[i+1] < 0xA1 || b[i+2] < 0xA1 || b[i+1] == 0xFF || b[i+2] == 0xFF {
				return false
			}
			i += 2
		case c >= 0xA1 && c <= 0xFE:
			if i+1 >= len(b) {
				return true
			}
			if b[i+1] < 0xA1 || b[i+1] == 0xFF {
				return false
			}
			i++
		default:
			return false
		}
	}
	return true
}

// validGBK: lead 0x81-0xFE, trail 0x40-0xFE except 0x7F.
func validGBK(b []byte) bool {
	return validDoubleByte(b, func(d byte) bool { return d >= 0x40 && d != 0x7F && d != 0xFF })
}

// validBig5: lead 0x81-0xFE, trail 0x40-0x7E or 0xA1-0xFE.
func validBig5(b []byte) bool {
	return validDoubleByte(b, func(d byte) bool { return d >= 0x40 && d <= 0x7E || d >= 0xA1 && d <= 0xFE })
}

// validDoubleByte walks ASCII and lead bytes 0x81-0xFE each followed by a
// trail byte that trail accepts; a lead byte cut off at the end is allowed.
func validDoubleByte(b []byte, trail func(byte) bool) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c >= 0x81 && c <= 0xFE:
			if i+1 >= len(b) {
				return true
			}
			if !trail(b[i+1]) {
				return false
			}
			i++
		default:
			return false
		}
	}
	return true
}
