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
// formula over the same RGBA() values, or for YCbCr and Gray the same
// arithmetic read straight from the planes; TestLumSourceSame,
// FuzzLumSourceSame, TestCorpusLumSame), wrapped in a planar source that reads them as they
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
		// A grey level v is (v·0x101)×3 in RGBA(), whose luminance is
		// v·0x101·4·255/(4·0xffff) = v: the rows are copied as they
		// are (every v in TestLumSourceSame).
		if w > 0 {
			// Capped at its length: GrayAt panics past it.
			pix := m.Pix[:len(m.Pix):len(m.Pix)]
			for y := 0; y < h; y++ {
				o := y * m.Stride
				copy(out[y*w:(y+1)*w], pix[o:o+w])
			}
		}
	case *image.YCbCr:
		if lumYCbCr(m, out) {
			break
		}
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

// The luminance of a YCbCr pixel is lumOf(color.YCbCr{y, cb, cr}.RGBA()):
// image/color's conversion (same constants, same clamping) split into
// the chroma terms (chromaTerms, once per chroma sample where pixels
// share one) and the rest (lumTerms), with lumOf's alpha 0xffff, for
// which its second step gives back l. Every (y, cb, cr) is checked in
// TestLumYCCAll and TestLumYCbCrAll.

// chromaTerms are color.YCbCr.RGBA's chroma products for r, g and b.
func chromaTerms(cb, cr uint8) (dr, dg, db int32) {
	cb1 := int32(cb) - 128
	cr1 := int32(cr) - 128
	return 91881 * cr1, -22554*cb1 - 46802*cr1, 116130 * cb1
}

// clamp16 is color.YCbCr.RGBA's clamping of one channel to 16 bits.
func clamp16(v int32) uint32 {
	if uint32(v)&0xff000000 == 0 {
		return uint32(v) >> 8 // v >= 0: the same as an arithmetic shift
	}
	return uint32(^(v >> 31) & 0xffff)
}

// lumTerms is the luminance of a pixel whose Y·0x10101 is yy1 and whose
// chroma terms are dr, dg, db.
func lumTerms(yy1, dr, dg, db int32) byte {
	return byte((clamp16(yy1+dr) + 2*clamp16(yy1+dg) + clamp16(yy1+db)) * 255 / (4 * 0xffff))
}

// lumYCbCr fills out with the luminance of m read straight from its
// planes (no YCbCrAt and RGBA per pixel; for 4:2:x the chroma terms
// once per pair of pixels), or returns false for what it does not
// handle: a subsample ratio image.YCbCr.COffset does not know, or a negative
// origin (COffset divides, rounding towards zero; the shifts here equal
// that division for x, y >= 0 only).
func lumYCbCr(m *image.YCbCr, out []byte) bool {
	var hs, vs uint // chroma column and row shifts
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		hs = 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio440:
		vs = 1
	case image.YCbCrSubsampleRatio411:
		hs = 2
	case image.YCbCrSubsampleRatio410:
		hs, vs = 2, 1
	default:
		return false
	}
	r := m.Rect
	if r.Min.X < 0 || r.Min.Y < 0 || r.Empty() {
		return r.Empty()
	}
	// The planes capped at their lengths (YCbCrAt panics past them; a
	// slice expression is only bounded by the capacity).
	yp := m.Y[:len(m.Y):len(m.Y)]
	cbp := m.Cb[:len(m.Cb):len(m.Cb)]
	crp := m.Cr[:len(m.Cr):len(m.Cr)]
	w := r.Dx()
	c0 := r.Min.X >> hs            // COffset(x, y) = row's start + x>>hs - c0
	cw := (r.Max.X-1)>>hs - c0 + 1 // chroma samples per row
	i := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		yrow := yp[(y-r.Min.Y)*m.YStride:]
		yrow = yrow[:w]
		co := (y>>vs - r.Min.Y>>vs) * m.CStride
		cbrow := cbp[co : co+cw]
		crrow := crp[co : co+cw]
		o := out[i : i+w]
		switch {
		case hs == 0:
			cbrow, crrow := cbrow[:w], crrow[:w]
			for k, yv := range yrow {
				dr, dg, db := chromaTerms(cbrow[k], crrow[k])
				// lumTerms, written out here and below: it is too
				// large to inline.
				yy1 := int32(yv) * 0x10101
				o[k] = byte((clamp16(yy1+dr) + 2*clamp16(yy1+dg) + clamp16(yy1+db)) * 255 / (4 * 0xffff))
			}
		case hs == 1 && r.Min.X&1 == 0:
			// Pixels 2j and 2j+1 share chroma sample j.
			for j := 0; j < w/2; j++ {
				dr, dg, db := chromaTerms(cbrow[j], crrow[j])
				yy1 := int32(yrow[2*j]) * 0x10101
				o[2*j] = byte((clamp16(yy1+dr) + 2*clamp16(yy1+dg) + clamp16(yy1+db)) * 255 / (4 * 0xffff))
				yy1 = int32(yrow[2*j+1]) * 0x10101
				o[2*j+1] = byte((clamp16(yy1+dr) + 2*clamp16(yy1+dg) + clamp16(yy1+db)) * 255 / (4 * 0xffff))
			}
			if w&1 == 1 {
				dr, dg, db := chromaTerms(cbrow[w/2], crrow[w/2])
				yy1 := int32(yrow[w-1]) * 0x10101
				o[w-1] = byte((clamp16(yy1+dr) + 2*clamp16(yy1+dg) + clamp16(yy1+db)) * 255 / (4 * 0xffff))
			}
		default:
			for k, yv := range yrow {
				// 4:1:x, or an odd origin (rare): not written out.
				j := (r.Min.X+k)>>hs - c0
				dr, dg, db := chromaTerms(cbrow[j], crrow[j])
				o[k] = lumTerms(int32(yv)*0x10101, dr, dg, db)
			}
		}
		i += w
	}
	return true
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
