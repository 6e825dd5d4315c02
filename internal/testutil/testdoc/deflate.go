package testdoc

import (
	"bytes"
	"compress/flate"
)

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Deflate compresses with raw deflate (for tests).
func Deflate(b []byte) []byte { return deflate(b) }
