package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/stdlib"
)

// collected is Collect(nil), computed once per test binary.
var collected = sync.OnceValues(func() (struct {
	points []Point
	left   []Omission
}, error) {
	p, l, err := Collect(nil)
	return struct {
		points []Point
		left   []Omission
	}{p, l}, err
})

func allPoints(t *testing.T) ([]Point, []Omission) {
	t.Helper()
	c, err := collected()
	if err != nil {
		t.Fatal(err)
	}
	return c.points, c.left
}

// Every model of the accuracy table is a stdlib model, and every stdlib
// model that classifies ImageNet (1000 classes, found here from its
// summary, not from Collect) has a row: charted or left out with the
// reason; every stdlib model is charted or listed as left out, once.
func TestTableCoversStdlib(t *testing.T) {
	models, err := resc.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := stdlib.Accuracies()
	if err != nil {
		t.Fatal(err)
	}
	row := map[string]stdlib.Accuracy{}
	for _, r := range rows {
		row[r.Model] = r
	}
	known := map[string]bool{}
	for _, m := range models {
		known[m.Name] = true
	}
	for _, r := range rows {
		if !known[r.Model] {
			t.Errorf("accuracy.tsv: %s is not a stdlib model", r.Model)
		}
	}
	points, left := allPoints(t)
	seen := map[string]int{}
	for _, p := range points {
		seen[p.Model]++
		if r, ok := row[p.Model]; !ok || !r.Published || r.Top1 != p.Top1 {
			t.Errorf("%s charted at %v without its published figure (%+v)", p.Model, p.Top1, r)
		}
	}
	for _, o := range left {
		seen[o.Model]++
		if o.Reason == "" {
			t.Errorf("%s left out without a reason", o.Model)
		}
	}
	for _, m := range models {
		if seen[m.Name] != 1 {
			t.Errorf("%s is charted or listed %d times, want once", m.Name, seen[m.Name])
		}
		mod, err := resc.LoadStdlib(m.Name, resc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := mod.Summary()
		if err != nil {
			t.Fatal(err)
		}
		out := s.Outputs[0].Shape
		if len(s.Outputs) == 1 && out[len(out)-1] == 1000 {
			if _, ok := row[m.Name]; !ok {
				t.Errorf("ImageNet model %s has no row in accuracy.tsv (a figure, or '-' and the reason)", m.Name)
			}
		} else if _, ok := row[m.Name]; ok {
			t.Errorf("%s (%d classes) has an ImageNet row", m.Name, out[len(out)-1])
		}
	}
	if len(points) < 40 {
		t.Errorf("%d models charted", len(points))
	}
}

// A figure measured at another size than the model's default is charted
// at the MACs of that size: resnet101d's ra2 weights are at 256.
func TestMACsAtFigureSize(t *testing.T) {
	points, _ := allPoints(t)
	m, err := resc.LoadStdlib("resnet101d", resc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Summary()
	for _, p := range points {
		if p.Model != "resnet101d" {
			continue
		}
		// MACs scale with the pixels, but for the classifier.
		ratio := float64(p.MACs) / float64(s.MACs)
		if p.Size != 256 || ratio < 1.29 || ratio > 1.31 {
			t.Errorf("resnet101d charted at size %d with %d MACs, %.3f x its 224 MACs; want 256 and (256/224)^2 = 1.306", p.Size, p.MACs, ratio)
		}
		return
	}
	t.Fatal("resnet101d is not charted")
}

func TestCollectFilters(t *testing.T) {
	points, left, err := Collect(func(n string) bool { return strings.HasPrefix(n, "keras_") || n == "cifar_resnet20" })
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 6 || len(left) != 1 || left[0].Model != "cifar_resnet20" {
		t.Errorf("keras_* and cifar_resnet20: %d points, left out %v", len(points), left)
	}
}

func render(t *testing.T, f Format, points []Point) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f, points); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The SVG is well-formed XML with one filled circle per charted model
// (plus one swatch per family in the legend), each model's bubble titled
// with its name (the tooltip) at its radius, each label once and those
// that must be labelled there; the same points give the same bytes.
func TestSVG(t *testing.T) {
	points, _ := allPoints(t)
	svg := render(t, SVG, points)
	if !bytes.Equal(svg, render(t, SVG, points)) {
		t.Error("two renderings of the same chart differ")
	}
	filled, texts, titles := 0, map[string]int{}, map[string]string{}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var inText, inTitle bool
	var circleD string // the d of the filled circle being read
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inText, inTitle = e.Name.Local == "text", e.Name.Local == "title"
			if e.Name.Local == "path" && isFilledCircle(e) {
				filled++
				circleD = attr(e, "d")
			}
		case xml.CharData:
			switch {
			case inText:
				texts[string(e)]++
			case inTitle:
				if _, dup := titles[string(e)]; dup {
					t.Errorf("two bubbles titled %s", e)
				}
				titles[string(e)] = circleD
			}
		case xml.EndElement:
			inText, inTitle = false, false
		}
	}
	if want := len(points) + len(familiesOf(points)); filled != want {
		t.Errorf("%d filled circles, want %d (%d models + %d legend swatches)", filled, want, len(points), len(familiesOf(points)))
	}
	b := &bubbles{points: points}
	for _, p := range points {
		b.maxParams = max(b.maxParams, p.Params)
	}
	needs := labelNeeds(points)
	for i, p := range points {
		if texts[p.Model] > 1 || needs[i] == labelAlways && texts[p.Model] != 1 {
			t.Errorf("label %s appears %d times", p.Model, texts[p.Model])
		}
		d, ok := titles[p.Model]
		if !ok {
			t.Errorf("no bubble has the tooltip %s", p.Model)
			continue
		}
		// vgsvg's circle: M... A r,r ...; r in points to 5 digits.
		want := fmt.Sprintf("A%.5g,%.5g ", b.radius(p).Points(), b.radius(p).Points())
		if !strings.Contains(d, want) {
			t.Errorf("the bubble titled %s is %q, want a radius of %s", p.Model, d, want)
		}
	}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// isFilledCircle: a path of two arcs (vgsvg draws a circle so) with a
