package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

// rblZones serves the built-in lists' zones on a loopback DNS server with
// their documented return codes, refusal codes included.
func rblZones(t *testing.T) *dnstest.Server {
	t.Helper()
	s := dnstest.Start(t)
	s.Add(t,
		"2.10.33.45.zen.spamhaus.org. 300 IN A 127.0.0.2",
		"2.10.33.45.zen.spamhaus.org. 300 IN A 127.0.0.4",
		"2.10.33.45.bl.spamcop.net. 300 IN A 127.0.0.2",
		"254.10.33.45.zen.spamhaus.org. 300 IN A 127.255.255.254",
		"254.10.33.45.bl.spamcop.net. 300 IN A 203.0.113.9",
		"30.20.20.20.list.dnswl.org. 300 IN A 127.0.15.3",
		"phish-login.example.dbl.spamhaus.org. 300 IN A 127.0.1.4",
		"phish-login.example.multi.surbl.org. 300 IN A 127.0.0.8",
		"phish-login.example.multi.uribl.com. 300 IN A 127.0.0.2",
		"quota.example.dbl.spamhaus.org. 300 IN A 127.255.255.255",
		"quota.example.multi.surbl.org. 300 IN A 127.0.0.1",
		"quota.example.multi.uribl.com. 300 IN A 127.0.0.1",
	)
	s.ServFail("failing.example.dbl.spamhaus.org")
	s.ServFail("failing.example.multi.surbl.org")
	s.Silent("failing.example.multi.uribl.com")
	return s
}

func rblMsg(hopIP, linkHost, marker string) string {
	return strings.ReplaceAll(fmt.Sprintf(`Received: from client.example (client.example [%s]) by mx.example.jp with ESMTP id %s; Mon, 16 Nov 2026 10:00:00 +0900
From: <news@sender.example>
To: <yamada@example.jp>
Subject: %s
Date: Mon, 16 Nov 2026 10:00:00 +0900
Message-ID: <%s@sender.example>
MIME-Version: 1.0
Content-Type: text/html; charset=UTF-8

<p>Please <a href="https://www.%s/login?t=%s">sign in</a>.</p>
`, hopIP, marker, marker, marker, linkHost, marker), "\n", "\r\n")
}

// TestRBLScan scans stored files through the real binary against a
// loopback DNS server: the first untrusted Received hop and link domains
// produce each list's symbols; refusal codes, a rewritten answer, SERVFAIL
// and a silent server produce none.
func TestRBLScan(t *testing.T) {
	s := rblZones(t)
	dir := t.TempDir()
	msgs := filepath.Join(dir, "msgs")
	os.MkdirAll(msgs, 0o755)
	cases := map[string]struct {
		ip, link string
		want     []string
	}{
		"listed":  {"45.33.10.2", "phish-login.example", []string{"RBL_SPAMCOP", "RBL_SPAMHAUS_SBL", "RBL_SPAMHAUS_XBL", "URIBL_DBL_PHISH", "URIBL_SURBL_PH", "URIBL_URIBL_BLACK"}},
		"allowed": {"20.20.20.30", "clean.example", []string{"RWL_DNSWL_HI"}},
		"refused": {"45.33.10.254", "quota.example", nil},
		"failing": {"45.33.10.77", "failing.example", nil},
	}
	for name, c := range cases {
		os.WriteFile(filepath.Join(msgs, name+".eml"), []byte(rblMsg(c.ip, c.link, name)), 0o644)
	}
	cfg := filepath.Join(dir, "sekisho.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[general]
data_dir = %q
[auth]
trusted_relays = ["mx.example.jp"]
dns_servers = [%q]
[rbl]
enabled = true
dns_servers = [%q]
timeout = "300ms"
`, filepath.Join(dir, "data"), s.Addr, s.Addr)), 0o644)
	out := runCLI(t, "-c", cfg, "scan", "--json", msgs)
	got := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Subject string `json:"subject"`
			Symbols []struct {
				Name    string   `json:"name"`
				Options []string `json:"options"`
			} `json:"symbols"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got[r.Subject] = []string{}
		for _, sym := range r.Symbols {
			if strings.HasPrefix(sym.Name, "RBL_") || strings.HasPrefix(sym.Name, "RWL_") || strings.HasPrefix(sym.Name, "URIBL_") {
				got[r.Subject] = append(got[r.Subject], sym.Name)
				if sym.Name == "RBL_SPAMHAUS_SBL" && (len(sym.Options) != 1 || sym.Options[0] != "45.33.10.2 (received)") {
					t.Errorf("evidence %v", sym.Options)
				}
			}
		}
		sort.Strings(got[r.Subject])
	}
	for name, c := range cases {
		g := got[name]
		if len(g) == 0 {
			g = nil
		}
		if fmt.Sprint(g) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", name, g, c.want)
		}
	}
}

