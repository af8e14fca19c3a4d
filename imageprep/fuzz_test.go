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

// FuzzDecode feeds Decode arbitrary files: it must return an image whose
// size the header promised, or an error; never panic, never allocate past
// the budget (a lowered one here, so that hostile headers meet it).
func FuzzDecode(f *testing.F) {
	var p, j bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.NRGBA{10, 200, 30, 128})
	png.Encode(&p, img)
	jpeg.Encode(&j, img, nil)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(bombPNG(f, 3000, 3000))
	f.Add([]byte("GIF89a"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		path := filepath.Join(dir, "in")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := openImage(path, 4<<20) // a few hundred thousand pixels: each input stays fast
		if err != nil {
			return
		}
		defer h.close()
		rgb, err := h.decode()
		if err != nil {
			return
		}
		if len(rgb.Pix) != 3*rgb.W*rgb.H || rgb.W < 1 || rgb.H < 1 {
			t.Fatalf("decoded %dx%d with %d bytes", rgb.W, rgb.H, len(rgb.Pix))
		}
		if cost := int64(rgb.W) * int64(rgb.H) * 4; cost > h.cost {
			t.Fatalf("a %dx%d image decoded past its estimated cost %d", rgb.W, rgb.H, h.cost)
		}
	})
}
