package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/config"
)

// TAXII 2.1 media type (TAXII 2.1 §1.6.8.1).
const taxiiMedia = "application/taxii+json;version=2.1"

// Bounds of a TAXII poll.
const (
	maxPages     = 10000
	pageLimit    = 1000
	maxCollects  = 32
	dateAddedHdr = "X-TAXII-Date-Added-Last"
)

// Errors of fetching.
var (
	ErrHTTP = errors.New("feed: HTTP error")
	ErrAuth = errors.New("feed: authentication refused")
)

// Fetcher gets feed documents.
type Fetcher struct {
	Client *http.Client
}

func (fe *Fetcher) client() *http.Client {
	if fe != nil && fe.Client != nil {
		return fe.Client
	}
	return http.DefaultClient
}

// authHeader turns the auth setting into an Authorization value.
func authHeader(a string) (string, error) {
	if strings.HasPrefix(a, "env:") {
		name := strings.TrimPrefix(a, "env:")
		if a = os.Getenv(name); a == "" {
			return "", fmt.Errorf("feed: auth: environment variable %s is empty", name)
		}
	}
	if a == "" {
		return "", nil
	}
	k, v, _ := strings.Cut(a, " ")
	switch strings.ToLower(k) {
	case "basic":
		u, p, _ := strings.Cut(strings.TrimSpace(v), ":")
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(u, p)
		return r.Header.Get("Authorization"), nil
	case "bearer":
		return "Bearer " + strings.TrimSpace(v), nil
	}
	return "", errors.New("feed: auth: want \"basic USER:PASSWORD\" or \"bearer TOKEN\"")
}

// get fetches a URL, bounded; accept is the Accept header.
func (fe *Fetcher) get(ctx context.Context, f config.Feed, u, accept string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("User-Agent", "sekisho-feed/1")
	ah, err := authHeader(f.Auth)
	if err != nil {
		return nil, nil, err
	}
	if ah != "" {
		req.Header.Set("Authorization", ah)
	}
	resp, err := fe.client().Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("feed: %s: %w", f.Name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("feed: %s: %w", f.Name, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, nil, fmt.Errorf("%w: %s: %s", ErrAuth, f.Name, resp.Status)
	case resp.StatusCode/100 != 2:
		return nil, nil, fmt.Errorf("%w: %s: %s", ErrHTTP, f.Name, resp.Status)
	case len(b) > MaxBodyBytes:
		return nil, nil, fmt.Errorf("feed: %s: document over %d bytes", f.Name, MaxBodyBytes)
	}
	return b, resp.Header, nil
}

// document returns a stix/list/csv feed's bytes (URL or file).
func (fe *Fetcher) document(ctx context.Context, f config.Feed) ([]byte, error) {
	if f.Path != "" {
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, fmt.Errorf("feed: %s: %w", f.Name, err)
		}
		defer fh.Close()
		b, err := io.ReadAll(io.LimitReader(fh, MaxBodyBytes+1))
		if err != nil {
			return nil, fmt.Errorf("feed: %s: %w", f.Name, err)
		}
		if len(b) > MaxBodyBytes {
			return nil, fmt.Errorf("feed: %s: file over %d bytes", f.Name, MaxBodyBytes)
		}
		return b, nil
	}
	accept := ""
	if f.Type == "stix" {
		accept = "application/stix+json;version=2.1, application/json;q=0.9"
	}
	b, _, err := fe.get(ctx, f, f.URL, accept)
	return b, err
}

// Parse reads a fetched stix/list/csv document.
func Parse(f config.Feed, b []byte) (*Batch, error) {
	f = f.WithFeedDefaults()
	switch f.Type {
	case "stix":
		return ParseSTIX(b)
	case "list":
		return ParseList(b, ListOptions{Kind: f.Kind})
	case "csv":
		return ParseCSV(b, ListOptions{Kind: f.Kind, Column: f.Column})
	}
	return nil, fmt.Errorf("feed: %s: type %q has no document", f.Name, f.Type)
}

// taxiiCursor is the per-collection added_after of a TAXII feed.
type taxiiCursor map[string]string

