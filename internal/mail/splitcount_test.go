package mail

import (
	"bytes"
	"testing"
)

// splitHeaderCount is splitHeader then countFields on its header: the
// oracle.
func checkSplitHeaderCount(t *testing.T, raw []byte) {
	t.Helper()
	hdr, body, nf, folded := splitHeaderCount(raw)
	wh, wb := splitHeader(raw)
	wn, wf := countFields(wh)
	if !bytes.Equal(hdr, wh) || !bytes.Equal(body, wb) || (hdr == nil) != (wh == nil) || (body == nil) != (wb == nil) ||
		len(hdr) > 0 && &hdr[0] != &wh[0] || len(body) > 0 && &body[0] != &wb[0] || nf != wn || folded != wf {
		t.Fatalf("splitHeaderCount(%q) = %q, %q, %d, %d; want %q, %q, %d, %d", raw, hdr, body, nf, folded, wh, wb, wn, wf)
	}
}

var splitCountSeeds = []string{
	"", "\n", "\r\n", "a", "a\n", "a: b\n\nbody", "a: b\r\n\r\nbody", "a: b\r\n c\r\nd: e\r\n\r\nx",
	"a: b\n c\n\td\ne: f\n", "a: b\n\rx\n\n", "\rfoo\nbar: b\n \n\nbody", "a: b\n c", "a: b\n\r", "x\n\n",
	" folded first\nb: c\n\n", "a: b\n \r\n\r\n",
}

func TestSplitHeaderCount(t *testing.T) {
	for _, s := range splitCountSeeds {
		checkSplitHeaderCount(t, []byte(s))
	}
}

func FuzzSplitHeaderCount(f *testing.F) {
	for _, s := range splitCountSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSplitHeaderCount(t, []byte(s)) })
}
