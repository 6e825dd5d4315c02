package jsonw

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

var strs = []string{
	"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>", "\x00\x01\x07\b\f\n\r\t\x1f\x7f",
	"日本語の説明です。", "bad \xff\xfe utf8 \xe3\x81", "line\u2028sep\u2029para", "emoji 😀 and \U0010FFFF",
	"\xed\xa0\x80 surrogate", "tail lead \xe3", "…", "a\x00b",
}

var floats = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1.0 / 3, 5.25, -12.75, 1e-6, 9.99e-7, 1e-7, 1.5e-10,
	1e20, 1e21, 1.2345e22, -3e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789.125}

func checkString(t *testing.T, s string) {
	want, _ := json.Marshal(s)
	if got := AppendString(nil, s); !bytes.Equal(got, want) {
		t.Fatalf("string %q: got %s want %s", s, got, want)
	}
}

func checkFloat(t *testing.T, f float64) {
	want, err := json.Marshal(f)
	got, ok := AppendFloat(nil, f)
	if ok != (err == nil) || ok && !bytes.Equal(got, want) {
		t.Fatalf("float %v: got %s %v want %s %v", f, got, ok, want, err)
	}
}

func TestMatchesMarshal(t *testing.T) {
	for _, s := range strs {
		checkString(t, s)
	}
	for _, f := range append(floats, math.NaN(), math.Inf(1), math.Inf(-1)) {
		checkFloat(t, f)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range strs {
		f.Add(s)
	}
	f.Fuzz(checkString)
}

func FuzzAppendFloat(f *testing.F) {
	for _, x := range floats {
		f.Add(x)
	}
	f.Fuzz(checkFloat)
}

func checkStrings(t *testing.T, ss []string, m map[string]string) {
	want, _ := json.Marshal(ss)
	if got := AppendStrings(nil, ss); !bytes.Equal(got, want) {
		t.Fatalf("strings %q: got %s want %s", ss, got, want)
	}
	want, _ = json.Marshal(m)
	if got := AppendStringMap(nil, m); !bytes.Equal(got, want) {
		t.Fatalf("map %q: got %s want %s", m, got, want)
	}
}

// TestCollectionsMatchMarshal: string lists and string maps (nil, empty,
// more keys than the stack buffer, keys that sort differently once
// escaped) as encoding/json writes them.
func TestCollectionsMatchMarshal(t *testing.T) {
	checkStrings(t, nil, nil)
	checkStrings(t, []string{}, map[string]string{})
	m := map[string]string{}
	for i, s := range strs {
		m[s] = strs[(i+1)%len(strs)]
	}
	for i := range 40 {
		m[string(rune('a'+i%26))+strs[i%len(strs)]] = strs[i%len(strs)]
	}
	checkStrings(t, strs, m)
}

func FuzzAppendCollections(f *testing.F) {
	f.Add("a", "b", "<&>")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		checkStrings(t, []string{a, b, c}, map[string]string{a: b, b: c, c: a})
	})
}
