package qr

import (
	"bytes"
	"context"
	"image"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
)

// corpusImages returns the image parts (as the url analyzer's isImage
// picks them) of the messages under SEKISHO_CORPUS/sub/{ham,spam}.
func corpusImages(tb testing.TB, sub string) [][]byte {
	if imgs, ok := corpusCache[sub]; ok {
		return imgs
	}
	imgs := readCorpusImages(tb, sub)
	corpusCache[sub] = imgs
	return imgs
}

// corpusCache keeps corpusImages' answers: a benchmark's function runs
// more than once, and the parse is not the measured cost.
var corpusCache = map[string][][]byte{}

func readCorpusImages(tb testing.TB, sub string) [][]byte {
	dir := os.Getenv("SEKISHO_CORPUS")
	if dir == "" {
		tb.Skip("SEKISHO_CORPUS not set")
	}
	var out [][]byte
	for _, d := range []string{"ham", "spam"} {
		files, err := filepath.Glob(filepath.Join(dir, sub, d, "*"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			for _, p := range mail.Parse(raw, mail.Limits{}).Parts {
				if p.IsMultipart() || len(p.Body) == 0 {
					continue
				}
				img := false
				switch p.ContentType {
				case "image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif":
					img = true
				}
				switch strings.ToLower(path.Ext(p.Filename)) {
				case ".png", ".jpg", ".jpeg", ".gif":
					img = true
				}
				if img {
					out = append(out, p.Body)
				}
			}
		}
	}
	if len(out) == 0 {
		tb.Skip("no images in the corpus")
	}
	return out
}

// BenchmarkDecodeCorpus decodes the images of the SA test split (27
// images: JPEG 4:2:0 and 4:4:4, GIF, PNG, two broken), once each per
// iteration, as the QR analyzer does.
func BenchmarkDecodeCorpus(b *testing.B) {
	imgs := corpusImages(b, "test")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, data := range imgs {
			Decode(context.Background(), data, Limits{MaxPixels: 8_000_000, Timeout: 1 << 40})
		}
	}
}

// TestCorpusLumSame: over every image of the whole corpus (SEKISHO_CORPUS/all),
// the luminance handed to the binarizer is gozxing's own, and Decode's
// result is that of the plain gozxing path.
func TestCorpusLumSame(t *testing.T) {
	imgs := corpusImages(t, "all")
	n := 0
	for _, data := range imgs {
		m, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			continue
		}
		n++
		sameLum(t, m)
	}
	t.Logf("%d images, %d decoded", len(imgs), n)
}
