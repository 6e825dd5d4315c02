package api

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Guard protects the machine endpoints of a port (JSON API, Rspamd
// protocol, and the console's forms as a second line) from two attacks of
// issue 14:
//
//   - Cross-site requests from an administrator's browser: a page on
//     another site posting to http://127.0.0.1:11334/api/v1/learn/spam
//     taught the classifier. Browsers mark such requests (Sec-Fetch-Site,
//     Origin); any request that changes state and says it comes from
//     another origin, or from an opaque one ("null": sandboxed frames,
//     data: URLs), is refused with 403. Mail software (rspamc, Postfix
//     proxies, curl) sends neither header and is not affected.
//   - Unauthenticated use: when keys is not empty, /api/v1/... and
//     learning (/learnspam, /learnham) need "Authorization: Bearer KEY"
//     (or the Rspamd "Password: KEY" header).
func Guard(next http.Handler, keys []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions && CrossSite(r) {
			jsonError(w, http.StatusForbidden, "cross-site request refused")
			return
		}
		if len(keys) > 0 && needsKey(r.URL.Path) && !keyOK(r, keys) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sekisho"`)
			jsonError(w, http.StatusUnauthorized, "API key required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CrossSite reports whether a browser says the request comes from
// another origin than the one it is sent to.
func CrossSite(r *http.Request) bool {
	// Sec-Fetch-Site, when the browser sends it, decides: only the
	// browser sets it, and it is exact where Origin is not. A page whose
	// referrer policy is no-referrer (every console page) sends
	// "Origin: null" with its own same-origin form posts (Fetch, "append
	// a request Origin header"); refusing those broke every console form
	// in a real browser.
	if sfs := r.Header.Get("Sec-Fetch-Site"); sfs != "" {
		return sfs != "same-origin" && sfs != "none"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || o == "null" || !strings.EqualFold(u.Host, r.Host)
}

func needsKey(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/learnspam" || path == "/learnham"
}

func keyOK(r *http.Request, keys []string) bool {
	got := r.Header.Get("Password")
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		got = strings.TrimPrefix(a, "Bearer ")
	}
	if got == "" {
		return false
	}
	ok := false
	for _, k := range keys {
		if len(k) == len(got) && subtle.ConstantTimeCompare([]byte(k), []byte(got)) == 1 {
			ok = true
		}
	}
	return ok
}

// LoadKeys expands [web] api_keys: "file:/path" entries read one key per
// line (blank lines and # comments skipped).
func LoadKeys(entries []string) ([]string, error) {
	var out []string
	for _, e := range entries {
		path, isFile := strings.CutPrefix(e, "file:")
		if !isFile {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("web.api_keys: %w", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
		}
	}
	return out, nil
}
