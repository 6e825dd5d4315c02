package rspamd

import (
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// envelopePlain is Envelope as it was written with Header.Get (the
// names canonicalised at every call), for the differential test.
func envelopePlain(hd http.Header) (env pipeline.Envelope, pass bool) {
	get := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(hd.Get(n)); v != "" {
				return clip(v, 512)
			}
		}
		return ""
	}
	if ip := get("IP", "Ip"); ip != "" {
		if a, err := netip.ParseAddr(strings.Trim(ip, "[]")); err == nil {
			env.ClientIP = a.Unmap()
		}
	}
	env.Helo = get("Helo")
	env.MailFrom = strings.Trim(get("From"), "<>")
	for _, v := range hd.Values("Rcpt") {
		for _, r := range strings.Split(v, ",") {
			r = strings.Trim(strings.TrimSpace(r), "<>")
			if r != "" && len(env.Rcpts) < 10000 {
				env.Rcpts = append(env.Rcpts, clip(r, 512))
			}
		}
	}
	env.AuthUser = get("User")
	env.QueueID = get("Queue-Id", "Queue-ID")
	env.Settings = get("Settings-ID", "Settings-Id", "Settings")
	env.ClientHost = clientHost(get("Hostname"), get("Hostname-Client"))
	if len(env.Rcpts) == 0 {
		if r := strings.Trim(get("Deliver-To"), "<>"); r != "" {
			env.Rcpts = append(env.Rcpts, r)
		}
	}
	pass = strings.EqualFold(get("Pass"), "all")
	return env, pass
}

// FuzzEnvelopeMatchesGet: Envelope, which looks the canonical names up
// in the map, reads what Header.Get read, whatever the keys' spelling
// (as a client sends them: net/http canonicalises them, a caller may
// not), and ManualCheck what its ToLower prefix test answered.
func FuzzEnvelopeMatchesGet(f *testing.F) {
	f.Add("IP", "192.0.2.1", "settings-id", "x", "Settings", " y ", "rcpt", "a, <b>", "User-Agent", "RSPAMC/3")
	f.Add("Ip", "[::1]", "Settings-Id", "", "SETTINGS", "z", "Rcpt", ",", "user-agent", "rſpamc")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3, k4, v4, k5, v5 string) {
		for _, canon := range []bool{false, true} {
			h := http.Header{}
			for _, kv := range [][2]string{{k1, v1}, {k2, v2}, {k3, v3}, {k4, v4}, {k5, v5}} {
				if canon {
					h.Add(kv[0], kv[1])
				} else {
					h[kv[0]] = append(h[kv[0]], kv[1])
				}
			}
			env, pass := Envelope(h)
			wenv, wpass := envelopePlain(h)
			if !reflect.DeepEqual(env, wenv) || pass != wpass {
				t.Fatalf("%v: %+v %v, want %+v %v", h, env, pass, wenv, wpass)
			}
			if got, want := ManualCheck(h), strings.HasPrefix(strings.ToLower(h.Get("User-Agent")), "rspamc"); got != want {
				t.Fatalf("ManualCheck(%q) %v, want %v", h.Get("User-Agent"), got, want)
			}
			if got, want := hget(h, "Compression"), h.Get("Compression"); got != want {
				t.Fatalf("Compression %q, want %q", got, want)
			}
		}
	})
}

// TestEnvelopeClientHost: Rspamd's Hostname header is the client's
// resolved name, not ours; "unknown" means it has none. Deliver-To is
// the recipient when the request names no Rcpt.
func TestEnvelopeClientHost(t *testing.T) {
	for _, c := range []struct {
		hd    http.Header
		host  string
		rcpts []string
	}{
		{http.Header{"Hostname": {"mail.example.net"}}, "mail.example.net", nil},
		{http.Header{"Hostname": {"unknown"}}, "", nil},
		{http.Header{"Hostname": {"[192.0.2.1]"}}, "", nil},
		{http.Header{"Hostname": {"[UNKNOWN]"}, "Hostname-Client": {"x.example"}}, "", nil},
		{http.Header{"Hostname-Client": {"x.example"}}, "x.example", nil},
		{http.Header{"Deliver-To": {"<tanaka@example.jp>"}}, "", []string{"tanaka@example.jp"}},
		{http.Header{"Deliver-To": {"tanaka@example.jp"}, "Rcpt": {"sato@example.jp"}}, "", []string{"sato@example.jp"}},
	} {
		env, _ := Envelope(c.hd)
		if env.ClientHost != c.host || !reflect.DeepEqual(env.Rcpts, c.rcpts) || env.Hostname != "" {
			t.Errorf("Envelope(%v): host %q rcpts %q hostname %q, want host %q rcpts %q", c.hd, env.ClientHost, env.Rcpts, env.Hostname, c.host, c.rcpts)
		}
	}
}
