package cli

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePNG(t *testing.T, path string, w, h int, seed uint8) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x*7) + seed, uint8(y*5) + seed, uint8(x + y), 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// TestRunNativeImages classifies two images natively: one row per image
// and rank, ImageNet labels for a 1000-class model.
func TestRunNativeImages(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	writePNG(t, a, 80, 60, 0)
	writePNG(t, b, 50, 90, 40)
	var out, errb bytes.Buffer
	args := []string{"run", "resnet18", "--set", "size=64", "--input", a, "--input", b, "--top", "2", "--threads", "1"}
	if code := Main(args, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "native, 1 thread") || !strings.Contains(errb.String(), "2 images with torch preprocessing") {
		t.Errorf("stderr %q", errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1+2*2 || !strings.HasPrefix(lines[1], a) || !strings.HasPrefix(lines[3], b) {
		t.Fatalf("table:\n%s", out.String())
	}
	if f := strings.Fields(lines[1]); len(f) < 5 || f[3] == "-" {
		t.Errorf("no ImageNet label in %q", lines[1])
	}
}

// TestRunBadInputs: each mistake in the input is a clear error with exit 1.
func TestRunBadInputs(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.png")
	os.WriteFile(junk, []byte("not an image"), 0o644)
	w := filepath.Join(dir, "w.safetensors")
	var out, errb bytes.Buffer
	if code := Main([]string{"weights", "cifar_resnet20", "-o", w}, &out, &errb); code != exitOK {
		t.Fatal(errb.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "cifar_resnet20", "--input", filepath.Join(dir, "missing.png")}, "missing.png"},
		{[]string{"run", "cifar_resnet20", "--input", junk}, "junk.png"},
		{[]string{"run", "cifar_resnet32", "--weights", w}, "missing"},
	} {
		var out, errb bytes.Buffer
		code := Main(c.args, &out, &errb)
		if code != exitUser || !strings.Contains(errb.String(), c.want) || strings.Contains(errb.String(), "goroutine") {
			t.Errorf("resc %s: exit %d, stderr %q; want exit 1 and %q", strings.Join(c.args, " "), code, errb.String(), c.want)
		}
	}
}

// TestBench measures a small model on both backends, and natively at two
// levels: one table with the ratio to onnxruntime.
func TestBench(t *testing.T) {
	requireORT(t)
	var out, errb bytes.Buffer
	// Progress shows on a terminal, as Main finds it.
	c := &ctx{stdout: &out, stderr: &errb, progress: true}
	if code := mainCtx(c, []string{"bench", "cifar_resnet20", "--runs", "2", "--warmup", "1", "--threads", "1"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"cifar_resnet20, batch 1", "native, 1 thread", "onnxruntime 1.24.1 on cpu, 1 thread", "1.00x", "GFLOP/s", "cpu ms"} {
		if !strings.Contains(s, want) {
			t.Errorf("bench output lacks %q:\n%s", want, s)
		}
	}
	// Two backends, one warm-up and two measured runs each: six in all.
	if !strings.Contains(errb.String(), "run 6/6") {
		t.Errorf("no progress on stderr: %q", errb.String())
	}
}

// TestBenchLevels compares optimisation levels in one run.
func TestBenchLevels(t *testing.T) {
	requireORT(t)
	var out, errb bytes.Buffer
	args := []string{"bench", "cifar_resnet20", "--runs", "2", "--warmup", "0", "--threads", "1", "--backend", "native:O0,native:O2,onnx"}
	if code := Main(args, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"native -O0, 1 thread", "native -O2, 1 thread", "1.00x"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("bench output lacks %q:\n%s", want, out.String())
		}
	}
}
