package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/dns/dnstest"
)

// TestRBLNSMX: with [rbl] ns_mx on, `sekisho scan` looks up the name
// servers and mail exchangers of a link domain on a loopback DNS server
// and reports the domain list's symbol for them with the NS/MX evidence;
// a link domain whose NS lookup fails gives nothing.
func TestRBLNSMX(t *testing.T) {
	s := dnstest.Start(t)
	s.Add(t,
		"fresh-throwaway.example. 300 IN NS ns1.bad-dns.example.",
		"fresh-throwaway.example. 300 IN MX 10 mx.bad-mail.example.",
		"bad-dns.example.dbl.spamhaus.org. 300 IN A 127.0.1.2",
		"bad-mail.example.multi.uribl.com. 300 IN A 127.0.0.2",
	)
	s.ServFail("failing-ns.example")
	dir := t.TempDir()
	msgs := filepath.Join(dir, "msgs")
	os.MkdirAll(msgs, 0o755)
	msg := func(link string) []byte {
		return crlf(fmt.Sprintf("From: a@sender.example\nTo: b@example.jp\nSubject: %s\nDate: Mon, 30 Nov 2026 10:00:00 +0900\nMessage-ID: <%s@sender.example>\n\nsee https://%s/x\n", link, link, link))
	}
	os.WriteFile(filepath.Join(msgs, "a.eml"), msg("fresh-throwaway.example"), 0o644)
	os.WriteFile(filepath.Join(msgs, "b.eml"), msg("failing-ns.example"), 0o644)
	cfg := filepath.Join(dir, "sekisho.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[general]
data_dir = %q
[auth]
enabled = false
dns_servers = [%q]
[rbl]
enabled = true
dns_servers = [%q]
timeout = "300ms"
ns_mx = true
`, filepath.Join(dir, "data"), s.Addr, s.Addr)), 0o644)
	out := runCLI(t, "-c", cfg, "scan", "--json", msgs)
	got := map[string]map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r feedScan
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got[r.Subject] = map[string][]string{}
		for _, sym := range r.Symbols {
			if strings.HasPrefix(sym.Name, "URIBL_") {
				got[r.Subject][sym.Name] = sym.Options
			}
		}
	}
	a := got["fresh-throwaway.example"]
	if fmt.Sprint(a["URIBL_DBL_SPAM"]) != "[ns1.bad-dns.example (NS of link fresh-throwaway.example)]" ||
		fmt.Sprint(a["URIBL_URIBL_BLACK"]) != "[mx.bad-mail.example (MX of link fresh-throwaway.example)]" || len(a) != 2 {
		t.Errorf("NS/MX hits: %v", a)
	}
	if len(got["failing-ns.example"]) != 0 {
		t.Errorf("failing NS lookup: %v", got["failing-ns.example"])
	}
}
