package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// bigFormPosts posts n url-encoded forms of size bytes at once to path on
// the console port and returns the status codes seen.
func bigFormPosts(t *testing.T, port, n, size int, path string) map[int]int {
	t.Helper()
	body := append([]byte("csrf=x&text="), bytes.Repeat([]byte("a"), size-12)...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
			code := -1 // connection closed while sending: refused early
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				code = resp.StatusCode
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return codes
}

// TestConsoleFormBodiesBoundedBinary (issue 14): the console's own form
// posts (sign-in, learn, release, settings...) count in [serve]
// max_bytes_in_flight and are bounded by [web] max_form_bytes: 16
// concurrent 24 MiB posts are refused with 413 before they are read (by
// Content-Length; a raw client gets the answer after sending the header
// only), and with max_form_bytes raised, concurrent 12 MiB posts beyond
// the 64 MiB bound get 503; peak RSS stays low.
func TestConsoleFormBodiesBoundedBinary(t *testing.T) {
	// The per-client connection limit is tested elsewhere: here it would
	// refuse a round while the previous round's refused connections are
	// still closing (503 from the listener, not from the body bound).
	const perClient = "max_connections_per_client = 1000\n"
	port := freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\n[serve]\nmax_bytes_in_flight = 67108864\n", dir+"/data") +
		onlyFrontend("console", port, perClient)
	sek := serveConfig(t, dir, cfg, ports{console: port}, sekishoBin(t))

	// A raw client declaring 100 MB gets 413 without sending the body.
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\ncsrf=")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if err != nil || !strings.Contains(line, " 413 ") {
		t.Errorf("100 MB form, header only: %q %v, want 413", line, err)
	}

	for _, path := range []string{"/login", "/message/1/learn", "/account/password", "/nowhere"} {
		codes := bigFormPosts(t, port, 16, 24<<20, path)
		t.Logf("16 × 24 MiB to %s: %v", path, codes)
		for code, n := range codes {
			if code != http.StatusRequestEntityTooLarge && code != -1 {
				t.Errorf("%s: %d answers %d, want 413", path, n, code)
			}
		}
	}
	hwm := peakRSS(t, sek.cmd.Process.Pid)
	t.Logf("peak RSS after 64 × 24 MiB refused form posts: %d MiB", hwm>>20)
	if hwm > 300<<20 {
		t.Errorf("peak RSS %d MiB", hwm>>20)
	}

	// max_form_bytes raised to 16 MiB: at most 5 of 16 concurrent 12 MiB
	// posts fit in the 64 MiB in flight; the others get 503.
	port2 := freePort(t)
	dir2 := t.TempDir()
	cfg2 := fmt.Sprintf("[general]\ndata_dir = %q\n[serve]\nmax_bytes_in_flight = 67108864\n[web]\nmax_form_bytes = 16777216\n", dir2+"/data") +
		onlyFrontend("console", port2, perClient)
	sek2 := serveConfig(t, dir2, cfg2, ports{console: port2}, sekishoBin(t))
	busy := 0
	for range 3 {
		codes := bigFormPosts(t, port2, 16, 12<<20, "/login")
		t.Logf("16 × 12 MiB to /login, max_form_bytes 16 MiB: %v", codes)
		busy += codes[http.StatusServiceUnavailable]
		for code, n := range codes {
			if code != http.StatusServiceUnavailable && code != http.StatusForbidden && code != -1 {
				t.Errorf("%d answers %d, want 503 or 403", n, code)
			}
		}
	}
	if busy == 0 {
		t.Error("no post was refused as busy")
	}
	hwm = peakRSS(t, sek2.cmd.Process.Pid)
	t.Logf("peak RSS after 48 × 12 MiB form posts, 64 MiB in flight: %d MiB", hwm>>20)
	if hwm > 400<<20 {
		t.Errorf("peak RSS %d MiB", hwm>>20)
	}
}

// TestHostCheckBinary (issue 14: DNS rebinding): a page whose name the
// attacker points at 127.0.0.1 is same-origin for the browser, but its
// requests carry the attacker's name in Host: the console, the JSON API
// and the Rspamd paths refuse them (421) on the console and Rspamd
// ports; IP literals, localhost, general.hostname and [web]
// allowed_hosts are answered.
func TestHostCheckBinary(t *testing.T) {
	port, rport := freePort(t), freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\nhostname = \"mx1.corp.example\"\n[web]\nallowed_hosts = [\"console.corp.example\", \"*.admin.example\"]\n", dir+"/data") +
		fmt.Sprintf("[serve.console]\nlisten = \"127.0.0.1:%d\"\n[serve.rspamd]\nlisten = \"127.0.0.1:%d\"\n[serve.milter]\nenabled = false\n[serve.smtp]\nenabled = false\n[serve.spamd]\nenabled = false\n", port, rport) +
		testWeights
	serveConfig(t, dir, cfg, ports{console: port, rspamd: rport}, sekishoBin(t))
	do := func(p int, method, path, host, origin string) int {
		t.Helper()
		var body io.Reader
		if method == "POST" {
			body = bytes.NewReader(hamMsg("host-1"))
		}
		req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", p, path), body)
		req.Host = host
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := (&http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatalf("%s %s Host %s: %v", method, path, host, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, p := range []int{port, rport} {
		for _, host := range []string{"evil.example", fmt.Sprintf("rebind.evil.example:%d", p), "corp.example", "admin.example"} {
			origin := "http://" + host
			for _, r := range [][2]string{{"GET", "/login"}, {"POST", "/api/v1/scan"}, {"POST", "/checkv2"}, {"POST", "/learnspam"}, {"GET", "/api/v1/symbols"}, {"GET", "/stat"}} {
				if code := do(p, r[0], r[1], host, origin); code != http.StatusMisdirectedRequest {
					t.Errorf("port %d %s %s Host %s: %d, want 421", p, r[0], r[1], host, code)
				}
			}
		}
		for _, host := range []string{"", fmt.Sprintf("127.0.0.1:%d", p), "localhost", fmt.Sprintf("LOCALHOST:%d", p), "[::1]", "mx1.corp.example", "mx1", "console.corp.example.", "a.admin.example:8443"} {
			if code := do(p, "POST", "/api/v1/scan", host, ""); code != 200 {
				t.Errorf("port %d scan Host %q: %d, want 200", p, host, code)
			}
		}
	}
	if code := do(port, "GET", "/login", "console.corp.example", ""); code != 200 {
		t.Errorf("console login page by its name: %d", code)
	}

	// allowed_hosts = ["*"] turns the check off.
	port2 := freePort(t)
	dir2 := t.TempDir()
	serveConfig(t, dir2, fmt.Sprintf("[general]\ndata_dir = %q\n[web]\nallowed_hosts = [\"*\"]\n", dir2+"/data")+onlyFrontend("console", port2, "")+testWeights,
		ports{console: port2}, sekishoBin(t))
	if code := do(port2, "POST", "/api/v1/scan", "anything.example", ""); code != 200 {
		t.Errorf("allowed_hosts *: %d", code)
	}
}
