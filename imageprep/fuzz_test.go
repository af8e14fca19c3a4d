package imageprep

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// fuzzMaxBytes and fuzzBudget keep each fuzzed image small: the
// decoders' corner cases fit in a few kilobytes, and an image that
// declares millions of pixels only tests the allocator (a budget of a few
// hundred thousand pixels refuses it from its header).
const (
	fuzzMaxBytes = 64 << 10
	fuzzBudget   = 4 << 20
)

// fuzzSeeds are tiny images in each colour model the decoders produce.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	rect := image.Rect(0, 0, 5, 3)
	gray := image.NewGray(rect)
	gray16 := image.NewGray16(rect)
	rgba := image.NewNRGBA(rect)
	rgba64 := image.NewNRGBA64(rect)
	pal := image.NewPaletted(rect, color.Palette{color.Black, color.White, color.NRGBA{200, 10, 10, 128}})
	for y := range 3 {
		for x := range 5 {
			v := uint8(40*x + 30*y)
			gray.SetGray(x, y, color.Gray{v})
			gray16.SetGray16(x, y, color.Gray16{uint16(v) << 8})
			rgba.SetNRGBA(x, y, color.NRGBA{v, 255 - v, v / 2, 100 + v/2})
			rgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(v) << 8, 1000, 65535, 40000})
			pal.SetColorIndex(x, y, uint8((x+y)%3))
		}
	}
	var out [][]byte
	for _, img := range []image.Image{gray, gray16, rgba, rgba64, pal} {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	for _, img := range []image.Image{gray, rgba} {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 50}); err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	return append(out, []byte{}, []byte("GIF89a"), pngMagic, jpegMagic)
}

// FuzzDecode feeds Decode's steps arbitrary files and preprocesses what
// decodes, in both resize modes: an image whose size the header promised,
// within its estimated cost, or an error; never a panic, never an
// allocation past the budget (a lowered one here, so that hostile headers
// meet it).
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add(bombPNG(f, 3000, 3000))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxBytes {
			return
		}
		path := filepath.Join(dir, "in")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		h, err := openImage(path, fuzzBudget)
		if err != nil {
			return
		}
		defer h.close()
		img, err := h.decode()
		if err != nil {
			return
		}
		if img.W < 1 || img.H < 1 || len(img.Pix) != 3*img.W*img.H {
			t.Fatalf("decoded a %dx%d image with %d bytes", img.W, img.H, len(img.Pix))
		}
		if cost := int64(img.W) * int64(img.H) * 4; cost > h.cost {
			t.Fatalf("a %dx%d image decoded past its estimated cost %d", img.W, img.H, h.cost)
		}
		for _, preset := range []string{"torch", "cifar", "efficientnet_b3"} { // bilinear crop, stretch, bicubic crop
			p, err := Preset(preset)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Apply(img, 7, make([]float32, 3*7*7)); err != nil {
				t.Fatalf("%s: %v", preset, err)
			}
		}
	})
}
