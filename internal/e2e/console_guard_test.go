package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// postWith posts body to the console port with extra headers.
func postWith(t *testing.T, port int, path string, body []byte, hdr map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d%s", port, path), bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestConsoleCrossSiteAndKeysBinary (issue 14): a page on another site
// cannot make the administrator's browser teach the classifier or scan
// through the console port (the browser's Origin / Sec-Fetch-Site say
// cross-site: 403), mail software without those headers still can, and
// with [web] api_keys the JSON API and learning need the key.
func TestConsoleCrossSiteAndKeysBinary(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	base := fmt.Sprintf("[general]\ndata_dir = %q\n", dir+"/data") + onlyFrontend("console", port, "")
	serveConfig(t, dir, base+testWeights, ports{console: port}, sekishoBin(t))
	msg := hamMsg("guard-1")
	for _, hdr := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site", "Origin": fmt.Sprintf("http://localhost:%d", port)},
	} {
		for _, path := range []string{"/api/v1/learn/spam", "/api/v1/scan", "/learnspam", "/checkv2"} {
			if code := postWith(t, port, path, msg, hdr); code != http.StatusForbidden {
				t.Errorf("%s with %v: %d, want 403", path, hdr, code)
			}
		}
	}
	// Same origin (the console's own page) and no browser headers pass.
	if code := postWith(t, port, "/api/v1/scan", msg, map[string]string{"Origin": fmt.Sprintf("http://127.0.0.1:%d", port)}); code != 200 {
		t.Errorf("same-origin scan: %d", code)
	}
	if code := postWith(t, port, "/api/v1/scan", msg, nil); code != 200 {
		t.Errorf("scan without browser headers: %d", code)
	}
	// A console page (referrer policy no-referrer) posting to its own
	// origin: the browser says same-origin and sends "Origin: null".
	if code := postWith(t, port, "/api/v1/scan", msg, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}); code != 200 {
		t.Errorf("same-origin post with Origin null: %d", code)
	}

	// With API keys.
	port2 := freePort(t)
	dir2 := t.TempDir()
	cfg := fmt.Sprintf("[general]\ndata_dir = %q\n", dir2+"/data") + onlyFrontend("console", port2, "") +
		"[web]\napi_keys = [\"k-0123456789abcdef\"]\n" + testWeights
	serveConfig(t, dir2, cfg, ports{console: port2}, sekishoBin(t))
	if code := postWith(t, port2, "/api/v1/scan", msg, nil); code != http.StatusUnauthorized {
		t.Errorf("scan without key: %d, want 401", code)
	}
	if code := postWith(t, port2, "/api/v1/scan", msg, map[string]string{"Authorization": "Bearer wrong"}); code != http.StatusUnauthorized {
		t.Errorf("scan with a wrong key: %d, want 401", code)
	}
	if code := postWith(t, port2, "/api/v1/scan", msg, map[string]string{"Authorization": "Bearer k-0123456789abcdef"}); code != 200 {
		t.Errorf("scan with the key: %d, want 200", code)
	}
	if code := postWith(t, port2, "/learnspam", msg, nil); code != http.StatusUnauthorized {
		t.Errorf("learn without key: %d, want 401", code)
	}
}
