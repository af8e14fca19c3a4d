package viz

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/resc-dev/resc/internal/fold"
	"github.com/resc-dev/resc/internal/testenv"
)

// TestChromiumRenders has a headless Chromium (Debian's chromium) render
// drawings to PNG: it must exit 0 and the image must show the drawing,
// not a blank page or an XML error page: several colours, among them
// the fill of a conv box.
func TestChromiumRenders(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		testenv.Missing(t, "no chromium in PATH (Debian package chromium)")
	}
	for _, c := range []struct {
		model        string
		level, depth int
	}{{"resnet18", 0, 0}, {"keras_resnet50v2", 2, 3}} {
		t.Run(c.model, func(t *testing.T) {
			dir := t.TempDir()
			svgPath := filepath.Join(dir, "g.svg")
			var b bytes.Buffer
			if err := WriteSVG(&b, fold.Fold(graphAt(t, c.model, c.level), c.depth), c.model); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(svgPath, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			pngPath := filepath.Join(dir, "g.png")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, chromium, "--headless", "--disable-gpu", "--no-sandbox",
				"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=800,1000",
				"--screenshot="+pngPath, "file://"+svgPath)
			cmd.Env = append(os.Environ(), "HOME="+dir)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, out)
			}
			f, err := os.Open(pngPath)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("chromium's screenshot: %v", err)
			}
			colours, conv := countColours(img)
			if colours < 8 {
				t.Errorf("the screenshot has %d colours: nothing drawn", colours)
			}
			if !conv {
				t.Error("no pixel of a conv box's fill (#dbeafe) in the screenshot")
			}
		})
	}
}

// countColours counts an image's distinct colours and says whether the
// conv fill is among them.
func countColours(img image.Image) (int, bool) {
	seen := map[[3]uint32]bool{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
		}
	}
	return len(seen), seen[[3]uint32{0xdb, 0xea, 0xfe}]
}
