package milter

// The milter wire protocol, sekisho's side (the filter). Every packet is a
// 32-bit big-endian length, a command or reply byte, and the payload. The
// server reads one command at a time into a buffer it reuses, and writes
// the modifications and the final reply of a message in one write.
//
// Negotiation (SMFIC_OPTNEG): to an MTA that offers protocol version 6
// (Postfix 2.6 and later, Sendmail 8.14 and later) the server answers 6 and
// asks, of the protocol bits the MTA offered, for no reply to the steps
// where it never refuses anything: connect, HELO, MAIL, RCPT, each header
// field and the end of the header (SMFIP_NR_*), and for no DATA and no
// unknown-command events (SMFIP_NODATA, SMFIP_NOUNKNOWN). A refusal found
// at a step without a reply (a header over the size or field bound, the
// bytes-in-flight bound, a malformed connect) is kept and given at the next
// step that replies (with Postfix's offer: a body chunk or the end of the
// message; with a partial offer, the next command not suppressed). Body chunks
// keep their reply, so an oversized body is still refused as it arrives.
// To an MTA that offers an older version the server answers 2 with no
// steps suppressed, and replies to every command as before.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Commands from the MTA (SMFIC_*).
const (
	cmdAbort   = 'A'
	cmdBody    = 'B'
	cmdConnect = 'C'
	cmdMacro   = 'D'
	cmdEOB     = 'E'
	cmdHelo    = 'H'
	cmdHeader  = 'L'
	cmdMail    = 'M'
	cmdEOH     = 'N'
	cmdOptNeg  = 'O'
	cmdQuit    = 'Q'
	cmdRcpt    = 'R'
	cmdData    = 'T'
	cmdUnknown = 'U'
)

// Replies and modifications to the MTA (SMFIR_*).
const (
	repAccept    = 'a'
	repContinue  = 'c'
	repDiscard   = 'd'
	repTempFail  = 't'
	repReplyCode = 'y'
	repDelRcpt   = '-'
	repReplBody  = 'b'
	repAddHeader = 'h'
	repChgHeader = 'm'
	repInsHeader = 'i'
	repQuarant   = 'q'
)

// Negotiated actions: SMFIF_ADDHDRS | SMFIF_CHGBODY | SMFIF_DELRCPT |
// SMFIF_CHGHDRS | SMFIF_QUARANTINE (the same with either version).
const optActions = 1<<0 | 1<<1 | 1<<3 | 1<<4 | 1<<5

// Protocol bits (SMFIP_*).
const (
	pNoUnknown = 1 << 8  // SMFIP_NOUNKNOWN
	pNoData    = 1 << 9  // SMFIP_NODATA
	pNRHdr     = 1 << 7  // SMFIP_NR_HDR: no reply per header field
	pNRConn    = 1 << 12 // SMFIP_NR_CONN
	pNRHelo    = 1 << 13 // SMFIP_NR_HELO
	pNRMail    = 1 << 14 // SMFIP_NR_MAIL
	pNRRcpt    = 1 << 15 // SMFIP_NR_RCPT
	pNRData    = 1 << 16 // SMFIP_NR_DATA
	pNRUnknown = 1 << 17 // SMFIP_NR_UNKN
	pNREOH     = 1 << 18 // SMFIP_NR_EOH

	// optWantV6 is what the server asks of a version 6 MTA (less what
	// the MTA did not offer). Not SMFIP_NR_BODY: body chunks are refused
	// as they arrive. Not SMFIP_HDR_LEADSPC: header values would keep
	// their leading space, both ways, and the rebuilt message and the
	// added fields would change.
	optWantV6 = pNoUnknown | pNoData | pNRHdr | pNRConn | pNRHelo | pNRMail | pNRRcpt | pNRData | pNRUnknown | pNREOH
)

// noReply is the protocol bit that suppresses the reply to command code
// (0 for commands that always get one).
func noReply(code byte) uint32 {
	switch code {
	case cmdConnect:
		return pNRConn
	case cmdHelo:
		return pNRHelo
	case cmdMail:
		return pNRMail
	case cmdRcpt:
		return pNRRcpt
	case cmdHeader:
		return pNRHdr
	case cmdEOH:
		return pNREOH
	case cmdData:
		return pNRData
	case cmdUnknown:
		return pNRUnknown
	}
	return 0
}

