package quarantine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// oldColumns is how build encoded the JSON columns before encodeColumns:
// the reference encodeColumns must match byte for byte.
func oldColumns(r *pipeline.Result) (string, string, string) {
	m := &Message{}
	if r != nil {
		m.Verdict = r.Verdict
		m.Attachments = r.Verdict.Attachments
		seen := map[string]bool{}
		for _, u := range r.URLs {
			if len(m.URLs) >= maxURLsKept {
				break
			}
			key := u.Raw + "\x00" + u.Source + "\x00" + u.Anchor
			if seen[key] {
				continue
			}
			seen[key] = true
			h := sha256.Sum256([]byte(u.Raw))
			m.URLs = append(m.URLs, URLInfo{URL: u.Raw, Host: u.Host, Source: u.Source, Anchor: trim(u.Anchor, 300), Part: u.Part, Hidden: u.Hidden, SHA256: hex.EncodeToString(h[:])})
		}
	}
	vb, _ := json.Marshal(m.Verdict)
	ub, _ := json.Marshal(m.URLs)
	ab, _ := json.Marshal(m.Attachments)
	return string(vb), string(ub), string(ab)
}

// checkColumns fails t when encodeColumns differs from oldColumns.
func checkColumns(t testing.TB, r *pipeline.Result) {
	t.Helper()
	v, u, a := encodeColumns(r)
	ov, ou, oa := oldColumns(r)
	if v != ov {
		t.Fatalf("verdict column differs:\n new %q\n old %q", v, ov)
	}
	if u != ou {
		t.Fatalf("urls column differs:\n new %q\n old %q", u, ou)
	}
	if a != oa {
		t.Fatalf("attachments column differs:\n new %q\n old %q", a, oa)
	}
}

// nasty are strings that exercise every escape of encoding/json.
var nasty = []string{
	"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>", "\x00\x01\x07\b\f\n\r\t\x1f\x7f",
	"日本語の説明です。", "bad \xff\xfe utf8 \xe3\x81", "line\u2028sep\u2029para", "emoji 😀 and \U0010FFFF",
	"\xed\xa0\x80 surrogate", "tail lead \xe3", "…", "a\x00b",
}

var floats = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1.0 / 3, 5.25, -12.75, 1e-6, 9.99e-7, 1e-7, 1.5e-10,
	1e20, 1e21, 1.2345e22, -3e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789.125}

func sampleVerdict(rng *rand.Rand) pipeline.Verdict {
	pick := func() string { return nasty[rng.IntN(len(nasty))] }
	v := pipeline.Verdict{Action: pipeline.Action(pick()), Category: pipeline.Category(pick()),
		Score: floats[rng.IntN(len(floats))], RequiredScore: floats[rng.IntN(len(floats))],
		Explanation: pick(), ExplanationJA: pick(), Reason: pick(), SubjectPrefix: pick(), OutboundHold: rng.IntN(2) == 0}
	switch rng.IntN(3) {
	case 0:
	case 1:
		v.Symbols = []pipeline.SymbolResult{}
	default:
		for range rng.IntN(6) + 1 {
			s := pipeline.SymbolResult{Name: pick(), Score: floats[rng.IntN(len(floats))], Category: pipeline.Category(pick()), EN: pick(), JA: pick()}
			switch rng.IntN(3) {
			case 1:
				s.Options = []string{}
			case 2:
				s.Options = []string{pick(), pick()}
			}
			v.Symbols = append(v.Symbols, s)
		}
	}
	switch rng.IntN(3) {
	case 1:
		v.Attachments = []pipeline.AttachmentInfo{}
	case 2:
		v.Attachments = []pipeline.AttachmentInfo{{Path: pick(), Name: pick(), DeclaredType: pick(), DetectedType: pick(), Size: rng.Int64N(1 << 40), SHA256: pick(), Encrypted: rng.IntN(2) == 0}, {}}
	}
	switch rng.IntN(4) {
	case 1:
		v.Auth = &pipeline.AuthResults{ServID: pick()}
	case 2:
		v.Auth = &pipeline.AuthResults{ServID: pick(), Methods: []pipeline.AuthMethod{}}
	case 3:
		v.Auth = &pipeline.AuthResults{ServID: pick(), Methods: []pipeline.AuthMethod{
			{Method: pick(), Result: pick()},
			{Method: pick(), Result: pick(), Props: map[string]string{}},
			{Method: pick(), Result: pick(), Props: map[string]string{pick(): pick(), pick(): pick(), "smtp.mailfrom": pick(), "header.d": pick(), "<b>": pick()}},
		}}
	}
	if rng.IntN(2) == 0 {
		v.Headers = []pipeline.HeaderField{{Name: pick(), Value: pick()}}
	}
	switch rng.IntN(3) {
	case 1:
		v.TempfailReasons = []string{}
	case 2:
		v.TempfailReasons = []string{pick(), pick()}
	}
	return v
}

