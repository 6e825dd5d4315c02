// Package qr finds QR codes in images (PNG, JPEG, GIF) and returns their
// text. Images are mail-supplied: their header is read first and images
// larger than the configured pixel bound are skipped without decoding; the
// decode runs under a time bound and a recover.
package qr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // GIF decoder
	_ "image/jpeg" // JPEG decoder
	_ "image/png"  // PNG decoder
	"time"

	"github.com/makiuchi-d/gozxing"
	mqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Limits bound one decode.
type Limits struct {
	MaxBytes  int           // encoded image bytes. Default 10 MiB.
	MaxPixels int           // width × height. Default 16 million.
	MaxSide   int           // width or height. Default 8192.
	Timeout   time.Duration // per image. Default 2s.
	MaxCodes  int           // codes returned per image. Default 8.
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 10 << 20
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = 16_000_000
	}
	if l.MaxSide <= 0 {
		l.MaxSide = 8192
	}
	if l.Timeout <= 0 {
		l.Timeout = 2 * time.Second
	}
	if l.MaxCodes <= 0 {
		l.MaxCodes = 8
	}
	return l
}

// Errors.
var (
	ErrTooLarge = errors.New("qr: image too large")
	ErrTimeout  = errors.New("qr: decode timed out")
	ErrFormat   = errors.New("qr: not a decodable image")
)

// minSide is the least width and height in which gozxing (v0.1.1) can
// find a QR code; a smaller image is not decoded. Every result of both
// readers decodeImage uses (multi and single, no PURE_BARCODE hint) comes
// from three finder patterns, and a finder pattern is only recorded by
// HandlePossibleCenter after FinderPatternFinder_foundPatternCross has
// accepted run lengths totalling 7 pixels or more both along one row
// (the row scans of FinderPatternFinder.Find and MultiFinderPatternFinder,
// whose counts restart each row) and down one column (CrossCheckVertical,
// each pixel counted once). The decoded image is no larger than
// DecodeConfig's size: PNG and JPEG are that size, and image/gif refuses
// a frame outside the logical screen. TestMinSide tries it.
const minSide = 7

// Decode returns the texts of the QR codes in an image; none found is not
// an error.
func Decode(ctx context.Context, data []byte, lim Limits) ([]string, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return nil, ErrTooLarge
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, ErrFormat
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > lim.MaxSide || cfg.Height > lim.MaxSide || cfg.Width*cfg.Height > lim.MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d", ErrTooLarge, cfg.Width, cfg.Height)
	}
	if cfg.Width < minSide || cfg.Height < minSide {
		// Too narrow or too short for the decoder to find anything:
		// skip the decode (a 1×1 tracking pixel, a spacer).
		return nil, nil
	}
	type res struct {
		texts []string
		err   error
	}
	ch := make(chan res, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- res{err: fmt.Errorf("qr: decoder panic: %v", r)}
			}
		}()
		t, err := decode(data, lim.MaxCodes)
		ch <- res{t, err}
	}()
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	select {
	case r := <-ch:
		return r.texts, r.err
	case <-ctx.Done():
		// The goroutine finishes on its own (the image is bounded).
		return nil, ErrTimeout
	}
}

func decode(data []byte, maxCodes int) ([]string, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrFormat
	}
	return decodeImage(img, maxCodes)
}

func decodeImage(img image.Image, maxCodes int) ([]string, error) {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(lumSource(img)))
	if err != nil {
		return nil, ErrFormat
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	var out []string
	seen := map[string]bool{}
	if rs, err := mqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints); err == nil {
		for _, r := range rs {
			if t := r.GetText(); t != "" && !seen[t] && len(out) < maxCodes {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		if r, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil && r.GetText() != "" {
			out = append(out, r.GetText())
		}
	}
	return out, nil
}

// lumSource is gozxing.NewLuminanceSourceFromImage without an interface
// call and a boxed colour per pixel: the same luminance bytes (same
// formula over the same RGBA() values, TestLumSourceSame and
// FuzzLumSourceSame), wrapped in a planar source that reads them as they
// are (no crop, no mirror).
func lumSource(img image.Image) gozxing.LuminanceSource {
	lum, w, h := luminance(img)
	src, err := gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
	if err != nil {
		return gozxing.NewLuminanceSourceFromImage(img)
	}
	return src
}

// lumOf is gozxing's luminance of one pixel.
func lumOf(r, g, b, a uint32) byte {
	l := (r + 2*g + b) * 255 / (4 * 0xffff)
	return byte((l*a + (0xffff-a)*255) / 0xffff)
}

// luminance returns one byte per pixel, row by row, as gozxing computes it.
func luminance(img image.Image) ([]byte, int, int) {
	rect := img.Bounds()
	w, h := rect.Dx(), rect.Dy()
	out := make([]byte, w*h)
	i := 0
	switch m := img.(type) {
	case *image.Gray:
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				out[i] = lumOf(m.GrayAt(x, y).RGBA())
				i++
			}
		}
	case *image.YCbCr:
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				out[i] = lumOf(m.YCbCrAt(x, y).RGBA())
				i++
			}
		}
	case *image.RGBA:
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				out[i] = lumOf(m.RGBAAt(x, y).RGBA())
				i++
			}
		}
	case *image.NRGBA:
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				out[i] = lumOf(m.NRGBAAt(x, y).RGBA())
				i++
			}
		}
	case *image.Paletted:
		if len(m.Palette) == 0 {
			return luminanceAt(img, out)
		}
		tab := make([]byte, len(m.Palette))
		for k, c := range m.Palette {
			if c == nil {
				return luminanceAt(img, out)
			}
			tab[k] = lumOf(c.RGBA())
		}
		for y := rect.Min.Y; y < rect.Max.Y; y++ {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				if k := int(m.ColorIndexAt(x, y)); k < len(tab) {
					out[i] = tab[k]
				} else {
					out[i] = lumOf(m.At(x, y).RGBA()) // as gozxing would (panics)
				}
				i++
			}
		}
	default:
		return luminanceAt(img, out)
	}
	return out, w, h
}

// luminanceAt is gozxing's own loop.
func luminanceAt(img image.Image, out []byte) ([]byte, int, int) {
	rect := img.Bounds()
	i := 0
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			out[i] = lumOf(img.At(x, y).RGBA())
			i++
		}
	}
	return out, rect.Dx(), rect.Dy()
}

// Encode renders text as a PNG-ready QR image (for tests and tools).
func Encode(text string, size int) (image.Image, error) {
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, size, size, nil)
	if err != nil {
		return nil, err
	}
	return m, nil
}
