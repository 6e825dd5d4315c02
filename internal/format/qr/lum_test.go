package qr

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// randomImages returns images of every type the decoders produce (and a
// few they do not), filled from seed, with a non-zero origin for some.
func randomImages(seed int64, w, h int) []image.Image {
	rng := rand.New(rand.NewSource(seed))
	r := image.Rect(0, 0, w, h)
	if seed%2 == 1 {
		r = r.Add(image.Pt(3, 5))
	} else if seed%4 == 2 {
		r = r.Add(image.Pt(-7, -2)) // lumYCbCr leaves it to YCbCrAt
	}
	fill := func(b []byte) {
		rng.Read(b)
	}
	gray := image.NewGray(r)
	fill(gray.Pix)
	gray16 := image.NewGray16(r)
	fill(gray16.Pix)
	rgba := image.NewRGBA(r)
	fill(rgba.Pix)
	nrgba := image.NewNRGBA(r)
	fill(nrgba.Pix)
	rgba64 := image.NewRGBA64(r)
	fill(rgba64.Pix)
	cmyk := image.NewCMYK(r)
	fill(cmyk.Pix)
	var out []image.Image
	for _, ss := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410, image.YCbCrSubsampleRatio(99)} {
		y := image.NewYCbCr(r, ss)
		fill(y.Y)
		fill(y.Cb)
		fill(y.Cr)
		out = append(out, y)
	}
	pal := make(color.Palette, 1+rng.Intn(256))
	for i := range pal {
		pal[i] = color.NRGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256))}
	}
	p := image.NewPaletted(r, pal)
	for i := range p.Pix {
		p.Pix[i] = uint8(rng.Intn(len(pal)))
	}
	return append(out, gray, gray16, rgba, nrgba, rgba64, cmyk, p)
}

func sameLum(t *testing.T, img image.Image) {
	t.Helper()
	want, wantPanic := lumPanics(gozxing.NewLuminanceSourceFromImage, img)
	got, gotPanic := lumPanics(lumSource, img)
	if wantPanic || gotPanic {
		// image/YCbCr's own COffset is out of its planes for some
		// negative origins: then both must panic (Decode recovers).
		if wantPanic != gotPanic {
			t.Fatalf("%T %v: panic %v, want %v", img, img.Bounds(), gotPanic, wantPanic)
		}
		return
	}
	if got.GetWidth() != want.GetWidth() || got.GetHeight() != want.GetHeight() {
		t.Fatalf("%T: size %dx%d, want %dx%d", img, got.GetWidth(), got.GetHeight(), want.GetWidth(), want.GetHeight())
	}
	if !bytes.Equal(got.GetMatrix(), want.GetMatrix()) {
		t.Fatalf("%T %v: luminance differs", img, img.Bounds())
	}
	for y := 0; y < want.GetHeight(); y++ {
		a, _ := got.GetRow(y, nil)
		b, _ := want.GetRow(y, nil)
		if !bytes.Equal(a, b) {
			t.Fatalf("%T: row %d differs", img, y)
		}
	}
}

func lumPanics(f func(image.Image) gozxing.LuminanceSource, img image.Image) (src gozxing.LuminanceSource, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	return f(img), false
}

// TestLumSourceSame: the luminance handed to the binarizer is gozxing's.
func TestLumSourceSame(t *testing.T) {
	for seed := int64(0); seed < 20; seed++ {
		for _, img := range randomImages(seed, 1+int(seed)*7%61, 1+int(seed)*13%53) {
			sameLum(t, img)
		}
	}
	// Every value of every channel for the types with fast paths.
	g := image.NewGray(image.Rect(0, 0, 256, 1))
	for i := range g.Pix {
		g.Pix[i] = uint8(i)
	}
	sameLum(t, g)
	y := image.NewYCbCr(image.Rect(0, 0, 256, 256), image.YCbCrSubsampleRatio444)
	for v := 0; v < 256; v++ {
		for u := 0; u < 256; u++ {
			y.Y[v*256+u] = uint8(u)
			y.Cb[v*256+u] = uint8(v)
			y.Cr[v*256+u] = uint8(u ^ v)
		}
	}
	sameLum(t, y)
}

// TestDecodeSameAsPlain: the texts found are those of the plain gozxing
// path (NewBinaryBitmapFromImage) on codes drawn onto several image types.
func TestDecodeSameAsPlain(t *testing.T) {
	code, _ := Encode("https://micros0ft-login.com/verify?a=1", 200)
	for _, img := range []image.Image{
		image.NewGray(image.Rect(0, 0, 260, 260)),
		image.NewRGBA(image.Rect(0, 0, 260, 260)),
		image.NewNRGBA(image.Rect(0, 0, 260, 260)),
		image.NewYCbCr(image.Rect(0, 0, 260, 260), image.YCbCrSubsampleRatio420),
		image.NewPaletted(image.Rect(0, 0, 260, 260), color.Palette{color.White, color.Black}),
	} {
		set := func(x, y int, c color.Color) {
			switch m := img.(type) {
			case *image.Gray:
				m.Set(x, y, c)
			case *image.RGBA:
				m.Set(x, y, c)
			case *image.NRGBA:
				m.Set(x, y, c)
			case *image.Paletted:
				m.Set(x, y, c)
			case *image.YCbCr:
				yy, _, _ := color.RGBToYCbCr(color.RGBAModel.Convert(c).(color.RGBA).R, 0, 0)
				m.Y[m.YOffset(x, y)] = yy
				m.Cb[m.COffset(x, y)] = 128
				m.Cr[m.COffset(x, y)] = 128
			}
		}
		for y := 0; y < 260; y++ {
			for x := 0; x < 260; x++ {
				set(x, y, color.White)
			}
		}
		for y := 0; y < 200; y++ {
			for x := 0; x < 200; x++ {
				set(x+30, y+30, code.At(x, y))
			}
		}
		plain, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(lumSource(img)))
		if err != nil {
			t.Fatal(err)
		}
		pm, _ := plain.GetBlackMatrix()
		fm, _ := fast.GetBlackMatrix()
		if pm.String() != fm.String() {
			t.Errorf("%T: black matrix differs", img)
		}
		got, err := decodeImage(img, 8)
		if err != nil || len(got) != 1 || got[0] != "https://micros0ft-login.com/verify?a=1" {
			t.Errorf("%T: %v %v", img, got, err)
		}
	}
}

