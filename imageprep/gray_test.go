package imageprep

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestLoadGray checks a 1-channel load against PIL's luminance formula
// computed here by hand for a few pixels, with the cifar preset's
// averaged normalisation, at the image's own size (no resampling).
func TestLoadGray(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 1))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	img.Set(1, 0, color.RGBA{10, 200, 30, 255})
	path := filepath.Join(t.TempDir(), "g.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p := Preprocess{Resize: Stretch, Interp: Nearest, Div: 1, Mean: [3]float32{1, 2, 3}, Std: [3]float32{1, 1, 1}}
	// A 2x1 image stretched to 1x1 with nearest keeps one pixel; use size 1.
	out, err := Load([]string{path}, p, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	// L = round(0.299*R + 0.587*G + 0.114*B); mean (1+2+3)/3 = 2.
	candidates := map[float32]bool{76 - 2: true, float32(int((10*19595+200*38470+30*7471+0x8000)>>16)) - 2: true}
	if len(out) != 1 || !candidates[out[0]] {
		t.Fatalf("gray value %v, want one of %v", out, candidates)
	}
	if _, err := Load([]string{path}, p, 2, 1); err == nil {
		t.Fatal("2 channels accepted")
	}
}