// TestRBLServe: the connecting client given by the Rspamd front end is
// asked, and /metrics counts queries, hits and errors per list.
func TestRBLServe(t *testing.T) {
	s := rblZones(t)
	dir := t.TempDir()
	p := ports{rspamd: freePort(t), console: freePort(t)}
	cfg := fmt.Sprintf(`
[general]
data_dir = %q
hostname = "sekisho.test"
[auth]
dns_servers = [%q]
[rbl]
enabled = true
dns_servers = [%q]
timeout = "300ms"
[serve.milter]
enabled = false
[serve.smtp]
enabled = false
[serve.spamd]
enabled = false
[serve.rspamd]
listen = "127.0.0.1:%d"
[serve.console]
listen = "127.0.0.1:%d"
`, filepath.Join(dir, "data"), s.Addr, s.Addr, p.rspamd, p.console)
	serveConfig(t, dir, cfg, p, sekishoBin(t))
	check := func(ip string, want ...string) {
		t.Helper()
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/checkv2", p.rspamd), strings.NewReader(rblMsg("198.51.100.1", "clean.example", "serve")))
		req.Header.Set("IP", ip)
		req.Header.Set("From", "news@sender.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var r struct {
			Symbols map[string]json.RawMessage `json:"symbols"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		var got []string
		for k := range r.Symbols {
			if strings.HasPrefix(k, "RBL_") || strings.HasPrefix(k, "RWL_") {
				got = append(got, k)
			}
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", ip, got, want)
		}
	}
	check("45.33.10.2", "RBL_SPAMCOP", "RBL_SPAMHAUS_SBL", "RBL_SPAMHAUS_XBL")
	check("45.33.10.254")
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", p.console))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`sekisho_list_hits_total{kind="dnsbl",list="zen"} 1`, `sekisho_list_errors_total{kind="dnsbl",list="zen"} 1`,
		`sekisho_list_queries_total{kind="dnsbl",list="zen"} 2`, `sekisho_list_errors_total{kind="dnsbl",list="spamcop"} 1`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func hblLabel(s string) string {
	h := sha256.Sum256([]byte(s))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:]))
}

// TestRBLScanHBLAndOthers: through the binary with a DQS key, HBL hashes
// of a Reply-To drop box, a wallet and an attachment, Spamhaus via DQS,
// Barracuda, Mailspike, UCEPROTECT and an administrator's list.
func TestRBLScanHBLAndOthers(t *testing.T) {
	s := dnstest.Start(t)
	key := "e2ekey42"
	z := key + ".hbl.dq.spamhaus.net."
	wallet := "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
	payload := "MZ this is not really a program"
	s.Add(t,
		hblLabel("dropbox@fraud.example")+"._email."+z+" 300 IN A 127.0.3.2",
		hblLabel(wallet)+"._cw."+z+" 300 IN A 127.0.3.20",
		hblLabel(payload)+"._file."+z+" 300 IN A 127.0.3.15",
		"3.10.33.45."+key+".zen.dq.spamhaus.net. 300 IN A 127.0.0.10",
		"3.10.33.45.b.barracudacentral.org. 300 IN A 127.0.0.2",
		"3.10.33.45.bl.mailspike.net. 300 IN A 127.0.0.2",
		"3.10.33.45.dnsbl-1.uceprotect.net. 300 IN A 127.0.0.2",
		"3.10.33.45.bl.local.test. 300 IN A 127.0.0.2",
		"3.10.33.45.dbl.spamhaus.org. 300 IN A 127.0.0.2", // must not be asked: DBL is a domain list
	)
	dir := t.TempDir()
	msg := strings.ReplaceAll(fmt.Sprintf(`Received: from client.example (client.example [45.33.10.3]) by mx.example.jp with ESMTP id 1; Mon, 16 Nov 2026 10:00:00 +0900
From: <a@sender.example>
Reply-To: <DropBox+inbox@fraud.example>
To: <yamada@example.jp>
Subject: hbl
Date: Mon, 16 Nov 2026 10:00:00 +0900
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

Send 0.05 BTC to %s
--b
Content-Type: application/octet-stream
Content-Disposition: attachment; filename=a.bin
Content-Transfer-Encoding: base64

%s
--b--
`, wallet, base64.StdEncoding.EncodeToString([]byte(payload))), "\n", "\r\n")
	eml := filepath.Join(dir, "hbl.eml")
	os.WriteFile(eml, []byte(msg), 0o644)
	cfg := filepath.Join(dir, "sekisho.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[general]
data_dir = %q
[auth]
trusted_relays = ["mx.example.jp"]
dns_servers = [%q]
[rbl]
enabled = true
dns_servers = [%q]
lists = ["zen", "barracuda", "mailspike", "uceprotect1", "dbl", "hbl"]
dqs_key = %q
[[rbl.custom]]
name = "LOCALTEST"
zone = "bl.local.test"
weight = 1.5
`, filepath.Join(dir, "data"), s.Addr, s.Addr, key)), 0o644)
	out := runCLI(t, "-c", cfg, "scan", "--json", eml)
	var r struct {
		Symbols []struct {
			Name  string  `json:"name"`
			Score float64 `json:"score"`
		} `json:"symbols"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var got []string
	for _, sym := range r.Symbols {
		if strings.HasPrefix(sym.Name, "RBL_") || strings.HasPrefix(sym.Name, "URIBL_") {
			got = append(got, sym.Name)
		}
		if sym.Name == "RBL_LOCALTEST" && sym.Score != 1.5 {
			t.Errorf("custom weight %v", sym.Score)
		}
	}
	sort.Strings(got)
	want := []string{"RBL_BARRACUDA", "RBL_HBL_CRYPTO_WALLET", "RBL_HBL_EMAIL", "RBL_HBL_FILE_SUSPICIOUS", "RBL_LOCALTEST",
		"RBL_MAILSPIKE_BL", "RBL_SPAMHAUS_PBL", "RBL_UCEPROTECT_L1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}