// FuzzLumSourceSame compares the luminance of fuzzed images of each type.
func FuzzLumSourceSame(f *testing.F) {
	f.Add(int64(1), uint8(7), uint8(9))
	f.Add(int64(2), uint8(1), uint8(1))
	f.Add(int64(3), uint8(40), uint8(3))
	f.Fuzz(func(t *testing.T, seed int64, w, h uint8) {
		for _, img := range randomImages(seed, int(w%64)+1, int(h%64)+1) {
			sameLum(t, img)
		}
	})
}

// FuzzDecodeSameAsPlain: decoding fuzzed image bytes gives the texts of
// the plain gozxing path.
func FuzzDecodeSameAsPlain(f *testing.F) {
	f.Add(pngOf(f, "https://example.com/", 120))
	f.Add([]byte("GIF89a"))
	// JPEG seeds (4:2:0 colour, odd size, and grey) for lumYCbCr and
	// the Gray copy.
	code, _ := Encode("https://example.com/", 61)
	col := image.NewRGBA(image.Rect(0, 0, 63, 61))
	for y := 0; y < 61; y++ {
		for x := 0; x < 63; x++ {
			r, g, b, _ := code.At(x, y).RGBA()
			col.Set(x, y, color.RGBA{uint8(r >> 8), uint8(g>>8) ^ uint8(x*4), uint8(b>>8) ^ uint8(y*4), 255})
		}
	}
	for _, m := range []image.Image{col, code} {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || img.Width*img.Height > 1<<18 || img.Width > 2048 || img.Height > 2048 {
			return
		}
		m, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		defer func() { recover() }()
		sameLum(t, m)
	})
}

// lumYCC is the luminance of one YCbCr colour by chromaTerms and lumTerms.
func lumYCC(y, cb, cr uint8) byte {
	dr, dg, db := chromaTerms(cb, cr)
	return lumTerms(int32(y)*0x10101, dr, dg, db)
}

// TestLumYCCAll: lumYCC (chromaTerms and lumTerms) is gozxing's
// luminance of every YCbCr colour; without chroma it is Y itself.
func TestLumYCCAll(t *testing.T) {
	for y := 0; y < 256; y++ {
		if got, want := byte(y), lumOf(color.YCbCr{uint8(y), 128, 128}.RGBA()); got != want {
			t.Fatalf("Y %d without chroma: %d, want %d", y, got, want)
		}
		for cb := 0; cb < 256; cb++ {
			for cr := 0; cr < 256; cr++ {
				if got, want := lumYCC(uint8(y), uint8(cb), uint8(cr)), lumOf(color.YCbCr{uint8(y), uint8(cb), uint8(cr)}.RGBA()); got != want {
					t.Fatalf("%d %d %d: %d, want %d", y, cb, cr, got, want)
				}
			}
		}
	}
}

// TestLumYCbCrAll: lumYCbCr's loop gives gozxing's luminance for every
// (y, cb, cr), read from 4:4:4 planes.
func TestLumYCbCrAll(t *testing.T) {
	m := image.NewYCbCr(image.Rect(0, 0, 256, 256), image.YCbCrSubsampleRatio444)
	for v := 0; v < 256; v++ {
		for u := 0; u < 256; u++ {
			m.Cb[v*256+u] = uint8(u)
			m.Cr[v*256+u] = uint8(v)
		}
	}
	out := make([]byte, 256*256)
	for y := 0; y < 256; y++ {
		for k := range m.Y {
			m.Y[k] = uint8(y)
		}
		if !lumYCbCr(m, out) {
			t.Fatal("not handled")
		}
		for k, l := range out {
			if want := lumOf(color.YCbCr{uint8(y), m.Cb[k], m.Cr[k]}.RGBA()); l != want {
				t.Fatalf("%d %d %d: %d, want %d", y, m.Cb[k], m.Cr[k], l, want)
			}
		}
	}
}

// TestLumShortPlanes: planes shorter than the rectangle needs (their
// capacity larger) panic as gozxing's loop does, not read past the length.
func TestLumShortPlanes(t *testing.T) {
	for _, ss := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio411} {
		for plane := 0; plane < 3; plane++ {
			m := image.NewYCbCr(image.Rect(0, 0, 9, 5), ss)
			switch plane {
			case 0:
				m.Y = m.Y[: len(m.Y)-1 : cap(m.Y)]
			case 1:
				m.Cb = m.Cb[: len(m.Cb)-1 : cap(m.Cb)]
			case 2:
				m.Cr = m.Cr[: len(m.Cr)-1 : cap(m.Cr)]
			}
			sameLum(t, m)
			if _, p := lumPanics(lumSource, m); !p {
				t.Errorf("%v plane %d: no panic", ss, plane)
			}
		}
	}
	g := image.NewGray(image.Rect(0, 0, 9, 5))
	big := make([]byte, len(g.Pix))
	g.Pix = big[:len(big)-1]
	sameLum(t, g)
	if _, p := lumPanics(lumSource, g); !p {
		t.Error("Gray: no panic")
	}
}
