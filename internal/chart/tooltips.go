package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// gonum/plot's vgsvg canvas draws paths and text only: it has no way to
// give an element a <title>, the SVG tooltip. So the written SVG is
// edited: vgsvg writes each path as one self-closing element on a line of
// its own, and the bubbles' fills are the first filled circles of the
// document (the legend's swatches come after them), in the order the
// bubbles were drawn. Each fill gets its model's name as a <title>, so
// that a browser shows the name of an unlabelled bubble on hovering.

// addTooltips gives the first len(names) filled circles of svg the titles
// names, in order. The SVG having fewer is an error (a change in vgsvg's
// output), never a silent chart without tooltips.
func addTooltips(svg []byte, names []string) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(svg) + 40*len(names))
	next := 0
	for line := range bytes.Lines(svg) {
		if next < len(names) && isFilledCirclePath(line) {
			body := bytes.TrimRight(line, "\n")
			body = bytes.TrimRight(bytes.TrimSuffix(body, []byte("/>")), " ")
			out.Write(body)
			out.WriteString("><title>")
			if err := xml.EscapeText(&out, []byte(names[next])); err != nil {
				return nil, err
			}
			out.WriteString("</title></path>\n")
			next++
			continue
		}
		out.Write(line)
	}
	if next < len(names) {
		return nil, fmt.Errorf("chart: found %d of the %d bubbles in the SVG to give tooltips", next, len(names))
	}
	return out.Bytes(), nil
}

// isFilledCirclePath reports whether line is one self-closing path
// element drawing a circle (vgsvg's two arcs) with a fill.
func isFilledCirclePath(line []byte) bool {
	s := strings.TrimSpace(string(line))
	if !strings.HasPrefix(s, "<path ") || !strings.HasSuffix(s, "/>") || strings.Contains(s, "fill:none") {
		return false
	}
	d, _, ok := strings.Cut(strings.TrimPrefix(s, `<path d="`), `"`)
	return ok && strings.Count(d, "A") == 2
}
