package qr

import (
	"image"
	"math/rand"
	"testing"
)

// subImages returns YCbCr (every ratio) and Gray images of size w×h at
// origin (ox, oy), with strides padded by pad, and sub-images of them
// at every offset (dx, dy) in 0..4 (so even and odd origins, and strides
// larger than the width).
func subImages(seed int64, ox, oy, w, h, pad int) []image.Image {
	rng := rand.New(rand.NewSource(seed))
	r := image.Rect(ox, oy, ox+w, oy+h)
	var base []image.Image
	for _, ss := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		m := image.NewYCbCr(r, ss)
		// Re-lay the planes with padded strides.
		ch := len(m.Cb) / max(m.CStride, 1)
		if m.CStride == 0 {
			ch = 0
		}
		m.YStride += pad
		m.CStride += pad
		m.Y = make([]byte, m.YStride*h)
		m.Cb = make([]byte, m.CStride*ch)
		m.Cr = make([]byte, m.CStride*ch)
		rng.Read(m.Y)
		rng.Read(m.Cb)
		rng.Read(m.Cr)
		base = append(base, m)
	}
	g := image.NewGray(r)
	g.Stride += pad
	g.Pix = make([]byte, g.Stride*h)
	rng.Read(g.Pix)
	base = append(base, g)
	out := append([]image.Image(nil), base...)
	for _, b := range base {
		for dy := 0; dy < 4 && dy < h; dy++ {
			for dx := 0; dx < 5 && dx < w; dx++ {
				sr := image.Rect(ox+dx, oy+dy, ox+w-rng.Intn(w-dx), oy+h-rng.Intn(h-dy))
				if s := subImage(b, sr); s != nil {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// TestLumSubImages: sub-images (even and odd, positive and negative
// origins) of images with strides larger than their width give gozxing's
// luminance.
func TestLumSubImages(t *testing.T) {
	for seed := int64(0); seed < 40; seed++ {
		w, h := 1+int(seed)*7%23, 1+int(seed)*5%19
		for _, o := range []image.Point{{0, 0}, {1, 1}, {2, 3}, {-3, -1}, {-2, 4}, {5, -6}} {
			for _, pad := range []int{0, 1, 3} {
				for _, img := range subImages(seed, o.X, o.Y, w, h, pad) {
					sameLum(t, img)
				}
			}
		}
	}
}

// FuzzLumSubImage: as TestLumSubImages for fuzzed sizes, origins and pads.
func FuzzLumSubImage(f *testing.F) {
	f.Add(int64(1), int8(3), int8(-2), uint8(9), uint8(7), uint8(2))
	f.Fuzz(func(t *testing.T, seed int64, ox, oy int8, w, h, pad uint8) {
		for _, img := range subImages(seed, int(ox), int(oy), int(w%40)+1, int(h%40)+1, int(pad%5)) {
			sameLum(t, img)
		}
	})
}

// subImage is b.SubImage(r), or nil where image.YCbCr.SubImage itself
// panics (its COffset for some negative origins).
func subImage(b image.Image, r image.Rectangle) (s image.Image) {
	defer func() {
		if recover() != nil {
			s = nil
		}
	}()
	return b.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}
