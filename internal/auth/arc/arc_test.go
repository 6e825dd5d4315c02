package arc_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/auth/arc"
	"github.com/sekisho/sekisho/internal/auth/dkim"
	"github.com/sekisho/sekisho/internal/dns"
	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

const message = "From: Taro <taro@example.jp>\r\n" +
	"To: list@lists.example.org\r\n" +
	"Subject: ARC test\r\n" +
	"Date: Mon, 10 Mar 2025 10:00:00 +0900\r\n" +
	"Message-ID: <arc1@example.jp>\r\n" +
	"\r\n" +
	"Hello,\r\nthis crosses three forwarders.\r\n"

type hop struct {
	domain, selector string
	key              crypto.Signer
}

func setup(t *testing.T) (*dnstest.Server, *dns.Resolver, []hop) {
	t.Helper()
	srv := dnstest.Start(t)
	r, err := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	_, ek, _ := ed25519.GenerateKey(rand.Reader)
	srv.TXT(t, "arc._domainkey.lists.example.org", "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der))
	srv.TXT(t, "s2._domainkey.forwarder.example.net", "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(ek.Public().(ed25519.PublicKey)))
	srv.TXT(t, "arc._domainkey.mx.example.com", "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der))
	hops := []hop{{"lists.example.org", "arc", rk}, {"forwarder.example.net", "s2", ek}, {"mx.example.com", "arc", rk}}
	return srv, r, hops
}

func seal(t *testing.T, msg string, h hop, cv arc.Status) string {
	t.Helper()
	sets, err := arc.Seal([]byte(msg), arc.SealOptions{Domain: h.domain, Selector: h.selector, Signer: h.key,
		AuthServID: h.domain, Results: "spf=pass smtp.mailfrom=example.jp; dkim=pass header.d=example.jp", CV: cv})
	if err != nil {
		t.Fatal(err)
	}
	return sets + msg
}

// TestLoopbackDNS seals chains of 1 to 3 sets with generated keys served
// by a real DNS server on loopback and verifies them, then breaks them.
func TestLoopbackDNS(t *testing.T) {
	srv, r, hops := setup(t)
	ctx := context.Background()
	verify := func(name, msg string, want arc.Status, sets int) arc.Result {
		t.Helper()
		res := arc.Verify(ctx, r, []byte(msg))
		if res.Status != want || len(res.Sets) != sets {
			t.Errorf("%s: %s with %d sets (%s), want %s with %d", name, res.Status, len(res.Sets), res.Reason, want, sets)
		}
		return res
	}
	verify("no ARC", message, arc.None, 0)
	m1 := seal(t, message, hops[0], "")
	verify("one set", m1, arc.Pass, 1)
	m2 := seal(t, m1, hops[1], "")
	verify("two sets", m2, arc.Pass, 2)
	m3 := seal(t, m2, hops[2], "")
	res := verify("three sets", m3, arc.Pass, 3)
	if res.OldestPass != 1 {
		t.Errorf("three sets: oldest-pass %d, want 1", res.OldestPass)
	}
	if d := strings.Join(res.Domains(), ","); d != "lists.example.org,forwarder.example.net,mx.example.com" {
		t.Errorf("domains %s", d)
	}
	// LF line ends (stored file).
	verify("LF", strings.ReplaceAll(m3, "\r\n", "\n"), arc.Pass, 3)

	// A forwarder that changes the body (list footer) and seals again: the
	// chain passes, but the oldest AMS no longer verifies.
	changed := strings.Replace(m1, "forwarders.\r\n", "forwarders.\r\n-- \r\nlist footer\r\n", 1)
	m2b := seal(t, changed, hops[1], "")
	res = verify("modified then sealed", m2b, arc.Pass, 2)
	if res.OldestPass != 2 {
		t.Errorf("modified then sealed: oldest-pass %d, want 2", res.OldestPass)
	}

	// Broken chains.
	verify("body changed after last seal", strings.Replace(m3, "three forwarders", "3 forwarders", 1), arc.Fail, 3)
	tampered := strings.Replace(m3, "ARC-Authentication-Results: i=1; lists.example.org; spf=pass", "ARC-Authentication-Results: i=1; lists.example.org; spf=fail", 1)
	res = verify("AAR of instance 1 tampered", tampered, arc.Fail, 3)
	if res.FailedInstance == 0 {
		t.Errorf("tampered: no failed instance")
	}
	// A missing set member.
	lines := strings.SplitAfter(m3, "\r\n")
	var missing strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(l, "ARC-Seal: i=2;") {
			continue
		}
		missing.WriteString(l)
	}
	verify("missing ARC-Seal i=2", missing.String(), arc.Fail, 0)
	// A seal that says the chain already failed.
	verify("cv=fail", seal(t, m2, hops[2], arc.Fail), arc.Fail, 3)
	// Wrong cv on instance 2.
	verify("cv=none on instance 2", seal(t, m1, hops[1], arc.None), arc.Fail, 2)
	// Key gone, and key lookup failing temporarily.
	srv.Remove("s2._domainkey.forwarder.example.net")
	rNoCache, _ := dns.New(dns.Config{Servers: []string{srv.Addr}, Timeout: 1500 * time.Millisecond, CacheEntries: -1})
	if res := arc.Verify(ctx, rNoCache, []byte(m3)); res.Status != arc.Fail {
		t.Errorf("missing key: %s (%s)", res.Status, res.Reason)
	}
	srv.ServFail("s2._domainkey.forwarder.example.net")
	if res := arc.Verify(ctx, rNoCache, []byte(m2)); res.Status != arc.TempError {
		t.Errorf("servfail key: %s (%s)", res.Status, res.Reason)
	}
}

func TestCollectSets(t *testing.T) {
	fields := []dkim.Field{
		{Name: "ARC-Seal", Raw: "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x; s=y; b=\r\n"},
		{Name: "ARC-Message-Signature", Raw: "ARC-Message-Signature: i=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=\r\n"},
		{Name: "ARC-Authentication-Results", Raw: "ARC-Authentication-Results: i=1; x; spf=pass\r\n"},
	}
	sets, err := arc.CollectSets(fields)
	if err != nil || len(sets) != 1 || sets[0].AuthResults != "x; spf=pass" {
		t.Fatalf("%+v %v", sets, err)
	}
	dup := append(fields, dkim.Field{Name: "ARC-Seal", Raw: "ARC-Seal: i=1; cv=none\r\n"})
	if _, err := arc.CollectSets(dup); err == nil {
		t.Error("duplicate instance accepted")
	}
	gap := append(fields[:3:3], dkim.Field{Name: "ARC-Seal", Raw: "ARC-Seal: i=3; cv=pass\r\n"})
	if _, err := arc.CollectSets(gap); err == nil {
		t.Error("gap accepted")
	}
	if _, err := arc.CollectSets([]dkim.Field{{Name: "ARC-Seal", Raw: "ARC-Seal: i=51; cv=pass\r\n"}}); err == nil {
		t.Error("instance 51 accepted")
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA\r\nARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=x.example; s=s; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\nARC-Authentication-Results: i=1; x.example; spf=pass\r\nFrom: a@b\r\n\r\nbody\r\n")
	f.Add("ARC-Seal: i=2; cv=pass\r\nARC-Seal: i=1; cv=none\r\n\r\n")
	f.Add("ARC-Authentication-Results: i=x\r\n\r\n")
	mock := &dns.Mock{TXT: map[string][]string{"s._domainkey.x.example": {"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"}}}
	f.Fuzz(func(t *testing.T, s string) {
		res := arc.Verify(context.Background(), mock, []byte(s))
		if res.Status == arc.Pass && len(res.Sets) == 0 {
			t.Fatal("pass without sets")
		}
		arc.ParseInstance(s)
	})
}

func BenchmarkVerify3Sets(b *testing.B) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	mock := &dns.Mock{TXT: map[string][]string{"arc._domainkey.a.example": {"v=DKIM1; p=" + base64.StdEncoding.EncodeToString(der)}}}
	msg := message
	for i := 0; i < 3; i++ {
		s, err := arc.Seal([]byte(msg), arc.SealOptions{Domain: "a.example", Selector: "arc", Signer: rk, AuthServID: "a.example", Results: "spf=pass"})
		if err != nil {
			b.Fatal(err)
		}
		msg = s + msg
	}
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := arc.Verify(context.Background(), mock, []byte(msg)); res.Status != arc.Pass {
			b.Fatal(res.Reason)
		}
	}
}
