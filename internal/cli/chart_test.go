package cli

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/chart"
)

// resc chart writes SVG and PNG, lists what it leaves out, and refuses
// bad flags with exit 2.
func TestChartCommand(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "c.svg")
	code, _, errs := runIn(t, "", "chart", "-o", svg, "--models", "resnet*,cifar_resnet20")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "cifar_resnet20") || !strings.Contains(errs, "not an ImageNet classifier") || !strings.Contains(errs, "wrote "+svg+": 11 models") {
		t.Errorf("stderr does not list the left-out model and the count:\n%s", errs)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(new(struct{})); err != nil {
		t.Errorf("the SVG does not parse: %v", err)
	}
	code, out, _ := runIn(t, "", "chart", "-o", "-", "--models", "resnet*,cifar_resnet20")
	if code != exitOK || out != string(b) {
		t.Errorf("-o - (exit %d) wrote %d bytes, -o FILE %d", code, len(out), len(b))
	}

	pngFile := filepath.Join(dir, "c.png")
	if code, _, errs := runIn(t, "", "chart", "--models", "keras_*", "-o", pngFile); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f, err := os.Open(pngFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := chart.PNGSize(6); img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Errorf("PNG is %v, want %dx%d", img.Bounds(), w, h)
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"chart", "-o", filepath.Join(dir, "c.pdf")}, exitUsage, ".svg or .png"},
		{[]string{"chart", "--models", "[", "-o", svg}, exitUsage, "not a valid pattern"},
		{[]string{"chart", "--models", "resnet*,nosuch*", "-o", svg}, exitUsage, "nosuch* matches no stdlib model"},
		{[]string{"chart", "--models", "a,,b", "-o", svg}, exitUsage, "empty pattern"},
		{[]string{"chart", "resnet50"}, exitUsage, "takes no arguments"},
		{[]string{"chart", "--models", "cifar_*", "-o", svg}, exitUser, "no model to chart"},
		{[]string{"chart", "-o", dir + "/nodir/c.svg"}, exitUser, "cannot write"},
		{[]string{"chart", "-o", dir + ".svg/"}, exitUsage, ".svg or .png"},
	} {
		code, _, errs := runIn(t, "", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("resc %s: exit %d, want %d and %q in:\n%s", strings.Join(c.args, " "), code, c.code, c.want, errs)
		}
	}
	w, h := chart.PNGSize(0)
	bigW, bigH := chart.PNGSize(1000)
	if code, out, _ := runIn(t, "", "help", "chart"); code != exitOK || !strings.Contains(out, "--models") || !strings.Contains(out, "Bianco") || !strings.Contains(out, fmt.Sprintf("%dx%d pixels", w, h)) || !strings.Contains(out, fmt.Sprintf("%dx%d", bigW, bigH)) {
		t.Errorf("resc help chart: exit %d\n%s", code, out)
	}
}

// A pattern without wildcards names its model, which the chart then
// always labels; a wildcard only matches.
func TestChartMarksNamed(t *testing.T) {
	ps, err := modelPatterns("resnet*, cm_resnet50")
	if err != nil {
		t.Fatal(err)
	}
	points := []chart.Point{{Model: "resnet50"}, {Model: "cm_resnet50"}, {Model: "resnet18"}}
	points[2].Named = true // a stale mark is cleared
	ps.markNamed(points)
	for i, want := range []bool{false, true, false} {
		if points[i].Named != want {
			t.Errorf("%s: named %v, want %v", points[i].Model, points[i].Named, want)
		}
	}
}
