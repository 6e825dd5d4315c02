package action

import (
	"testing"

	"github.com/sekisho/sekisho/internal/auth/authres"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// authResultsPlain is what AuthenticationResults wrote before: the
// methods as go-msgauth generic results, through authres.Format.
func authResultsPlain(a *pipeline.AuthResults) string {
	rs := make([]authres.Result, 0, len(a.Methods))
	for _, m := range a.Methods {
		rs = append(rs, &authres.Generic{Method: m.Method, Value: authres.Value(m.Result), Params: m.Props})
	}
	return authres.Format(a.ServID, rs)
}

var authResultsCases = []*pipeline.AuthResults{
	{ServID: "mx.example.jp"},
	{ServID: "mx.example.jp", Methods: []pipeline.AuthMethod{
		{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "user@example.com"}},
		{Method: "dkim", Result: "fail", Props: map[string]string{"header.d": "example.com", "header.s": "sel", "reason": "signature did not verify", "header.b": "abc+/="}},
		{Method: "dmarc", Result: "none", Props: map[string]string{"header.from": "例え.jp", "policy.dmarc": ""}},
		{Method: "arc", Result: "pass", Props: nil},
		{Method: "iprev", Result: "temperror", Props: map[string]string{"reason": `say "hi"`, "smtp.remote-ip": "2001:db8::1", "policy.iprev": "(x)"}},
		{Method: "auth", Result: "pass", Props: map[string]string{"smtp.auth": "tanaka\x00x", "x": "a\xffb", "y": "a b", "z": "é\tù", "reason": "ok"}},
	}},
	{ServID: "", Methods: []pipeline.AuthMethod{{}}},
}

func TestAuthenticationResultsMatchFormat(t *testing.T) {
	for i, a := range authResultsCases {
		if got, want := AuthenticationResults(a), authResultsPlain(a); got != want {
			t.Errorf("case %d:\n got %q\nwant %q", i, got, want)
		}
	}
}

func TestAuthenticationResultsAllocs(t *testing.T) {
	a := authResultsCases[1]
	if n := testing.AllocsPerRun(100, func() { _ = AuthenticationResults(a) }); n > 1 {
		t.Fatalf("%v allocations, want 1", n)
	}
}

// FuzzAuthenticationResults compares AuthenticationResults with
// authres.Format on arbitrary methods, results and properties.
func FuzzAuthenticationResults(f *testing.F) {
	f.Add("mx.example.jp", "spf", "pass", "smtp.mailfrom", "a@b.c", "reason", "x y", "header.d", `q"`)
	f.Add("", "", "", "", "", "", "", "", "")
	f.Add("id", "dkim", "fail", "header.i", "@例え.jp", "reason", "", "k", "\xff()")
	f.Fuzz(func(t *testing.T, id, method, result, k1, v1, k2, v2, k3, v3 string) {
		props := map[string]string{k1: v1, k2: v2, k3: v3}
		a := &pipeline.AuthResults{ServID: id, Methods: []pipeline.AuthMethod{
			{Method: method, Result: result, Props: props},
			{Method: result, Result: method, Props: map[string]string{v1: k1, "reason": v2}},
			{Method: "arc", Result: v3},
		}}
		if got, want := AuthenticationResults(a), authResultsPlain(a); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// BenchmarkAuthenticationResults is the field of a message with SPF,
// DKIM, DMARC and ARC results; .../plain is go-msgauth's formatter.
func BenchmarkAuthenticationResults(b *testing.B) {
	a := &pipeline.AuthResults{ServID: "mx.example.jp", Methods: []pipeline.AuthMethod{
		{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "news@example.com"}},
		{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "example.com", "header.s": "s1", "header.i": "@example.com"}},
		{Method: "dmarc", Result: "pass", Props: map[string]string{"header.from": "example.com", "policy.dmarc": "reject"}},
		{Method: "arc", Result: "none"},
	}}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = AuthenticationResults(a)
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = authResultsPlain(a)
		}
	})
}