func sampleURLs(rng *rand.Rand, n int) []mail.URL {
	pick := func() string { return nasty[rng.IntN(len(nasty))] }
	var us []mail.URL
	for range n {
		u := mail.URL{Raw: "https://x.example/" + pick(), Host: pick(), Source: pick(), Anchor: pick(), Part: pick(), Hidden: rng.IntN(2) == 0}
		if rng.IntN(5) == 0 {
			u.Anchor = strings.Repeat("あ", 50+rng.IntN(100)) + pick() // trimmed at 300 bytes
		}
		us = append(us, u)
		if rng.IntN(4) == 0 {
			us = append(us, u) // a duplicate
		}
	}
	return us
}

func TestEncodeColumnsMatchesMarshal(t *testing.T) {
	checkColumns(t, nil)
	checkColumns(t, &pipeline.Result{})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		r := &pipeline.Result{Verdict: sampleVerdict(rng)}
		if i%3 != 0 {
			r.URLs = sampleURLs(rng, rng.IntN(8))
		}
		checkColumns(t, r)
	}
	// Around the 16 links told apart without a map, duplicates among
	// them.
	for i := range 400 {
		us := sampleURLs(rng, 10+i%10)
		for len(us) > 14+i%5 {
			us = us[:len(us)-1]
		}
		us = append(us, us[i%len(us)])
		checkColumns(t, &pipeline.Result{URLs: us})
	}
	// Over maxURLsKept links, duplicates among them.
	r := &pipeline.Result{Verdict: sampleVerdict(rng), URLs: sampleURLs(rng, 700)}
	checkColumns(t, r)
	// Keys that hold NULs: joined, "a\x00b"+""+"" equals "a"+"b"+"".
	r = &pipeline.Result{URLs: []mail.URL{{Raw: "a\x00b"}, {Raw: "a", Source: "b"}, {Raw: "a", Source: "b\x00"}, {Raw: "a\x00b\x00"}, {Raw: "a\x00b\x00"}, {Raw: "a"}, {Raw: "a"}}}
	checkColumns(t, r)
	// Values json.Marshal refuses.
	for _, f := range []float64{math.NaN(), math.Inf(1)} {
		checkColumns(t, &pipeline.Result{Verdict: pipeline.Verdict{Score: f}})
		checkColumns(t, &pipeline.Result{Verdict: pipeline.Verdict{Symbols: []pipeline.SymbolResult{{Name: "X", Score: f}}}})
	}
}

func checkRcpts(t testing.TB, rs []string) {
	t.Helper()
	want := ""
	if len(rs) > 0 {
		b, _ := json.Marshal(rs)
		want = string(b)
	}
	if got := encodeRcpts(rs); got != want {
		t.Fatalf("encodeRcpts(%q) = %q, want %q", rs, got, want)
	}
}

func TestEncodeRcptsMatchesMarshal(t *testing.T) {
	checkRcpts(t, nil)
	checkRcpts(t, []string{})
	checkRcpts(t, nasty)
	for _, s := range nasty {
		checkRcpts(t, []string{s})
	}
}

