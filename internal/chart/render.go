package chart

import (
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

// The page: Width x Height, and PNG's resolution.
const (
	Width  = 12 * vg.Inch
	Height = 7.5 * vg.Inch
	DPI    = 160
)

// PNGSize is the size in pixels of a PNG chart.
func PNGSize() (width, height int) {
	return int(math.Round(Width.Dots(DPI))), int(math.Round(Height.Dots(DPI)))
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
	p, _ := newPlot(points)
	var c interface {
		vg.CanvasWriterTo
	}
	switch f {
	case SVG:
		c = vgsvg.NewWith(vgsvg.UseWH(Width, Height), vgsvg.EmbedFonts(true))
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))}
	default:
		return fmt.Errorf("unknown chart format %d", f)
	}
	p.Draw(draw.Crop(draw.New(c), margin, -margin, margin, -margin))
	_, err := c.WriteTo(w)
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
	p.X.Min = 0
	p.X.Tick.Marker = stepTicks{}
	p.Y.Tick.Marker = stepTicks{}
	p.Add(plotter.NewGrid())

	families := familiesOf(points)
	b := &bubbles{points: points, colors: map[string]color.Color{}}
	spare := 0
	for _, fam := range families {
		if c, ok := familyColors[fam]; ok {
			b.colors[fam] = c
		} else {
			b.colors[fam] = spareColors[spare%len(spareColors)]
			spare++
		}
	}
	for _, pt := range points {
		b.maxParams = max(b.maxParams, pt.Params)
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
	"resnet":   "torchvision ResNet, ResNeXt, Wide ResNet (resnet)",
	"timm":     "timm ResNet-C/D, ResNeXt (timm)",
	"senet":    "timm SE-ResNet(X)t, ECA-ResNet (senet)",
	"keras":    "Keras ResNet, ResNetV2 (keras)",
	"cm":       "classification_models (cm)",
	"res2net":  "timm Res2Net, Res2NeXt (res2net)",
	"resnest":  "timm ResNeSt (resnest)",
	"sknet":    "timm SK-ResNet(X)t (sknet)",
	"convnext": "torchvision ConvNeXt (convnext)",
}

func familyName(module string) string {
	if n, ok := familyNames[module]; ok {
		return n
	}
	return module
}

// The colours are Okabe and Ito's colour-blind-safe set (less the yellow,
// unreadable on white), fixed per family so that a family keeps its colour
// in every chart, whatever --models selects.
var familyColors = map[string]color.Color{
	"resnet": color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	"cm":     color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	"keras":  color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	"senet":  color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	"timm":   color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
}

// spareColors colour the families without a colour of their own, in
// order.
var spareColors = []color.Color{
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xFF}, // black
	color.RGBA{0x80, 0x80, 0x80, 0xFF}, // grey
}
