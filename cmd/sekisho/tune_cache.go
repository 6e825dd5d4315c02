package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// featureCache keeps the raw symbols of scanned messages for tune, keyed
// by the SHA-256 of the message. It is valid only for the binary and the
// configuration file that wrote it: its first line names both by hash, and
// a file written by another build or configuration is ignored (and
// replaced). A nil cache caches nothing.
type featureCache struct {
	path string
	key  string

	mu      sync.Mutex
	old     map[string][]cachedHit
	entries map[string][]cachedHit // what this run used: the file's next content
}

type cachedHit struct {
	Name   string  `json:"n"`
	Factor float64 `json:"f,omitempty"`
}

type cacheHeader struct {
	Sekisho string `json:"sekisho_tune_cache"`
	Key     string `json:"key"`
}

type cacheLine struct {
	Msg  string      `json:"m"`
	Hits []cachedHit `json:"h"`
}

// openFeatureCache reads path if it was written by this binary with this
// configuration file ("" for the defaults).
func openFeatureCache(path, configFile string) (*featureCache, error) {
	key, err := cacheKey(configFile)
	if err != nil {
		return nil, fmt.Errorf("tune: cache: %w", err)
	}
	c := &featureCache{path: path, key: key, old: map[string][]cachedHit{}, entries: map[string][]cachedHit{}}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tune: cache: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	var h cacheHeader
	if err := dec.Decode(&h); err != nil || h.Sekisho != "1" {
		return nil, fmt.Errorf("tune: cache: %s is not a tune cache file", path)
	}
	if h.Key != key {
		return c, nil // another build or configuration: scan again
	}
	for {
		var ln cacheLine
		if err := dec.Decode(&ln); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("tune: cache: %s: %w", path, err)
		}
		c.old[ln.Msg] = ln.Hits
	}
	return c, nil
}

// cacheKey hashes the running binary and the configuration file.
func cacheKey(configFile string) (string, error) {
	h := sha256.New()
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	for _, p := range []string{exe, configFile} {
		if p == "" {
			h.Write([]byte("-\n"))
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
		h.Write([]byte("\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func msgKey(raw []byte) string {
	s := sha256.Sum256(raw)
	return hex.EncodeToString(s[:])
}

func (c *featureCache) get(raw []byte) ([]pipeline.Hit, bool) {
	if c == nil {
		return nil, false
	}
	k := msgKey(raw)
	c.mu.Lock()
	ch, ok := c.old[k]
	if ok {
		c.entries[k] = ch
	}
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	hits := make([]pipeline.Hit, len(ch))
	for i, h := range ch {
		hits[i] = pipeline.Hit{Name: h.Name, Factor: h.Factor}
	}
	return hits, true
}

func (c *featureCache) put(raw []byte, hits []pipeline.Hit) {
	if c == nil {
		return
	}
	ch := make([]cachedHit, len(hits))
	for i, h := range hits {
		ch[i] = cachedHit{Name: h.Name, Factor: h.Factor}
	}
	k := msgKey(raw)
	c.mu.Lock()
	c.entries[k] = ch
	c.mu.Unlock()
}

// save writes the messages this run used (atomically: a temporary file
// renamed over the old one).
func (c *featureCache) save() error {
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".tune-cache-*")
	if err != nil {
		return fmt.Errorf("tune: cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	enc := json.NewEncoder(w)
	_ = enc.Encode(cacheHeader{Sekisho: "1", Key: c.key})
	keys := make([]string, 0, len(c.entries))
	for k := range c.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := enc.Encode(cacheLine{Msg: k, Hits: c.entries[k]}); err != nil {
			tmp.Close()
			return fmt.Errorf("tune: cache: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("tune: cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("tune: cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("tune: cache: %w", err)
	}
	return nil
}