// FuzzEncodeColumns compares encodeColumns with json.Marshal on verdicts
// and links made of fuzzed strings and numbers.
func FuzzEncodeColumns(f *testing.F) {
	for _, s := range nasty {
		f.Add(s, s, 1.5, uint64(1))
	}
	f.Fuzz(func(t *testing.T, a, b string, score float64, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 7))
		v := sampleVerdict(rng)
		v.Explanation, v.Reason, v.Score = a, b, score
		if len(v.Symbols) > 0 {
			v.Symbols[0].Name, v.Symbols[0].EN = b, a
			v.Symbols[0].Options = []string{a, b}
		}
		if v.Auth != nil && len(v.Auth.Methods) > 2 {
			v.Auth.Methods[2].Props[a] = b
		}
		us := sampleURLs(rng, 3)
		us = append(us, mail.URL{Raw: a, Anchor: b, Source: a}, mail.URL{Raw: a + "\x00" + b}, mail.URL{Raw: a, Source: b})
		checkColumns(t, &pipeline.Result{Verdict: v, URLs: us})
		checkRcpts(t, []string{a, b})
	})
}

// TestJSONTypesUnchanged fails when a type the columns hold gains, loses
// or renames a field: the encoder in jsonenc.go must follow.
func TestJSONTypesUnchanged(t *testing.T) {
	want := map[reflect.Type]string{
		reflect.TypeFor[pipeline.Verdict]():        `Action:json:"action" Category:json:"category" Score:json:"score" RequiredScore:json:"required_score" Symbols:json:"symbols" Explanation:json:"explanation" ExplanationJA:json:"explanation_ja" Reason:json:"reason" SubjectPrefix:json:"subject_prefix,omitempty" Attachments:json:"attachments,omitempty" Auth:json:"auth,omitempty" Headers:json:"headers,omitempty" TempfailReasons:json:"tempfail_reasons,omitempty" OutboundHold:json:"outbound_hold,omitempty"`,
		reflect.TypeFor[pipeline.SymbolResult]():   `Name:json:"name" Score:json:"score" Options:json:"options" Category:json:"category,omitempty" EN:json:"description,omitempty" JA:json:"description_ja,omitempty"`,
		reflect.TypeFor[pipeline.AttachmentInfo](): `Path:json:"path" Name:json:"name" DeclaredType:json:"declared_type,omitempty" DetectedType:json:"detected_type,omitempty" Size:json:"size" SHA256:json:"sha256" Encrypted:json:"encrypted,omitempty"`,
		reflect.TypeFor[pipeline.AuthResults]():    `ServID:json:"authserv_id" Methods:json:"methods,omitempty"`,
		reflect.TypeFor[pipeline.AuthMethod]():     `Method:json:"method" Result:json:"result" Props:json:"props,omitempty"`,
		reflect.TypeFor[pipeline.HeaderField]():    `Name:json:"name" Value:json:"value"`,
		reflect.TypeFor[URLInfo]():                 `URL:json:"url" Host:json:"host,omitempty" Source:json:"source,omitempty" Anchor:json:"anchor,omitempty" Part:json:"part,omitempty" Hidden:json:"hidden,omitempty" SHA256:json:"sha256"`,
	}
	for rt, w := range want {
		var parts []string
		for i := range rt.NumField() {
			f := rt.Field(i)
			parts = append(parts, fmt.Sprintf("%s:%s", f.Name, f.Tag))
		}
		if got := strings.Join(parts, " "); got != w {
			t.Errorf("%s changed: update jsonenc.go and this test\n got  %s\n want %s", rt, got, w)
		}
	}
	// The kinds the encoder assumes.
	for _, k := range []reflect.Kind{reflect.TypeOf(pipeline.Action("")).Kind(), reflect.TypeOf(pipeline.Category("")).Kind()} {
		if k != reflect.String {
			t.Errorf("kind %s, want string", k)
		}
	}
	for _, typ := range []reflect.Type{reflect.TypeOf(pipeline.Verdict{}), reflect.TypeOf(pipeline.Action("")), reflect.TypeOf(pipeline.Category(""))} {
		if typ.Implements(reflect.TypeOf((*json.Marshaler)(nil)).Elem()) || reflect.PointerTo(typ).Implements(reflect.TypeOf((*json.Marshaler)(nil)).Elem()) {
			t.Errorf("%s marshals itself: jsonenc.go must follow", typ)
		}
	}
}