// pollTAXII walks discovery → API root → collections → objects with
// added_after/next paging (TAXII 2.1 §3.4, §5.4) and hands each page's
// objects to apply. It returns the new cursor.
func (fe *Fetcher) pollTAXII(ctx context.Context, f config.Feed, cursor string, apply func(*Batch) error) (string, error) {
	cur := taxiiCursor{}
	if cursor != "" {
		_ = json.Unmarshal([]byte(cursor), &cur)
	}
	base, err := url.Parse(f.URL)
	if err != nil {
		return "", fmt.Errorf("feed: %s: url: %w", f.Name, err)
	}
	b, _, err := fe.get(ctx, f, f.URL, taxiiMedia)
	if err != nil {
		return "", err
	}
	var disc struct {
		APIRoots []string `json:"api_roots"`
		Default  string   `json:"default"`
		Title    string   `json:"title"`
	}
	if err := json.Unmarshal(b, &disc); err != nil {
		return "", fmt.Errorf("%w: %s: discovery: %v", ErrFormat, f.Name, err)
	}
	root := base
	if disc.APIRoots != nil || disc.Default != "" {
		r := disc.Default
		if r == "" && len(disc.APIRoots) > 0 {
			r = disc.APIRoots[0]
		}
		if r == "" {
			return "", fmt.Errorf("%w: %s: discovery lists no API root", ErrFormat, f.Name)
		}
		if root, err = base.Parse(r); err != nil {
			return "", fmt.Errorf("%w: %s: api root %q", ErrFormat, f.Name, r)
		}
	}
	if !strings.HasSuffix(root.Path, "/") {
		root.Path += "/"
	}
	cu, _ := root.Parse("collections/")
	b, _, err = fe.get(ctx, f, cu.String(), taxiiMedia)
	if err != nil {
		return "", err
	}
	var cols struct {
		Collections []struct {
			ID      string `json:"id"`
			Title   string `json:"title"`
			CanRead bool   `json:"can_read"`
		} `json:"collections"`
	}
	if err := json.Unmarshal(b, &cols); err != nil {
		return "", fmt.Errorf("%w: %s: collections: %v", ErrFormat, f.Name, err)
	}
	n := 0
	for _, c := range cols.Collections {
		if !c.CanRead || c.ID == "" || f.Collection != "" && f.Collection != c.ID && f.Collection != c.Title {
			continue
		}
		if n++; n > maxCollects {
			break
		}
		last, err := fe.pollCollection(ctx, f, root, c.ID, cur[c.ID], apply)
		if last != "" {
			cur[c.ID] = last
		}
		if err != nil {
			nb, _ := json.Marshal(cur)
			return string(nb), err
		}
	}
	if n == 0 {
		return "", fmt.Errorf("feed: %s: no readable collection%s", f.Name, map[bool]string{true: " " + f.Collection}[f.Collection != ""])
	}
	nb, _ := json.Marshal(cur)
	return string(nb), nil
}

func (fe *Fetcher) pollCollection(ctx context.Context, f config.Feed, root *url.URL, id, after string, apply func(*Batch) error) (string, error) {
	ou, _ := root.Parse("collections/" + url.PathEscape(id) + "/objects/")
	next := ""
	last := after
	for page := 0; page < maxPages; page++ {
		q := url.Values{}
		if last != "" {
			q.Set("added_after", last)
		}
		if next != "" {
			q.Set("next", next)
		}
		q.Set("limit", fmt.Sprint(pageLimit))
		q.Set("match[type]", "indicator")
		u := *ou
		u.RawQuery = q.Encode()
		b, h, err := fe.get(ctx, f, u.String(), taxiiMedia)
		if err != nil {
			return last, err
		}
		var env struct {
			More bool   `json:"more"`
			Next string `json:"next"`
		}
		if len(strings.TrimSpace(string(b))) > 0 {
			if err := json.Unmarshal(b, &env); err != nil {
				return last, fmt.Errorf("%w: %s: envelope: %v", ErrFormat, f.Name, err)
			}
			bt, err := ParseSTIX(b)
			if err != nil {
				return last, err
			}
			if err := apply(bt); err != nil {
				return last, err
			}
		}
		dal := h.Get(dateAddedHdr)
		if !env.More {
			if dal != "" {
				last = dal
			}
			return last, nil
		}
		if env.Next != "" {
			next = env.Next
		} else if dal != "" && dal != last {
			last, next = dal, ""
		} else {
			return last, fmt.Errorf("%w: %s: more pages but no next and no %s", ErrFormat, f.Name, dateAddedHdr)
		}
	}
	return last, fmt.Errorf("feed: %s: more than %d pages", f.Name, maxPages)
}

// Now is the clock (tests may replace it).
var Now = time.Now
