package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an output format of the chart.
type Format int

const (
	SVG Format = iota
	PNG
)

// FormatOf picks the format from a file name's extension, .svg or .png.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".svg":
		return SVG, nil
	case ".png":
		return PNG, nil
	}
	return 0, fmt.Errorf("%s: the chart is written as .svg or .png", name)
}

// The page: Width x Height for up to pageModels bubbles, and PNG's
// resolution. A chart of more models gets a page of as much more area
// (the same aspect), up to maxPageScale times as wide: over a hundred
// stdlib models crowd the base page until labels only fit far from their
// bubbles.
const (
	Width        = 12 * vg.Inch
	Height       = 7.5 * vg.Inch
	DPI          = 160
	pageModels   = 60
	maxPageScale = 4.0 / 3
)

// pageSize is the page of a chart of n models.
func pageSize(n int) (w, h vg.Length) {
	k := min(max(1, math.Sqrt(float64(n)/pageModels)), maxPageScale)
	// Whole points, so that sizes in pixels and points stay round.
	return vg.Length(math.Round(float64(Width) * k)), vg.Length(math.Round(float64(Height) * k))
}

// PNGSize is the size in pixels of a PNG chart of n models.
func PNGSize(n int) (width, height int) {
	w, h := pageSize(n)
	return int(math.Round(w.Dots(DPI))), int(math.Round(h.Dots(DPI)))
}

// margin is the blank border of the page.
const margin = 6 * vg.Length(1)

// sans is the text face: Liberation Sans, which gonum/plot ships (so the
// metrics that place the labels are those of the font drawn) and which SVG
// output embeds.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Render writes the chart of points to w. Equal points give equal bytes.
func Render(w io.Writer, f Format, points []Point) error {
	if len(points) == 0 {
		return fmt.Errorf("no model to chart")
	}
	p, b := newPlot(points)
	pw, ph := pageSize(len(points))
	var c interface {
		vg.CanvasWriterTo
	}
	switch f {
	case SVG:
		c = vgsvg.NewWith(vgsvg.UseWH(pw, ph), vgsvg.EmbedFonts(true))
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(pw, ph), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))}
	default:
		return fmt.Errorf("unknown chart format %d", f)
	}
	p.Draw(draw.Crop(draw.New(c), margin, -margin, margin, -margin))
	if f != SVG {
		_, err := c.WriteTo(w)
		return err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return err
	}
	svg, err := addTooltips(buf.Bytes(), b.drawn.filled)
	if err != nil {
		return err
	}
	_, err = w.Write(svg)
	return err
}

// newPlot lays out the chart: axes, grid, bubbles with their labels, and
// a legend of the families. The bubbles plotter is returned for tests,
// which read where it put the labels.
func newPlot(points []Point) (*plot.Plot, *bubbles) {
	p := plot.New()
	setFonts(p)
	p.Title.Text = "ImageNet top-1 accuracy against operations (bubble area proportional to parameters)"
	p.X.Label.Text = "GMACs per image, at the input size of the published figure"
	p.Y.Label.Text = "ImageNet-1k top-1 accuracy (%)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	p.Y.Tick.Marker = stepTicks{}
	p.Add(plotter.NewGrid())

	families := familiesOf(points)
	b := &bubbles{points: points, colors: map[string]color.Color{}}
	for _, fam := range families {
		b.colors[fam] = familyColor(fam)
	}
	for _, pt := range points {
		b.maxParams = max(b.maxParams, pt.Params)
		// Room right of the rightmost bubble for its label: a quarter
		// more on the log axis (a tenth of a decade).
		p.X.Max = max(p.X.Max, 1.25*x(pt))
	}
	b.label = labelStyle()
	p.Add(b)
	return p, b
}

// setFonts puts the plot's text in sans, sizes kept.
func setFonts(p *plot.Plot) {
	for _, st := range []*font.Font{
		&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font,
	} {
		*st = font.From(sans, st.Size)
	}
	p.Title.TextStyle.Font.Size = 13
}

// familiesOf lists the points' families, sorted.
func familiesOf(points []Point) []string {
	var out []string
	for _, p := range points {
		if !slices.Contains(out, p.Family) {
			out = append(out, p.Family)
		}
	}
	slices.Sort(out)
	return out
}

// familyNames describes the stdlib modules in the legend.
var familyNames = map[string]string{
	"resnet":       "torchvision ResNet, ResNeXt, Wide ResNet (resnet)",
	"timm":         "timm ResNet-C/D, ResNeXt (timm)",
	"senet":        "timm SE-ResNet(X)t, ECA-ResNet (senet)",
	"keras":        "Keras ResNet, ResNetV2 (keras)",
	"cm":           "classification_models (cm)",
	"res2net":      "timm Res2Net, Res2NeXt (res2net)",
	"resnest":      "timm ResNeSt (resnest)",
	"sknet":        "timm SK-ResNet(X)t (sknet)",
	"mobilenet":    "torchvision MobileNet V2, V3 (mobilenet)",
	"regnet":       "torchvision RegNetX, RegNetY (regnet)",
	"efficientnet": "torchvision EfficientNet B0-B7, V2 S/M/L (efficientnet)",
	"convnext":     "torchvision ConvNeXt (convnext)",
	"detection":    "torchvision ResNet-50-FPN detection backbone (detection)",
}

func familyName(module string) string {
	if n, ok := familyNames[module]; ok {
		return n
	}
	return module
}
