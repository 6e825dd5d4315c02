package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
)

func TestFeatureCache(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.jsonl")
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[policy]\ntag_score = 5\n"), 0o644)
	raw1, raw2 := []byte("Subject: one\r\n\r\nx\r\n"), []byte("Subject: two\r\n\r\ny\r\n")

	c, err := openFeatureCache(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.get(raw1); ok {
		t.Fatal("empty cache hit")
	}
	c.put(raw1, []pipeline.Hit{{Name: "HDR_X", Factor: 0.5}, {Name: "URL_Y"}})
	c.put(raw2, nil)
	if err := c.save(); err != nil {
		t.Fatal(err)
	}

	c, err = openFeatureCache(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := c.get(raw1)
	if !ok || len(h) != 2 || h[0].Name != "HDR_X" || h[0].Factor != 0.5 || h[1].Name != "URL_Y" || h[1].Factor != 0 {
		t.Fatalf("got %v %v", h, ok)
	}
	if h, ok := c.get(raw2); !ok || len(h) != 0 {
		t.Fatalf("no-symbol message: %v %v", h, ok)
	}
	// Only what this run used is kept.
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	c, _ = openFeatureCache(path, cfg)
	if len(c.old) != 2 {
		t.Fatalf("kept %d entries", len(c.old))
	}

	// Another configuration: the cache does not apply (and is replaced).
	os.WriteFile(cfg, []byte("[policy]\ntag_score = 6\n"), 0o644)
	c, err = openFeatureCache(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.get(raw1); ok {
		t.Fatal("cache used under another configuration")
	}

	// A file that is not a cache is not overwritten.
	other := filepath.Join(dir, "notes.txt")
	os.WriteFile(other, []byte("my notes\n"), 0o644)
	if _, err := openFeatureCache(other, cfg); err == nil || !strings.Contains(err.Error(), "not a tune cache") {
		t.Fatalf("foreign file: %v", err)
	}
	var nilCache *featureCache
	nilCache.put(raw1, nil)
	if _, ok := nilCache.get(raw1); ok {
		t.Fatal("nil cache hit")
	}
}
