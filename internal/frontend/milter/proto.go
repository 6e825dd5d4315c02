package milter

// The milter wire protocol, sekisho's side (the filter). Every packet is a
// 32-bit big-endian length, a command or reply byte, and the payload. The
// server negotiates protocol version 2 with no steps suppressed (what
// go-milter's server said before this loop replaced it), reads one command
// at a time into a buffer it reuses, and writes the modifications and the
// final reply of a message in one write.

import (
	"bufio"
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

// Negotiated options: SMFIF_ADDHDRS | SMFIF_CHGBODY | SMFIF_DELRCPT |
// SMFIF_CHGHDRS | SMFIF_QUARANTINE, every protocol step wanted.
const (
	protoVersion = 2
	optActions   = 1<<0 | 1<<1 | 1<<3 | 1<<4 | 1<<5
	optProtocol  = 0
)

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
}

// next returns the next command and its payload, valid until the next call.
func (r *reader) next() (byte, []byte, error) {
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

// negotiate is the reply to SMFIC_OPTNEG.
func (w *writer) negotiate() {
	at := w.start(cmdOptNeg)
	w.b = binary.BigEndian.AppendUint32(w.b, protoVersion)
	w.b = binary.BigEndian.AppendUint32(w.b, optActions)
	w.b = binary.BigEndian.AppendUint32(w.b, optProtocol)
	w.end(at)
}

// cString is data up to its first NUL (all of it without one).
func cString(data []byte) []byte {
	for i, c := range data {
		if c == 0 {
			return data[:i]
		}
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
		name, rest, ok := cut(data)
		if !ok {
			fn(name, nil)
			return
		}
		value, rest2, ok := cut(rest)
		fn(name, value)
		if !ok {
			return
		}
		data = rest2
	}
}

func cut(b []byte) (before, after []byte, found bool) {
	for i, c := range b {
		if c == 0 {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// headerField splits a SMFIC_HEADER payload: NULs at the ends are ignored,
// then one NUL separates name and value; no NUL is a name with an empty
// value; more than one, or an empty payload, is not a field (ok false).
func headerField(data []byte) (name, value []byte, ok bool) {
	if len(data) == 0 {
		return nil, nil, false
	}
	data = trimNUL(data)
	name, value, found := cut(data)
	if !found {
		return data, nil, true
	}
	for _, c := range value {
		if c == 0 {
			return nil, nil, false
		}
	}
	return name, value, true
}
