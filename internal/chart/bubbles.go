package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bubble radii: the largest model's bubble has maxRadius; area scales with
// parameters, and no bubble is drawn smaller than minRadius.
const (
	maxRadius = 9 * vg.Millimeter
	minRadius = 1.2 * vg.Millimeter
)

// bubbleAlpha is the bubbles' opacity: overlapping bubbles stay visible.
const bubbleAlpha = 0x8C

// bubbles is the plotter of the points: a circle each, then their labels,
// placed where they overlap neither another label nor a bubble when the
// page allows (labels.go).
type bubbles struct {
	points    []Point
	colors    map[string]color.Color
	maxParams int64
	label     text.Style

	// What the last Plot drew, for tests: the bubbles, the labels and
	// the legend's box.
	drawn struct {
		circles []circle
		labels  []label
		filled  []string // the models, in the order their bubbles were drawn
		legend  vg.Rectangle
		page    vg.Rectangle
	}
}

func labelStyle() text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, 8),
		Handler: plot.DefaultTextHandler,
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
	}
}

// x and y are a point's coordinates in data units.
func x(p Point) float64 { return float64(p.MACs) / 1e9 }
func y(p Point) float64 { return p.Top1 }

func (b *bubbles) radius(p Point) vg.Length {
	r := maxRadius * vg.Length(math.Sqrt(float64(p.Params)/float64(b.maxParams)))
	return max(r, minRadius)
}

// DataRange implements plot.DataRanger.
func (b *bubbles) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, p := range b.points {
		xmin, xmax = min(xmin, x(p)), max(xmax, x(p))
		ymin, ymax = min(ymin, y(p)), max(ymax, y(p))
	}
	return xmin, xmax, ymin, ymax
}

// GlyphBoxes implements plot.GlyphBoxer: the axes leave room for the
// bubbles at the edges.
func (b *bubbles) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(b.points))
	for i, p := range b.points {
		r := b.radius(p)
		boxes[i] = plot.GlyphBox{
			X: plt.X.Norm(x(p)), Y: plt.Y.Norm(y(p)),
			Rectangle: vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}},
		}
	}
	return boxes
}

// Plot implements plot.Plotter.
func (b *bubbles) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	circles := make([]circle, len(b.points))
	for i, p := range b.points {
		circles[i] = circle{vg.Point{X: trX(x(p)), Y: trY(y(p))}, b.radius(p)}
	}
	// Largest first, so that small bubbles stay visible on top.
	order := make([]int, len(b.points))
	for i := range order {
		order[i] = i
	}
	sortBy(order, func(i int) float64 { return -float64(circles[i].r) })
	b.drawn.filled = b.drawn.filled[:0]
	for _, i := range order {
		b.drawn.filled = append(b.drawn.filled, b.points[i].Model)
		col := b.colors[b.points[i].Family]
		path := circles[i].path()
		c.SetColor(withAlpha(col, bubbleAlpha))
		c.Fill(path)
		c.SetLineStyle(draw.LineStyle{Color: col, Width: vg.Points(0.8)})
		c.Stroke(path)
	}
	lg := &legend{
		families: familiesOf(b.points), colors: b.colors, keys: sizeKeys(b.maxParams),
		radius: func(n int64) vg.Length { return b.radius(Point{Params: n}) },
		sty:    legendStyle(),
	}
	box := lg.place(c.Rectangle, circles)
	lg.draw(c, box)
	names := make([]string, len(b.points))
	for i, p := range b.points {
		names[i] = p.Model
	}
	labels := placeLabels(circles, names, labelNeeds(b.points), b.label, c.Rectangle, []vg.Rectangle{box})
	b.drawn.circles, b.drawn.labels, b.drawn.legend, b.drawn.page = circles, labels, box, c.Rectangle
	for _, l := range labels {
		if l.text == "" {
			continue
		}
		if l.leader {
			c.StrokeLine2(draw.LineStyle{Color: color.Gray{0x80}, Width: vg.Points(0.4)},
				l.from.X, l.from.Y, l.to.X, l.to.Y)
		}
		c.FillText(b.label, l.at, l.text)
	}
}

// withAlpha is col at opacity a (premultiplied, as color.RGBA wants).
func withAlpha(col color.Color, a uint8) color.Color {
	r, g, bl, _ := col.RGBA()
	k := uint32(a)
	return color.RGBA{uint8(r >> 8 * k / 0xFF), uint8(g >> 8 * k / 0xFF), uint8(bl >> 8 * k / 0xFF), a}
}