// fill.
func isFilledCircle(e xml.StartElement) bool {
	return strings.Count(attr(e, "d"), "A") == 2 && !strings.Contains(attr(e, "style"), "fill:none")
}

// The PNG decodes at the advertised size, is not blank, and is
// deterministic.
func TestPNG(t *testing.T) {
	points, _ := allPoints(t)
	b := render(t, PNG, points)
	if !bytes.Equal(b, render(t, PNG, points)) {
		t.Error("two renderings of the same chart differ")
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	w, h := PNGSize(len(points))
	if img.Bounds().Dx() != w || img.Bounds().Dy() != h || w < 1000 {
		t.Errorf("PNG is %v, want %dx%d", img.Bounds(), w, h)
	}
	checkNotBlank(t, img)
}

// checkNotBlank fails unless img has many colours and a fair share of
// non-white pixels: a chart, not an empty page.
func checkNotBlank(t *testing.T, img image.Image) {
	t.Helper()
	colours := map[[4]uint32]bool{}
	inked, total := 0, 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, b, a}] = true
			if r < 0xF000 || g < 0xF000 || b < 0xF000 {
				inked++
			}
			total++
		}
	}
	if len(colours) < 50 || inked < total/20 {
		t.Errorf("the image looks empty: %d colours, %d of %d pixels inked", len(colours), inked, total)
	}
}

// In the full stdlib chart no label overlaps another, the legend or
// another model's bubble, every label is on the page, and every model that
// must be labelled is.
func TestLabelsDoNotOverlap(t *testing.T) {
	points, _ := allPoints(t)
	checkLayout(t, points)
}

// checkLayout lays out the chart of points on its page and checks the
// labels: on the page, clear of each other, of the legend and of the other
// bubbles; each family's frontier and each named model labelled; the
// legend clear of the bubbles.
func checkLayout(t *testing.T, points []Point) *bubbles {
	t.Helper()
	p, b := newPlot(points)
	w, h := pageSize(len(points))
	if _, err := p.WriterTo(w, h, "png"); err != nil {
		t.Fatal(err)
	}
	d := b.drawn
	if len(d.labels) != len(points) {
		t.Fatalf("%d labels for %d points", len(d.labels), len(points))
	}
	needs := labelNeeds(points)
	labelled := 0
	for i, l := range d.labels {
		if l.text == "" {
			if needs[i] == labelAlways {
				t.Errorf("%s (named or on its family's frontier) is not labelled", points[i].Model)
			}
			continue
		}
		labelled++
		if l.text != points[i].Model {
			t.Errorf("bubble of %s labelled %s", points[i].Model, l.text)
		}
		if area(intersect(l.box, d.page)) != area(l.box) {
			t.Errorf("label %s is off the page", l.text)
		}
		if area(intersect(l.box, d.legend)) > 0 {
			t.Errorf("label %s overlaps the legend", l.text)
		}
		for j, m := range d.labels[i+1:] {
			if m.text != "" && area(intersect(l.box, m.box)) > 0 {
				t.Errorf("labels %s and %s overlap", l.text, d.labels[i+1+j].text)
			}
		}
		for j, c := range d.circles {
			if j != i && circleBoxOverlap(c, l.box) > 0 {
				t.Errorf("label %s overlaps the bubble of %s", l.text, points[j].Model)
			}
		}
	}
	for j, c := range d.circles {
		if circleBoxOverlap(c, d.legend) > 0 {
			t.Errorf("the legend covers the bubble of %s", points[j].Model)
		}
	}
	t.Logf("%d of %d bubbles labelled", labelled, len(points))
	return b
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.svg": SVG, "b/c.SVG": SVG, "x.png": PNG} {
		if f, err := FormatOf(name); err != nil || f != want {
			t.Errorf("FormatOf(%q) = %v, %v", name, f, err)
		}
	}
	for _, name := range []string{"chart.pdf", "chart", "svg"} {
		if _, err := FormatOf(name); err == nil {
			t.Errorf("FormatOf(%q): no error", name)
		}
	}
}

func TestRenderNothing(t *testing.T) {
	if err := Render(io.Discard, SVG, nil); err == nil {
		t.Error("an empty chart rendered")
	}
}
