package chart

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/stdlib"
)

// TestChromiumRendersSVG has a headless Chromium (Debian's chromium) draw
// the SVG chart to a PNG: it must do so without error, and the screenshot
// must be a chart, not an empty or one-colour page.
func TestChromiumRendersSVG(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		testenv.Missing(t, "chromium is not installed (Debian package chromium)")
	}
	points, _ := allPoints(t)
	dir := t.TempDir()
	svg := filepath.Join(dir, "chart.svg")
	if err := os.WriteFile(svg, render(t, SVG, points), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The page is 720x468pt, 960x624 CSS pixels; the window holds it.
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1000,660",
		"--screenshot="+shot, "file://"+svg)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v\n%s", err, out)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	checkNotBlank(t, img)
}

// debianPython is Debian's interpreter, the one python3-torchvision
// installs for.
const debianPython = "/usr/bin/python3"

// TestTorchvisionFigures checks the torchvision rows of accuracy.tsv
// against torchvision's own weights metadata (Debian's python3-torchvision):
// the same top-1 and top-5, the weights named exist and are torchvision's
// DEFAULT, and the file named in the note is theirs.
func TestTorchvisionFigures(t *testing.T) {
	rows, err := stdlib.Accuracies()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	byWeights := map[string]stdlib.Accuracy{}
	for _, r := range rows {
		if strings.Contains(r.Source, "github.com/pytorch/vision/") {
			names = append(names, r.Weights)
			byWeights[r.Weights] = r
		}
	}
	if len(names) < 10 {
		t.Fatalf("%d torchvision rows, want at least the 10 of resnet.res", len(names))
	}
	const script = `
import json, sys
import torchvision.models as m
out = {}
for name in sys.argv[1:]:
    cls, tag = name.split(".")
    enum = getattr(m, cls)
    w = getattr(enum, tag)
    acc = w.meta["_metrics"]["ImageNet-1K"]
    out[name] = {"top1": acc["acc@1"], "top5": acc["acc@5"], "file": w.url.rsplit("/", 1)[1], "default": enum.DEFAULT == w}
print(json.dumps(out))
`
	if err := exec.Command(debianPython, "-c", "import torchvision").Run(); err != nil {
		testenv.Missing(t, "torchvision is not importable by %s (Debian package python3-torchvision): %v", debianPython, err)
	}
	out, err := exec.Command(debianPython, append([]string{"-c", script}, names...)...).Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var meta map[string]struct {
		Top1, Top5 float64
		File       string
		Default    bool
	}
	if err := json.Unmarshal(out, &meta); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		r, m := byWeights[name], meta[name]
		if r.Top1 != m.Top1 || r.Top5 != m.Top5 {
			t.Errorf("%s (%s): top1/top5 %v/%v, torchvision says %v/%v", r.Model, name, r.Top1, r.Top5, m.Top1, m.Top5)
		}
		if !m.Default {
			t.Errorf("%s: %s is not torchvision's DEFAULT weights", r.Model, name)
		}
		if !strings.HasPrefix(r.Note, m.File) {
			t.Errorf("%s: the note %q does not start with the weights file %s", r.Model, r.Note, m.File)
		}
	}
}