// maxPacket bounds one command's length before anything is allocated
// (Postfix sends body chunks of at most 64 KB).
const maxPacket = 1 << 20

// keepBuf is the largest read buffer a connection keeps between packets
// (a longer packet gets a buffer of its own).
const keepBuf = 64<<10 + 64

var (
	errZeroPacket = errors.New("milter: invalid zero-length packet")
	errQuit       = errors.New("milter: quit")
)

// reader reads milter packets.
type reader struct {
	br  *bufio.Reader
	buf []byte
	hdr [4]byte // here, not on the stack: io.ReadFull would move it to the heap
	// inPlace: the bytes of the last packet, returned in br's buffer,
	// that br still holds (discarded at the next call).
	inPlace int
}

// reset readies r for a new connection's bytes in br.
func (r *reader) reset() { r.inPlace = 0 }

// next returns the next command and its payload, valid until the next call.
func (r *reader) next() (byte, []byte, error) {
	if r.inPlace > 0 {
		r.br.Discard(r.inPlace)
		r.inPlace = 0
	}
	// A whole packet already in br's buffer (header fields, macros,
	// the short commands): its payload where it is, without a copy.
	// The bytes stay there until the next call, which discards them.
	if b := r.br.Buffered(); b > 4 {
		h, _ := r.br.Peek(4)
		if n := int(binary.BigEndian.Uint32(h)); n > 0 && n <= b-4 {
			p, _ := r.br.Peek(4 + n)
			r.inPlace = 4 + n
			return p[4], p[5:], nil
		}
	}
	if _, err := io.ReadFull(r.br, r.hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(r.hdr[:])
	if n == 0 {
		return 0, nil, errZeroPacket
	}
	if n > maxPacket {
		return 0, nil, fmt.Errorf("milter: packet length %d exceeds %d bytes", n, maxPacket)
	}
	var p []byte
	if int(n) <= cap(r.buf) {
		p = r.buf[:n]
	} else if n <= keepBuf {
		r.buf = make([]byte, keepBuf)
		p = r.buf[:n]
	} else {
		p = make([]byte, n)
	}
	if _, err := io.ReadFull(r.br, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return p[0], p[1:], nil
}

// writer collects packets for the MTA until flush.
type writer struct {
	b []byte
}

// packet starts a packet with code and returns the offset of its length.
func (w *writer) start(code byte) int {
	at := len(w.b)
	w.b = append(w.b, 0, 0, 0, 0, code)
	return at
}

// end fills in the length of the packet started at at.
func (w *writer) end(at int) {
	binary.BigEndian.PutUint32(w.b[at:], uint32(len(w.b)-at-4))
}

func (w *writer) simple(code byte, data []byte) {
	at := w.start(code)
	w.b = append(w.b, data...)
	w.end(at)
}

// cstr appends s and a NUL.
func (w *writer) cstr(s string) {
	w.b = append(w.b, s...)
	w.b = append(w.b, 0)
}

// lf appends s with every CRLF turned into LF (Postfix wants LF line ends
// in header values and bodies; a CRLF would become CR CR LF).
func (w *writer) lf(s []byte) {
	for {
		i := indexCRLF(s)
		if i < 0 {
			w.b = append(w.b, s...)
			return
		}
		w.b = append(w.b, s[:i]...)
		w.b = append(w.b, '\n')
		s = s[i+2:]
	}
}

func (w *writer) lfString(s string) {
	for {
		i := indexCRLFString(s)
		if i < 0 {
			w.b = append(w.b, s...)
			return
		}
		w.b = append(w.b, s[:i]...)
		w.b = append(w.b, '\n')
		s = s[i+2:]
	}
}

func indexCRLF(s []byte) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\r' && s[i+1] == '\n' {
			return i
		}
	}
	return -1
}

func indexCRLFString(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\r' && s[i+1] == '\n' {
			return i
		}
	}
	return -1
}

// The modifications (only at end of message).

func (w *writer) AddHeader(name, value string) error {
	at := w.start(repAddHeader)
	w.cstr(name)
	w.lfString(value)
	w.b = append(w.b, 0)
	w.end(at)
	return nil
}

