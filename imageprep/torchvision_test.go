package imageprep

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
)

// pilImportable reports, once per test binary, whether Debian's python3
// imports Pillow and numpy (the first error) and torchvision with them
// (the second).
var pilImportable = sync.OnceValues(func() (error, error) {
	pil := exec.Command(testenv.DebianPython, "-c", "import PIL, numpy").Run()
	tv := exec.Command(testenv.DebianPython, "-c", "import PIL, numpy, torchvision").Run()
	return pil, tv
})

// pilReference runs testdata/pil_reference.py with Debian's python3 into a
// new folder, which it returns.
func pilReference(t *testing.T, withTorchvision bool, args ...string) string {
	t.Helper()
	pil, tv := pilImportable()
	if pil != nil {
		testenv.Missing(t, "Pillow and numpy are not importable by %s (Debian packages python3-pil, python3-numpy)", testenv.DebianPython)
	}
	if withTorchvision && tv != nil {
		testenv.Missing(t, "torchvision is not importable by %s (Debian package python3-torchvision)", testenv.DebianPython)
	}
	dir := t.TempDir()
	cmd := exec.Command(testenv.DebianPython, append([]string{"-W", "ignore", "testdata/pil_reference.py", args[0], dir}, args[1:]...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pil_reference.py %v: %v\n%s", args, err, out)
	}
	return dir
}

// resizeCases are (w, h) to (ow, oh): downscaling by integer and
// fractional factors (the kernel stretched, antialiasing), upscaling, both
// at once, and a single row and column.
var resizeCases = [][4]int{
	{300, 200, 384, 256}, {300, 200, 224, 149}, {200, 300, 117, 131}, {517, 389, 320, 240},
	{7, 5, 31, 17}, {50, 400, 120, 100}, {4, 1, 2, 1}, {1, 9, 3, 4}, {64, 64, 63, 65},
}

// TestResizeMatchesPillow resizes the synth pattern with imageprep's
// bicubic and bilinear and with Pillow's Image.resize (BICUBIC,
// BILINEAR): every sample must be equal.
func TestResizeMatchesPillow(t *testing.T) {
	var args []string
	for _, c := range resizeCases {
		for _, v := range c {
			args = append(args, fmt.Sprint(v))
		}
	}
	dir := pilReference(t, false, append([]string{"resize"}, args...)...)
	for _, c := range resizeCases {
		for _, f := range []struct {
			name   string
			resize func(*RGB, int, int) *RGB
		}{{"bicubic", resizeBicubic}, {"bilinear", resizeBilinear}} {
			name := fmt.Sprintf("%s_%d_%d_%d_%d", f.name, c[0], c[1], c[2], c[3])
			want, shape := testenv.ReadNpy(t, filepath.Join(dir, name+".npy"))
			got := f.resize(synth(c[0], c[1]), c[2], c[3])
			if len(shape) != 3 || shape[0] != got.H || shape[1] != got.W || len(want) != len(got.Pix) {
				t.Fatalf("%s: Pillow gives shape %v, imageprep %dx%d", name, shape, got.W, got.H)
			}
			bad := 0
			for i, w := range want {
				if float32(got.Pix[i]) != w {
					if bad < 3 {
						t.Errorf("%s: sample %d (x %d, y %d, c %d) = %d, Pillow %v", name, i, i/3%got.W, i/3/got.W, i%3, got.Pix[i], w)
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%s: %d of %d samples differ from Pillow's", name, bad, len(want))
			}
		}
	}
}

// TestBicubicSamples checks a few samples of a bicubic downscale and
// upscale against Pillow 9.4's, recorded, so that the filter is checked
// where Pillow is not installed too.
func TestBicubicSamples(t *testing.T) {
	checkSamples(t, "300x200 to 384x256", resizeBicubic(synth(300, 200), 384, 256), []sample{
		{0, 0, 0, 0, 0}, {383, 0, 129, 0, 43}, {0, 255, 113, 0, 199}, {383, 255, 242, 108, 236},
		{100, 37, 180, 215, 83}, {57, 200, 202, 192, 176}, {192, 128, 125, 134, 242},
	})
	checkSamples(t, "7x5 to 31x17", resizeBicubic(synth(7, 5), 31, 17), []sample{
		{0, 0, 0, 0, 0}, {30, 0, 17, 0, 6}, {0, 16, 29, 0, 4}, {30, 16, 47, 25, 2},
		{15, 8, 23, 6, 1}, {3, 11, 21, 1, 3},
	})
}

// TestModelPresetsMatchTorchvision compares every model preset with the
// transform of the model's DEFAULT weights in torchvision, and runs those
// transforms on a few images: imageprep's output must equal torchvision's
// (up to float rounding; the resizes themselves are exact). The models
// run cover every family and every distinct resize, filter and
// normalisation of the table.
func TestModelPresetsMatchTorchvision(t *testing.T) {
	run := map[string]bool{
		"regnet_y_400mf": true, "mobilenet_v3_small": true, "convnext_tiny": true, "convnext_small": true,
		"efficientnet_b0": true, "efficientnet_b1": true, "efficientnet_b2": true, "efficientnet_b3": true,
		"efficientnet_b4": true, "efficientnet_v2_s": true, "efficientnet_v2_l": true,
	}
	if testing.Short() {
		run = map[string]bool{"efficientnet_b3": true, "efficientnet_v2_l": true, "convnext_tiny": true}
	}
	imgDir := t.TempDir()
	// Landscape, portrait and one smaller than the crop, which is upscaled.
	images := []string{
		writePNG(t, imgDir, "a.png", synthNRGBA(517, 389)),
		writePNG(t, imgDir, "b.png", synthNRGBA(301, 450)),
		writePNG(t, imgDir, "c.png", synthNRGBA(150, 120)),
	}
	args := append([]string{"transforms"}, ModelPresets()...)
	dir := pilReference(t, true, append(append(args, "--"), images...)...)
	for _, name := range ModelPresets() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := PresetFor(name, "torch"); got != name {
				t.Errorf("PresetFor(%q) = %q", name, got)
			}
			b, err := os.ReadFile(filepath.Join(dir, name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var tv struct {
				Crop, Resize  int
				Interpolation string
				Mean, Std     [3]float32
			}
			if err := json.Unmarshal(b, &tv); err != nil {
				t.Fatal(err)
			}
			if p.CropSize != tv.Crop || p.ResizeSize != tv.Resize || p.Interp.String() != tv.Interpolation || p.Mean != tv.Mean || p.Std != tv.Std {
				t.Errorf("preset crop %d resize %d %v mean %v std %v; torchvision's DEFAULT transforms: %+v", p.CropSize, p.ResizeSize, p.Interp, p.Mean, p.Std, tv)
			}
			if !run[name] {
				return
			}
			want, shape := testenv.ReadNpy(t, filepath.Join(dir, name+".npy"))
			got, err := Load(images, p, 3, p.CropSize)
			if err != nil {
				t.Fatal(err)
			}
			if len(shape) != 4 || shape[2] != p.CropSize || len(got) != len(want) {
				t.Fatalf("torchvision gives %v, imageprep %d values at %d", shape, len(got), p.CropSize)
			}
			worst := 0.0
			for i := range want {
				worst = max(worst, math.Abs(float64(got[i]-want[i])))
			}
			// One float32 rounding of values up to |2.7|.
			if worst > 1e-6 {
				t.Errorf("largest difference from torchvision's transforms %.3g", worst)
			}
		})
	}
}

// A model preset scales its resize in proportion at other input sizes, as
// "torch" does with 256/224, rounding half up.
func TestShorterSide(t *testing.T) {
	torch, _ := Preset("torch")
	for _, c := range []struct {
		name       string
		size, want int
	}{
		{"efficientnet_b3", 300, 320}, {"efficientnet_b3", 224, 239}, {"efficientnet_b3", 150, 160},
		{"efficientnet_b1", 240, 255}, {"efficientnet_b1", 16, 17}, {"efficientnet_b7", 64, 64},
		{"convnext_tiny", 224, 236}, {"convnext_tiny", 112, 118}, {"mobilenet_v2", 160, 166},
	} {
		p, err := Preset(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.ShorterSide(c.size); got != c.want {
			t.Errorf("%s: ShorterSide(%d) = %d, want %d", c.name, c.size, got, c.want)
		}
	}
	for s := 1; s < 1000; s++ {
		if torch.ShorterSide(s) != ResizeShorter(s) {
			t.Fatalf("torch: ShorterSide(%d) = %d, ResizeShorter %d", s, torch.ShorterSide(s), ResizeShorter(s))
		}
	}
	if p, _ := Preset("efficientnet_b3"); p.Interp != Bicubic || p.ResizeSize != 320 || p.CropSize != 300 {
		t.Errorf("efficientnet_b3: %+v", p)
	}
}

// A resize and crop pair the crop does not fit in is refused, not a
// panic in the crop.
func TestResizeCropPairErrors(t *testing.T) {
	base, _ := Preset("torch")
	for _, c := range [][2]int{{200, 224}, {256, 0}, {0, 224}, {1 << 20, 224}, {-1, -1}} {
		p := base
		p.ResizeSize, p.CropSize = c[0], c[1]
		if err := p.Apply(synth(10, 10), 4, make([]float32, 3*4*4)); err == nil {
			t.Errorf("resize %d crop %d: no error", c[0], c[1])
		}
	}
	bad := base
	bad.Interp = Bicubic + 1
	if err := bad.Apply(synth(10, 10), 4, make([]float32, 3*4*4)); err == nil {
		t.Error("an unknown filter: no error")
	}
}
