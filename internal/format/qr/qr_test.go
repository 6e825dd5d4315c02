package qr

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func pngOf(t testing.TB, text string, size int) []byte {
	img, err := Encode(text, size)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeFormats(t *testing.T) {
	const u = "https://micros0ft-login.com/verify"
	img, _ := Encode(u, 300)
	// Draw onto an RGBA canvas with a margin, as a screenshot would.
	canvas := image.NewRGBA(image.Rect(0, 0, 400, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 400; x++ {
			canvas.Set(x, y, color.White)
		}
	}
	for y := 0; y < 300; y++ {
		for x := 0; x < 300; x++ {
			canvas.Set(x+50, y+50, img.At(x, y))
		}
	}
	enc := map[string]func() []byte{
		"png": func() []byte { var b bytes.Buffer; png.Encode(&b, canvas); return b.Bytes() },
		"jpeg": func() []byte {
			var b bytes.Buffer
			jpeg.Encode(&b, canvas, &jpeg.Options{Quality: 90})
			return b.Bytes()
		},
		"gif": func() []byte { var b bytes.Buffer; gif.Encode(&b, canvas, nil); return b.Bytes() },
	}
	for name, f := range enc {
		got, err := Decode(context.Background(), f(), Limits{})
		if err != nil || len(got) != 1 || got[0] != u {
			t.Errorf("%s: %v %v", name, got, err)
		}
	}
}

func TestDecodeNegative(t *testing.T) {
	// A plain image has no code.
	img := image.NewGray(image.Rect(0, 0, 200, 200))
	var b bytes.Buffer
	png.Encode(&b, img)
	if got, err := Decode(context.Background(), b.Bytes(), Limits{}); err != nil || len(got) != 0 {
		t.Errorf("blank: %v %v", got, err)
	}
	if _, err := Decode(context.Background(), []byte("not an image"), Limits{}); err == nil {
		t.Error("garbage accepted")
	}
	// Dimension bound: refused from the header, before decoding.
	big := pngOf(t, "x", 600)
	if _, err := Decode(context.Background(), big, Limits{MaxPixels: 100 * 100}); err == nil {
		t.Error("too-large image decoded")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(pngOf(f, "https://example.com/", 120))
	f.Add([]byte("GIF89a"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Decode(context.Background(), data, Limits{MaxPixels: 1 << 20, MaxSide: 2048})
	})
}

func BenchmarkDecode(b *testing.B) {
	data := pngOf(b, "https://micros0ft-login.com/verify", 400)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		Decode(context.Background(), data, Limits{})
	}
}

// TestMinSide: images narrower or shorter than minSide give nothing
// without being decoded, and the decoder finds nothing in such images
// anyway (random and code-cut pixels, every size below minSide up to 40
// the other way).
func TestMinSide(t *testing.T) {
	// A 1×1 GIF (a tracking pixel): no texts, no error.
	var b bytes.Buffer
	px := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.White, color.Black})
	if err := gif.Encode(&b, px, nil); err != nil {
		t.Fatal(err)
	}
	if texts, err := Decode(context.Background(), b.Bytes(), Limits{}); texts != nil || err != nil {
		t.Fatalf("1x1 GIF: %q %v", texts, err)
	}
	code, _ := Encode("https://example.com/x", 21)
	seed := uint32(1)
	for small := 1; small < minSide; small++ {
		for other := 1; other <= 40; other++ {
			for _, wide := range []bool{true, false} {
				w, h := small, other
				if !wide {
					w, h = other, small
				}
				for k := 0; k < 4; k++ {
					img := image.NewGray(image.Rect(0, 0, w, h))
					for y := 0; y < h; y++ {
						for x := 0; x < w; x++ {
							var c color.Gray
							switch k {
							case 0: // the code's corner, cut
								c = color.GrayModel.Convert(code.At(x, y)).(color.Gray)
							case 1: // a finder pattern's rows: 1:1:3:1:1
								c.Y = 255
								if d := max(abs(x-3), abs(y%7-3)); d != 2 {
									c.Y = 0
								}
							default:
								seed = seed*1664525 + 1013904223
								if seed>>31 == 0 {
									c.Y = 255
								}
							}
							img.SetGray(x, y, c)
						}
					}
					if texts, _ := decodeImage(img, 8); len(texts) != 0 {
						t.Fatalf("%dx%d image (%d): decoded %q", w, h, k, texts)
					}
				}
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func BenchmarkDecodeTrackingPixel(b *testing.B) {
	var buf bytes.Buffer
	px := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.White, color.Black})
	if err := gif.Encode(&buf, px, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Decode(context.Background(), buf.Bytes(), Limits{})
	}
}
