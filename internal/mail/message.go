// Package mail parses raw RFC 5322 / MIME messages (RFC 2045-2049, RFC 2047,
// RFC 2231) into one read-only structure that every analyzer shares.
//
// The parser is tolerant: mail is hostile input, so malformed structure is
// reported as an Anomaly and parsing goes on. Every size, count and depth is
// bounded by Limits; a breach is an anomaly too, never a panic.
//
// All text the parser hands out is valid UTF-8: headers are decoded from
// RFC 2047 encoded words or, when unlabelled 8-bit, sniffed (Shift_JIS,
// EUC-JP, ISO-2022-JP, UTF-8); bodies are decoded from their declared charset
// or sniffed when the label is missing or wrong.
package mail

import (
	"strings"
	"sync/atomic"
	"time"
)

// Limits bound what the parser reads. Zero fields take the default.
type Limits struct {
	MaxSize        int // bytes of raw message parsed; the rest is ignored (anomaly MIME_TRUNCATED). Default 32 MiB.
	MaxParts       int // MIME parts. Default 1000.
	MaxDepth       int // multipart / message/rfc822 nesting. Default 20.
	MaxHeaders     int // header fields per header block. Default 1000.
	MaxHeaderBytes int // bytes of one header block. Default 1 MiB.
	MaxTextBytes   int // bytes of decoded text kept per text part. Default 4 MiB.
	MaxURLs        int // URLs extracted per message. Default 2000.
}

// DefaultLimits returns the limits used when none are configured.
func DefaultLimits() Limits {
	return Limits{
		MaxSize:        32 << 20,
		MaxParts:       1000,
		MaxDepth:       20,
		MaxHeaders:     1000,
		MaxHeaderBytes: 1 << 20,
		MaxTextBytes:   4 << 20,
		MaxURLs:        2000,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxSize <= 0 {
		l.MaxSize = d.MaxSize
	}
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = d.MaxHeaders
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = d.MaxTextBytes
	}
	if l.MaxURLs <= 0 {
		l.MaxURLs = d.MaxURLs
	}
	return l
}

// Header is one header field, in message order.
type Header struct {
	Name  string // as written (case kept)
	Raw   string // raw value bytes after the colon, folding kept (may be non-UTF-8)
	Value string // unfolded, RFC 2047-decoded or charset-sniffed, valid UTF-8, trimmed
	// Span is where the whole field sits in its message's Raw: from the
	// first byte of the name to after the line end of its last line.
	Span Span
}

// HeaderSplits counts the header blocks split off whole messages — by
// Parse, and by the few callers that still split raw bytes themselves —
// so tests can check that a served message is split once.
var HeaderSplits atomic.Int64

// Split returns the header block (with its blank separator line) and the
// body of raw, the bytes given to Parse, from the offsets found while
// parsing: no second split. ok is false when the offsets cannot be used
// (raw is other bytes, or the header block was cut at MaxSize).
func (m *Message) Split(raw []byte) (header, body []byte, ok bool) {
	if m == nil || m.Root == nil || !m.Root.Spanned || len(raw) != m.Size {
		return nil, nil, false
	}
	b := m.Root.BodySpan.Start
	if b > len(raw) || len(m.Raw) < m.Size && b >= len(m.Raw) {
		return nil, nil, false
	}
	return raw[:b], raw[b:], true
}

// Span is a byte range [Start, End) of a message's Raw (the outer
// Message.Raw, or Embedded.Raw for the parts of an embedded message).
type Span struct{ Start, End int }

// Len is the span's length.
func (s Span) Len() int { return s.End - s.Start }

// Headers is a header block in message order.
type Headers []Header

// Get returns the decoded value of the first field named name (case-insensitive).
func (h Headers) Get(name string) string {
	if i := h.next(name, 0); i >= 0 {
		return h[i].Value
	}
	return ""
}

// Has reports whether a field named name exists.
func (h Headers) Has(name string) bool { return h.next(name, 0) >= 0 }

// Values returns the decoded values of every field named name, in order.
func (h Headers) Values(name string) []string {
	var out []string
	for i := h.next(name, 0); i >= 0; i = h.next(name, i+1) {
		out = append(out, h[i].Value)
	}
	return out
}

// Count returns how many fields are named name.
func (h Headers) Count(name string) int {
	n := 0
	for i := h.next(name, 0); i >= 0; i = h.next(name, i+1) {
		n++
	}
	return n
}

