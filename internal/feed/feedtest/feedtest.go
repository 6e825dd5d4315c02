// Package feedtest builds STIX 2.1 bundles and runs a TAXII 2.1 server on
// loopback for tests (discovery, an API root, collections and objects
// with added_after and next paging, basic or bearer auth).
package feedtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Indicator is a STIX indicator object to put in a bundle.
type Indicator struct {
	ID         string // "indicator--..." (made up from Name when empty)
	Name       string
	Pattern    string
	ValidFrom  time.Time
	ValidUntil time.Time // zero: none
	Revoked    bool
	Modified   time.Time
}

func (in Indicator) object() map[string]any {
	id := in.ID
	if id == "" {
		id = "indicator--" + uuidOf(in.Name)
	}
	vf := in.ValidFrom
	if vf.IsZero() {
		vf = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	mod := in.Modified
	if mod.IsZero() {
		mod = vf
	}
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": id,
		"created": vf.Format(time.RFC3339Nano), "modified": mod.Format(time.RFC3339Nano),
		"name": in.Name, "pattern": in.Pattern, "pattern_type": "stix",
		"valid_from": vf.Format(time.RFC3339Nano), "indicator_types": []string{"malicious-activity"},
	}
	if !in.ValidUntil.IsZero() {
		o["valid_until"] = in.ValidUntil.Format(time.RFC3339Nano)
	}
	if in.Revoked {
		o["revoked"] = true
	}
	return o
}

// uuidOf makes a stable UUID-shaped string from s.
func uuidOf(s string) string {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	x := fmt.Sprintf("%016x%016x", h, h*31+7)
	return x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
}

// Bundle returns a STIX 2.1 bundle of the indicators (and an identity,
// which importers must skip).
func Bundle(inds ...Indicator) []byte {
	objs := []any{map[string]any{"type": "identity", "spec_version": "2.1", "id": "identity--" + uuidOf("src"), "name": "Test CERT",
		"created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z"}}
	for _, in := range inds {
		objs = append(objs, in.object())
	}
	b, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + uuidOf(fmt.Sprint(len(inds))), "objects": objs})
	return b
}

// TAXII is a TAXII 2.1 server with one API root ("/api1/") and one
// collection.
type TAXII struct {
	URL          string // discovery URL
	CollectionID string
	User, Pass   string // basic auth when set
	Token        string // bearer auth when set
	PageSize     int    // objects per page (next paging)

	mu       sync.Mutex
	objs     []stored
	requests []string
	srv      *httptest.Server
}

type stored struct {
	added time.Time
	obj   map[string]any
}

// StartTAXII starts the server on 127.0.0.1; it stops with the test.
func StartTAXII(t testing.TB) *TAXII {
	s := &TAXII{CollectionID: "91a7b528-80eb-42ed-a74d-c6fbd5a26116", PageSize: 2}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + "/taxii2/"
	return s
}

// Add adds indicators to the collection, dated now (each a millisecond
// apart so added_after paging can tell them apart).
func (s *TAXII) Add(inds ...Indicator) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range inds {
		at := time.Now().UTC()
		if n := len(s.objs); n > 0 && !at.After(s.objs[n-1].added) {
			at = s.objs[n-1].added.Add(time.Millisecond)
		}
		s.objs = append(s.objs, stored{at, in.object()})
	}
}

// Requests returns the request paths and queries seen.
func (s *TAXII) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

const media = "application/taxii+json;version=2.1"

func (s *TAXII) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.RequestURI())
	s.mu.Unlock()
	if s.User != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != s.User || p != s.Pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="taxii"`)
			http.Error(w, `{"title":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
	}
	if s.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.Token {
		http.Error(w, `{"title":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Accept"), "application/taxii+json") {
		http.Error(w, `{"title":"not acceptable"}`, http.StatusNotAcceptable)
		return
	}
	w.Header().Set("Content-Type", media)
	col := "/api1/collections/" + s.CollectionID + "/objects/"
	switch r.URL.Path {
	case "/taxii2/":
		json.NewEncoder(w).Encode(map[string]any{"title": "test", "default": s.srv.URL + "/api1/", "api_roots": []string{s.srv.URL + "/api1/"}})
	case "/api1/":
		json.NewEncoder(w).Encode(map[string]any{"title": "api1", "versions": []string{media}, "max_content_length": 10 << 20})
	case "/api1/collections/":
		json.NewEncoder(w).Encode(map[string]any{"collections": []any{
			map[string]any{"id": "0000-unreadable", "title": "secret", "can_read": false, "can_write": false},
			map[string]any{"id": s.CollectionID, "title": "indicators", "can_read": true, "can_write": false, "media_types": []string{"application/stix+json;version=2.1"}},
		}})
	case col:
		s.objects(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *TAXII) objects(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	var after time.Time
	if a := q.Get("added_after"); a != "" {
		var err error
		if after, err = time.Parse(time.RFC3339Nano, a); err != nil {
			http.Error(w, `{"title":"bad added_after"}`, http.StatusBadRequest)
			return
		}
	}
	var sel []stored
	for _, o := range s.objs {
		if o.added.After(after) {
			sel = append(sel, o)
		}
	}
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].added.Before(sel[j].added) })
	start := 0
	if n := q.Get("next"); n != "" {
		start, _ = strconv.Atoi(n)
	}
	size := s.PageSize
	if l, _ := strconv.Atoi(q.Get("limit")); l > 0 && l < size {
		size = l
	}
	end := min(start+size, len(sel))
	if start > end {
		start = end
	}
	page := sel[start:end]
	env := map[string]any{"more": end < len(sel)}
	if end < len(sel) {
		env["next"] = strconv.Itoa(end)
	}
	var objs []any
	for _, o := range page {
		objs = append(objs, o.obj)
	}
	if len(objs) > 0 {
		env["objects"] = objs
		w.Header().Set("X-TAXII-Date-Added-First", page[0].added.Format(time.RFC3339Nano))
		w.Header().Set("X-TAXII-Date-Added-Last", page[len(page)-1].added.Format(time.RFC3339Nano))
	}
	json.NewEncoder(w).Encode(env)
}
