package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The legend is drawn by the bubbles plotter itself, not by gonum's
// Legend, so that it can take the emptiest corner of the data area and be
// an obstacle for the labels: the families (a swatch each) and a key of
// bubble sizes.
const (
	legendPad    = 6 * vg.Length(1)
	legendGap    = 3 * vg.Length(1)
	swatchRadius = 4 * vg.Length(1)
)

type legend struct {
	families []string
	colors   map[string]color.Color
	keys     []int64 // parameter counts shown in the size key
	radius   func(params int64) vg.Length
	sty      text.Style
}

func legendStyle() text.Style {
	sty := labelStyle()
	sty.Font = font.From(sans, 9)
	return sty
}

// textSize is the width and height of txt's box.
func textSize(sty text.Style, txt string) (w, h vg.Length) {
	r := sty.Rectangle(txt)
	return r.Max.X - r.Min.X, r.Max.Y - r.Min.Y
}

// fillTextAt draws txt with the bottom left of its box at pt.
func fillTextAt(c draw.Canvas, sty text.Style, pt vg.Point, txt string) {
	r := sty.Rectangle(txt)
	c.FillText(sty, vg.Point{X: pt.X - r.Min.X, Y: pt.Y - r.Min.Y}, txt)
}

const keyCaption = "Parameters"

// size is the legend's width and height.
func (l *legend) size() (w, h vg.Length) {
	for _, f := range l.families {
		tw, th := textSize(l.sty, familyName(f))
		w = max(w, 2*swatchRadius+legendGap+tw)
		h += max(th, 2*swatchRadius) + legendGap
	}
	if len(l.keys) > 0 {
		cw, ch := textSize(l.sty, keyCaption)
		var kw, kr, kh vg.Length
		for _, k := range l.keys {
			lw, lh := textSize(l.sty, paramsText(k))
			r := l.radius(k)
			kw += max(2*r, lw) + legendGap
			kr = max(kr, r)
			kh = max(kh, lh)
		}
		w = max(w, cw, kw-legendGap)
		h += ch + legendGap + 2*kr + legendGap + kh + legendGap
	}
	return w + 2*legendPad, h - legendGap + 2*legendPad
}

// place picks the corner of area whose legend box overlaps the bubbles
// least: bottom right first, where accuracy-against-cost charts are
// empty, then top left.
func (l *legend) place(area vg.Rectangle, circles []circle) vg.Rectangle {
	w, h := l.size()
	const inset = 4
	corners := []vg.Point{
		{X: area.Max.X - inset - w, Y: area.Min.Y + inset},
		{X: area.Min.X + inset, Y: area.Max.Y - inset - h},
		{X: area.Max.X - inset - w, Y: area.Max.Y - inset - h},
		{X: area.Min.X + inset, Y: area.Min.Y + inset},
	}
	best, bestCost := vg.Rectangle{}, math.Inf(1)
	for _, p := range corners {
		r := vg.Rectangle{Min: p, Max: vg.Point{X: p.X + w, Y: p.Y + h}}
		cost := 0.0
		for _, c := range circles {
			cost += circleBoxOverlap(c, r)
		}
		if cost < bestCost {
			best, bestCost = r, cost
		}
	}
	return best
}

// draw draws the legend in box, from the top down.
func (l *legend) draw(c draw.Canvas, box vg.Rectangle) {
	c.SetColor(color.NRGBA{0xFF, 0xFF, 0xFF, 0xE6})
	c.Fill(box.Path())
	c.SetLineStyle(draw.LineStyle{Color: color.Gray{0xA0}, Width: vg.Points(0.5)})
	c.Stroke(box.Path())
	x0, y := box.Min.X+legendPad, box.Max.Y-legendPad
	for _, f := range l.families {
		_, th := textSize(l.sty, familyName(f))
		row := max(th, 2*swatchRadius)
		sw := circle{vg.Point{X: x0 + swatchRadius, Y: y - row/2}, swatchRadius}
		c.SetColor(withAlpha(l.colors[f], bubbleAlpha))
		c.Fill(sw.path())
		c.SetLineStyle(draw.LineStyle{Color: l.colors[f], Width: vg.Points(0.8)})
		c.Stroke(sw.path())
		fillTextAt(c, l.sty, vg.Point{X: x0 + 2*swatchRadius + legendGap, Y: y - row/2 - th/2}, familyName(f))
		y -= row + legendGap
	}
	if len(l.keys) == 0 {
		return
	}
	_, ch := textSize(l.sty, keyCaption)
	fillTextAt(c, l.sty, vg.Point{X: x0, Y: y - ch}, keyCaption)
	y -= ch + legendGap
	var kr vg.Length
	for _, k := range l.keys {
		kr = max(kr, l.radius(k))
	}
	base := y - 2*kr // the key's circles stand on one line
	x := x0
	for _, k := range l.keys {
		r := l.radius(k)
		lw, lh := textSize(l.sty, paramsText(k))
		cell := max(2*r, lw)
		kc := circle{vg.Point{X: x + cell/2, Y: base + r}, r}
		c.SetLineStyle(draw.LineStyle{Color: color.Gray{0x60}, Width: vg.Points(0.8)})
		c.Stroke(kc.path())
		fillTextAt(c, l.sty, vg.Point{X: x + cell/2 - lw/2, Y: base - legendGap - lh}, paramsText(k))
		x += cell + legendGap
	}
}

// sizeKeys picks up to three round parameter counts for the size key:
// the largest 1, 2 or 5 x 10^k at most the largest model, and those at
// most a third and a tenth of it.
func sizeKeys(maxParams int64) []int64 {
	var out []int64
	for _, frac := range []float64{0.1, 1.0 / 3, 1} {
		k := roundDown(float64(maxParams) * frac)
		if k > 0 && (len(out) == 0 || k > out[len(out)-1]) {
			out = append(out, k)
		}
	}
	return out
}

// roundDown is the largest 1, 2 or 5 x 10^k at most v.
func roundDown(v float64) int64 {
	if v < 1 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= v {
			return int64(m * p)
		}
	}
	return int64(p)
}

// paramsText writes a parameter count as 25M or 500K.
func paramsText(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%gM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%gK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