// next returns the first field from i on whose name is name under
// strings.EqualFold (-1: none). A field whose first or last byte and
// name's are ASCII and differ under ASCII case folding is passed over
// without EqualFold: EqualFold compares character by character, an ASCII
// byte is always a character of its own (never part of a longer
// sequence, valid or not), and two ASCII bytes are equal under folding
// only if they differ at most in bit 0x20. Most fields a lookup passes
// over are rejected so in a few instructions.
func (h Headers) next(name string, i int) int {
	if name == "" {
		for ; i < len(h); i++ {
			if h[i].Name == "" {
				return i
			}
		}
		return -1
	}
	f, l := name[0], name[len(name)-1]
	for ; i < len(h); i++ {
		n := h[i].Name
		if n == "" {
			continue
		}
		if c := n[0]; c|f < 0x80 && (c^f)&0xDF != 0 {
			continue
		}
		if c := n[len(n)-1]; c|l < 0x80 && (c^l)&0xDF != 0 {
			continue
		}
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// Address is one mailbox from an address header.
type Address struct {
	Name   string // decoded display name, may be empty
	Addr   string // local@domain as written (domain lower-cased)
	Local  string
	Domain string // lower-case, IDN kept as written (A-label or U-label)
}

// Anomaly is a structural problem the parser found. Code is a stable
// UPPER_SNAKE name (the header analyzer turns them into MIME_* symbols).
type Anomaly struct {
	Code   string
	Detail string
}

// Anomaly codes reported by the parser.
const (
	AnomalyTruncated        = "MIME_TRUNCATED"         // message larger than Limits.MaxSize
	AnomalyTooManyParts     = "MIME_TOO_MANY_PARTS"    // Limits.MaxParts reached
	AnomalyTooDeep          = "MIME_TOO_DEEP"          // Limits.MaxDepth reached
	AnomalyTooManyHeaders   = "MIME_TOO_MANY_HEADERS"  // Limits.MaxHeaders reached
	AnomalyHeaderTooLong    = "MIME_HEADER_TOO_LONG"   // header block over Limits.MaxHeaderBytes
	AnomalyBadHeaderLine    = "MIME_BAD_HEADER_LINE"   // a line in the header block that is not a field
	AnomalyNoBoundary       = "MIME_NO_BOUNDARY"       // multipart without boundary parameter
	AnomalyMissingBoundary  = "MIME_BOUNDARY_MISSING"  // boundary never seen in the body
	AnomalyNoCloseBoundary  = "MIME_NO_CLOSE_BOUNDARY" // multipart without its closing delimiter
	AnomalyBadContentType   = "MIME_BAD_CONTENT_TYPE"  // unparseable Content-Type
	AnomalyBadEncoding      = "MIME_BAD_ENCODING"      // base64/QP errors or unknown transfer encoding
	AnomalyBadCharset       = "MIME_BAD_CHARSET"       // unknown charset label
	AnomalyCharsetMismatch  = "MIME_CHARSET_MISMATCH"  // declared charset does not fit the bytes
	AnomalyRaw8BitHeader    = "MIME_RAW_8BIT_HEADER"   // unlabelled 8-bit bytes in a header
	AnomalyBadEncodedWord   = "MIME_BAD_ENCODED_WORD"  // malformed RFC 2047 word
	AnomalyTextTruncated    = "MIME_TEXT_TRUNCATED"    // decoded text over Limits.MaxTextBytes
	AnomalyTooManyURLs      = "MIME_TOO_MANY_URLS"     // Limits.MaxURLs reached
	AnomalyNoMIMEVersion    = "MIME_NO_MIME_VERSION"   // Content-Type present but no MIME-Version
	AnomalyEmptyMultipart   = "MIME_EMPTY_MULTIPART"   // multipart with no parts
	AnomalyDuplicateHeader  = "MIME_DUPLICATE_HEADER"  // a field that must be unique appears twice
	AnomalyBareLF           = "MIME_BARE_LF"           // informational: LF line ends (stored mail)
	AnomalyMixedEOL         = "MIME_MIXED_EOL"         // CRLF and bare LF (or bare CR) line ends in one message
	AnomalySMTPSmuggling    = "MIME_SMTP_SMUGGLING"    // a non-standard end-of-data followed by SMTP commands
	AnomalyNULByte          = "MIME_NUL_BYTE"          // NUL bytes in headers or text
	AnomalyEmptyBody        = "MIME_EMPTY_BODY"        // no body at all
	AnomalyNotMail          = "MIME_NOT_MAIL"          // no header field at all: empty input, binary data, plain text
	AnomalyHiddenHTMLText   = "MIME_HTML_HIDDEN_TEXT"  // HTML text a reader cannot see
	AnomalyHTMLParseLimited = "MIME_HTML_LIMITED"      // HTML too large or deep, rendered partly
)

// URL is one link or reference found in the message. Link analysis
// (de-obfuscation, redirector unwrapping) is done by the URL analyzer on top.
type URL struct {
	Raw    string // as found (entity-decoded for HTML attributes)
	Scheme string // lower-case, may be empty for bare "www." links
	Host   string // lower-case host without port; empty for mailto:, data: ...
	Source string // "text", "href", "src" (also srcset, background, CSS url()), "form" (action, formaction), "meta" (refresh), "area", "base", or what an analyzer that adds it says ("pdf", "qr", ...)
	Anchor string // for href: the visible anchor text (trimmed)
	Part   string // Part.Path of the part it came from
	Hidden bool   // inside hidden HTML (or written in hidden HTML text)
	Pixel  bool   // an <img> drawn at most 2×2 pixels: a tracking pixel
}

// Message is a parsed message. It is read-only once Parse returns.
type Message struct {
	Raw     []byte  // the bytes parsed (after MaxSize truncation)
	Size    int     // original size in bytes
	Headers Headers // top-level header block

	Subject    string    // decoded
	From       []Address // all From: mailboxes
	FromHeader string    // decoded From: value as written
	Sender     []Address
	ReplyTo    []Address
	To         []Address
	Cc         []Address
	MessageID  string    // without angle brackets
	InReplyTo  []string  // message ids without angle brackets
	References []string  // message ids without angle brackets
	Date       time.Time // zero when missing or unparseable
	DateErr    string    // why Date did not parse; empty when it did or is missing

	Root        *Part   // the top-level entity
	Parts       []*Part // every part, depth-first, Root first
	TextParts   []*Part // text/plain and text/html parts that are not attachments
	Attachments []*Part // parts with a filename or attachment disposition, or non-text leaves

	// Text is what a reader sees: for each multipart/alternative the HTML
	// rendering (or plain text when there is no HTML), other text parts in
	// order, joined with blank lines. Hidden HTML text is not in Text.
	Text string
	// HiddenText is HTML text a reader cannot see (display:none, tiny or
	// same-colour fonts), for analyzers that look for hidden padding.
	HiddenText string

	URLs      []URL
	Anomalies []Anomaly
}

// HasAnomaly reports whether an anomaly with the code was recorded.
func (m *Message) HasAnomaly(code string) bool {
	for _, a := range m.Anomalies {
		if a.Code == code {
			return true
		}
	}
	return false
}

// Part is one MIME entity.
type Part struct {
	Path    string // "1", "1.2", "1.2.1": position in the tree, Root is "1"
	Depth   int
	Headers Headers
	Parent  *Part

	ContentType string            // lower-case media type, "text/plain" when missing
	Params      map[string]string // Content-Type parameters, keys lower-case, RFC 2231 decoded
	Charset     string            // declared charset label, lower-case
	Encoding    string            // Content-Transfer-Encoding, lower-case
	Disposition string            // "inline", "attachment" or ""
	Filename    string            // decoded name from disposition filename= or type name=
	ContentID   string
	Description string

	Body []byte // transfer-decoded bytes (for multipart: empty)

	// For text/* parts (and message bodies shown as text):
	Text            string // UTF-8; for HTML, the rendered visible text
	HTML            string // UTF-8 HTML source, for text/html
	HiddenText      string // for HTML: text that is hidden from the reader
	DetectedCharset string // charset actually used to decode, lower-case

	Children []*Part  // multipart children, or the root of an embedded message/rfc822
	Embedded *Message // for message/rfc822 (and message/global): the embedded message's envelope fields and its Parts, TextParts, Attachments, Text, HiddenText (its Root is Children[0]; its URLs and anomalies are on the outer message)

	// Spanned is true when the part is a slice of its message's Raw (every
	// MIME entity; not a uuencoded file or a body without its boundary):
	// HeaderSpan is then the header block (fields, without the blank
	// separator line) and BodySpan the body as sent, transfer-encoded (for
	// a multipart: preamble, delimiters, children and epilogue).
	Spanned    bool
	HeaderSpan Span
	BodySpan   Span

	IsAttachment bool // has a filename or attachment disposition, or is a non-text leaf
	IsInline     bool // image with a Content-ID (not an attachment disposition), or any part referenced from HTML by cid:
}

// IsMultipart reports whether the part is a multipart container.
func (p *Part) IsMultipart() bool { return strings.HasPrefix(p.ContentType, "multipart/") }

// IsText reports whether the part is text/plain or text/html.
func (p *Part) IsText() bool {
	return p.ContentType == "text/plain" || p.ContentType == "text/html"
}

// PrimaryFrom returns the display name and domain of the mailbox that sent
// the message: the first From mailbox with a domain ("Brand <brand.example>,
// Brand <x@sender.example>" lists a decoy first), named by the first
// display name when it has none.
func PrimaryFrom(m *Message) (name, domain string) {
	a, ok := m.PrimaryFromAddress()
	if !ok {
		return "", ""
	}
	return a.Name, a.Domain
}

// PrimaryFromAddress is PrimaryFrom's mailbox; false without From.
func (m *Message) PrimaryFromAddress() (Address, bool) {
	if len(m.From) == 0 {
		return Address{}, false
	}
	a := m.From[0]
	for _, f := range m.From {
		if f.Domain != "" {
			a = f
			if a.Name == "" {
				a.Name = m.From[0].Name
			}
			break
		}
	}
	return a, true
}