// ChangeHeader changes the index'th (1-based, per name) field called name;
// an empty value deletes it.
func (w *writer) ChangeHeader(index int, name, value string) error {
	return w.indexed(repChgHeader, index, name, value)
}

// InsertHeader inserts a field at index (0 is the top).
func (w *writer) InsertHeader(index int, name, value string) error {
	return w.indexed(repInsHeader, index, name, value)
}

func (w *writer) indexed(code byte, index int, name, value string) error {
	at := w.start(code)
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(index))
	w.cstr(name)
	w.lfString(value)
	w.b = append(w.b, 0)
	w.end(at)
	return nil
}

func (w *writer) DeleteRecipient(r string) error {
	at := w.start(repDelRcpt)
	w.b = append(w.b, '<')
	w.b = append(w.b, r...)
	w.b = append(w.b, '>', 0)
	w.end(at)
	return nil
}

// ReplaceBody sends the new body in one packet, as go-milter did.
func (w *writer) ReplaceBody(body []byte) error {
	at := w.start(repReplBody)
	w.lf(body)
	w.end(at)
	return nil
}

func (w *writer) Quarantine(reason string) error {
	at := w.start(repQuarant)
	w.cstr(reason)
	w.end(at)
	return nil
}

// resp is a reply to one command.
type resp struct {
	code byte
	data []byte
}

var (
	respContinue = resp{code: repContinue}
	respAccept   = resp{code: repAccept}
	respDiscard  = resp{code: repDiscard}
	respTempFail = resp{code: repTempFail}
)

// negotiate replies to SMFIC_OPTNEG with payload data (the MTA's
// version, actions and protocol bits) and returns the protocol bits
// agreed on.
func (w *writer) negotiate(data []byte) uint32 {
	version, proto := uint32(2), uint32(0)
	if len(data) >= 12 && binary.BigEndian.Uint32(data) >= 6 {
		version, proto = 6, binary.BigEndian.Uint32(data[8:])&optWantV6
	}
	at := w.start(cmdOptNeg)
	w.b = binary.BigEndian.AppendUint32(w.b, version)
	w.b = binary.BigEndian.AppendUint32(w.b, optActions)
	w.b = binary.BigEndian.AppendUint32(w.b, proto)
	w.end(at)
	return proto
}

// cString is data up to its first NUL (all of it without one).
func cString(data []byte) []byte {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return data[:i]
	}
	return data
}

// trimNUL strips NULs at both ends.
func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// trimAngle strips '<' and '>' at both ends.
func trimAngle(b []byte) []byte {
	for len(b) > 0 && (b[0] == '<' || b[0] == '>') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == '<' || b[len(b)-1] == '>') {
		b = b[:len(b)-1]
	}
	return b
}

// eachMacro calls fn for each name/value pair of a SMFIC_MACRO payload
// (after the stage byte): NUL-separated strings, NULs at the ends
// ignored, a last name without a value gets "".
func eachMacro(data []byte, fn func(name, value []byte)) {
	if len(data) == 0 {
		return
	}
	data = trimNUL(data)
	if len(data) == 0 { // only NULs: one empty name
		fn(nil, nil)
		return
	}
	for {
		name, rest, ok := bytes.Cut(data, nul)
		if !ok {
			fn(name, nil)
			return
		}
		value, rest2, ok := bytes.Cut(rest, nul)
		fn(name, value)
		if !ok {
			return
		}
		data = rest2
	}
}

// nul separates a milter payload's strings.
var nul = []byte{0}

// headerField splits a SMFIC_HEADER payload: NULs at the ends are ignored,
// then one NUL separates name and value; no NUL is a name with an empty
// value; more than one, or an empty payload, is not a field (ok false).
func headerField(data []byte) (name, value []byte, ok bool) {
	if len(data) == 0 {
		return nil, nil, false
	}
	data = trimNUL(data)
	name, value, found := bytes.Cut(data, nul)
	if !found {
		return data, nil, true
	}
	if bytes.IndexByte(value, 0) >= 0 {
		return nil, nil, false
	}
	return name, value, true
}
