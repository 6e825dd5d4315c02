package attach

import (
	"bytes"
	"testing"
)

// looksMessagePlain is looksMessage as it was: each field name looked
// for in a fresh lower-cased copy, twice per name, the colon test last.
func looksMessagePlain(b []byte) bool {
	head := b[:min(len(b), 4096)]
	if bytes.HasPrefix(head, []byte("From ")) {
		return bytes.Contains(head, []byte("\nFrom:")) || bytes.Contains(head, []byte("\nContent-Type:"))
	}
	n := 0
	for _, h := range []string{"from:", "to:", "subject:", "content-type:", "mime-version:", "message-id:", "date:", "received:", "return-path:"} {
		if bytes.HasPrefix(bytes.ToLower(head), []byte(h)) || bytes.Contains(bytes.ToLower(head), []byte("\n"+h)) {
			n++
		}
	}
	first := bytes.IndexByte(head, ':')
	return n >= 2 && first > 0 && first < 40 && !bytes.ContainsAny(head[:first], " \t<")
}

// FuzzLooksMessage compares looksMessage with the plain computation.
func FuzzLooksMessage(f *testing.F) {
	for _, s := range []string{
		"From: a@b\nSubject: x\n\nbody",
		"From a@b Mon Jan 1\nFrom: a\n",
		"Received: x\nDATE: y\n",
		"X-Foo: 1\nTo: a\nMessage-ID: <x>\n",
		"Subject with space: x\nto: y\n",
		"SUBJECT:x\nMİME-VERSION: 1\nReturn-Path: <>\n",
		"\xffSubject: x\nDate: y\n",
		strings4096(),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := looksMessage(b), looksMessagePlain(b); got != want {
			t.Fatalf("looksMessage(%q) = %v, plain %v", b, got, want)
		}
	})
}

func strings4096() string {
	return string(bytes.Repeat([]byte("a"), 4090)) + "\nFrom: x\nTo: y\n"
}

// FuzzPayloadPrecheck: containsFoldASCII is bytes.Contains on the
// lower-cased copy, and a page without payloadLits yields no payload.
func FuzzPayloadPrecheck(f *testing.F) {
	for _, s := range []string{"<a href=\"DATA:application/octet-stream;BASE64,TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA\">",
		"var b = new Blob([atob('TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAA')])", "AtOb", "bLoB", "base6", "data", ":", "", "b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		low := asciiLower(b)
		for _, lit := range append(payloadLits, ":", "x", "64", "da") {
			if got, want := containsFoldASCII(b, lit), bytes.Contains(low, []byte(lit)); got != want {
				t.Fatalf("containsFoldASCII(%q, %q) = %v, want %v", b, lit, got, want)
			}
		}
		if got, want := mayCarryPayload(b), mayCarryPayloadLits(b); got != want {
			t.Fatalf("mayCarryPayload(%q) = %v, want %v", b, got, want)
		}
		if !mayCarryPayload(b) {
			if out := htmlPayloadsPlain(b, 1<<20); len(out) != 0 {
				t.Fatalf("%q: no payload word, %d payloads", b, len(out))
			}
		}
	})
}

// htmlPayloadsPlain is htmlPayloads without the precheck.
func htmlPayloadsPlain(b []byte, maxBytes int64) []smuggled {
	var out []smuggled
	low := asciiLower(b)
	for _, u := range dataURIs(low, 1000) {
		if d := decodeB64(b[u.start:u.end], maxBytes); len(d) > 0 {
			out = append(out, smuggled{data: d})
		}
	}
	if !bytes.Contains(low, []byte("atob")) && !bytes.Contains(low, []byte("blob")) && !bytes.Contains(low, []byte("base64")) {
		return out
	}
	for _, lit := range base64Literals(b, 1000) {
		if d := decodeB64(bytes.ReplaceAll(lit, []byte(`\n`), nil), maxBytes); len(d) > 0 {
			out = append(out, smuggled{data: d})
		}
	}
	return out
}

// mayCarryPayloadLits is mayCarryPayload as it was: a search per word of
// payloadLits (the reference of the one pass for "atob" and "blob").
func mayCarryPayloadLits(b []byte) bool {
	for _, lit := range payloadLits {
		if containsFoldASCII(b, lit) {
			return true
		}
	}
	return false
}

// TestContainsAtobBlob: the one pass for "atob" and "blob" answers as a
// search per word, with the b at offsets 0-3 and at the end, in mixed
// case, overlapping ("atoblob", "blobatob"), cut short, and with bytes
// >= 0x80 that fold to nothing.
func TestContainsAtobBlob(t *testing.T) {
	for _, s := range []string{"", "b", "B", "ob", "lob", "tob", "blob", "BLOB", "bLoB", "atob", "ATOB", "aToB",
		"xblob", "xxblob", "xatob", "atoblob", "blobatob", "atoblo", "atobl", "bloatob", "blo", "ato", "atoB", "bloB",
		"ab", "aab", "aaab", "aaaab", "bbbb", "BBBB", "at ob", "bl\x80b", "\xc1to\xe2", "\xe1tob", "blo\x00b", "abloB",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxatob",
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbBlOb"} {
		b := []byte(s)
		if got, want := containsAtobBlob(b), containsFoldASCII(b, "atob") || containsFoldASCII(b, "blob"); got != want {
			t.Errorf("containsAtobBlob(%q) = %v, want %v", s, got, want)
		}
		if got, want := mayCarryPayload(b), mayCarryPayloadLits(b); got != want {
			t.Errorf("mayCarryPayload(%q) = %v, want %v", s, got, want)
		}
	}
	// Every text of up to 5 bytes over the letters of the words.
	const abc = "atoblATOBLx\x80"
	var rec func(b []byte)
	rec = func(b []byte) {
		if got, want := containsAtobBlob(b), containsFoldASCII(b, "atob") || containsFoldASCII(b, "blob"); got != want {
			t.Fatalf("containsAtobBlob(%q) = %v, want %v", b, got, want)
		}
		if len(b) == 5 {
			return
		}
		for i := range len(abc) {
			rec(append(b, abc[i]))
		}
	}
	rec(make([]byte, 0, 5))
}
