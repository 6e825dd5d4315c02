package action

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/auth/arc"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
	"github.com/sekisho/sekisho/internal/pipeline"
)

func TestSealerSeal(t *testing.T) {
	srv := dnstest.Start(t)
	key, _ := srv.DKIMKey(t, "arc1", "gw.example.jp")
	dns := srv.Resolver(t)
	s := &Sealer{Domain: "gw.example.jp", Selector: "arc1", Key: key}
	raw := []byte("From: a@partner.example\r\nTo: b@example.jp\r\nSubject: hello\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\nMessage-ID: <x@partner.example>\r\n\r\nbody\r\n")
	subj := "[spam] hello"
	o := &Outcome{Action: pipeline.ActionTag, NewSubject: &subj, Headers: []pipeline.HeaderField{
		{Name: "Authentication-Results", Value: Fold("Authentication-Results", "mx.example.jp; spf=pass smtp.mailfrom=partner.example; dkim=none; dmarc=none header.from=partner.example")}}}
	hs, err := s.Seal(raw, o, "host.example.jp")
	if err != nil || len(hs) != 3 {
		t.Fatalf("%v %v", hs, err)
	}
	final := ApplyToMessage(raw, append(hs, o.Headers...), o.NewSubject, nil)
	res := arc.Verify(context.Background(), dns, final)
	if res.Status != arc.Pass {
		t.Fatalf("seal does not verify: %+v\n%s", res, final)
	}
	if aar := hs[2].Value; hs[2].Name != "ARC-Authentication-Results" || !strings.Contains(aar, "mx.example.jp;") || !strings.Contains(aar, "spf=pass") {
		t.Errorf("AAR %q", aar)
	}
	// A second hop seals on top: cv=pass from the verdict's typed ARC
	// result (the auth analyzer's "arc" method; it also reports ARC_PASS).
	arcResult := func(r string) *pipeline.Result {
		return &pipeline.Result{Verdict: pipeline.Verdict{Symbols: []pipeline.SymbolResult{{Name: "ARC_" + strings.ToUpper(r)}},
			Auth: &pipeline.AuthResults{ServID: "mx.example.jp", Methods: []pipeline.AuthMethod{{Method: "spf", Result: "pass"}, {Method: "arc", Result: r}}}}}
	}
	o2 := &Outcome{Action: pipeline.ActionAccept, Result: arcResult("pass")}
	hs2, err := s.Seal(final, o2, "relay.example.jp")
	if err != nil || len(hs2) != 3 || !strings.Contains(hs2[0].Value, "cv=pass") || !strings.Contains(hs2[0].Value, "i=2") {
		t.Fatalf("second set: %v %v", hs2, err)
	}
	if res := arc.Verify(context.Background(), dns, ApplyToMessage(final, hs2, nil, nil)); res.Status != arc.Pass {
		t.Fatalf("two sets: %+v", res)
	}
	// A chain that failed verification is sealed with cv=fail.
	if hs4, err := s.Seal(final, &Outcome{Action: pipeline.ActionAccept, Result: arcResult("fail")}, "x"); err != nil || len(hs4) != 3 || !strings.Contains(hs4[0].Value, "cv=fail") {
		t.Fatalf("failed chain: %v %v", hs4, err)
	}
	// A symbol alone, without the typed result, judges nothing.
	onlySym := &pipeline.Result{Verdict: pipeline.Verdict{Symbols: []pipeline.SymbolResult{{Name: "ARC_PASS"}}}}
	if hs5, err := s.Seal(final, &Outcome{Action: pipeline.ActionAccept, Result: onlySym}, "x"); hs5 != nil || err != nil {
		t.Fatalf("sealed on a symbol name: %v %v", hs5, err)
	}
	// An incoming chain nobody judged (auth checks off): no seal.
	if hs3, err := s.Seal(final, &Outcome{Action: pipeline.ActionAccept}, "x"); hs3 != nil || err != nil {
		t.Fatalf("sealed an unjudged chain: %v %v", hs3, err)
	}
}

func TestParseSigningKey(t *testing.T) {
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	p1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	b8, _ := x509.MarshalPKCS8PrivateKey(k)
	p8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b8})
	for _, p := range [][]byte{p1, p8} {
		if _, err := ParseSigningKey(p); err != nil {
			t.Error(err)
		}
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	be, _ := x509.MarshalPKCS8PrivateKey(ed)
	for _, p := range [][]byte{
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: be}),
		[]byte("not pem"),
	} {
		if _, err := ParseSigningKey(p); err == nil {
			t.Errorf("accepted %.30q", p)
		}
	}
}
