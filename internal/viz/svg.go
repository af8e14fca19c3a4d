package viz

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/internal/fold"
)

// titleHeight is the band above the graph holding its title.
const titleHeight = 28

// WriteSVG draws fg as a standalone SVG document, titled title. Each box
// is a <g class="node">; edges are <path class="edge">, shortcuts with
// the extra class "shortcut", dashed.
func WriteSVG(w io.Writer, fg *fold.Graph, title string) error {
	l, err := newLayout(fg)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	width, height := max(l.width, textWidth(title)+2*margin), l.height+titleHeight
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %[1]s %[2]s" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d">
<title>%s</title>
<defs>
<marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker>
<marker id="arrow-shortcut" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#c2410c"/></marker>
</defs>
<rect width="100%%" height="100%%" fill="#ffffff"/>
<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>
<g transform="translate(0,%d)">
`, num(width), num(height), fontSize, esc(title), margin, margin+4, esc(title), titleHeight)
	bw.WriteString("<g class=\"edges\" fill=\"none\">\n")
	ports := inputPorts(l)
	for _, r := range l.routes {
		class, stroke, marker, dash := "edge", "#555", "arrow", ""
		if r.shortcut {
			class, stroke, marker, dash = "edge shortcut", "#c2410c", "arrow-shortcut", ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(bw, "<path class=%q d=%q stroke=%q stroke-width=\"1.4\"%s marker-end=\"url(#%s)\"><title>%s → %s</title></path>\n",
			class, pathData(r, ports[r]), stroke, dash, marker, esc(r.from.box.Name), esc(r.to.box.Name))
	}
	bw.WriteString("</g>\n<g class=\"nodes\">\n")
	for _, v := range l.nodes {
		writeBox(bw, v)
	}
	bw.WriteString("</g>\n</g>\n</svg>\n")
	return bw.Flush()
}

func writeBox(w *bufio.Writer, v *vnode) {
	b := v.box
	fill, stroke := style(b)
	x, y := v.x-v.w/2, v.y
	fmt.Fprintf(w, "<g class=\"node\" id=\"box%d\"><title>%s</title>", b.ID, esc(b.Name))
	fmt.Fprintf(w, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"6\" fill=%q stroke=%q", num(x), num(y), num(v.w), num(v.h), fill, stroke)
	if b.Folded {
		w.WriteString(` stroke-width="2"`)
	}
	w.WriteString("/>")
	ls := lines(b)
	for i, s := range ls {
		weight := ""
		switch i {
		case 0:
			weight = ` font-weight="bold"`
		case 2:
			weight = ` fill="#444"`
		}
		fmt.Fprintf(w, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\"%s>%s</text>", num(v.x), num(y+padY+float64(i+1)*lineHeight-4), weight, esc(s))
	}
	w.WriteString("</g>\n")
}

// style colours a box by what it is, from the op table: folded scopes,
// ops that count multiply-accumulates (convolutions, fully connected
// layers), merges of several inputs, pools, the input, the rest.
func style(b *fold.Box) (fill, stroke string) {
	switch {
	case b.Folded:
		return "#eef2ff", "#4338ca"
	case len(b.Nodes) == 0:
		return "#ffffff", "#6b7280"
	}
	op := b.Nodes[len(b.Nodes)-1].Op
	info := op.Info()
	switch {
	case info.MACs != nil:
		return "#dbeafe", "#1d4ed8"
	case info.Arity == 0:
		return "#f3f4f6", "#374151"
	case info.Arity != 1:
		return "#fef3c7", "#b45309"
	case strings.HasSuffix(info.Name, "Pool"):
		return "#dcfce7", "#15803d"
	}
	return "#ffffff", "#6b7280"
}

// inputPorts spreads the edges entering a box across its top, ordered by
// where they come from, so that they do not cross at the box.
func inputPorts(l *layout) map[*route]float64 {
	byTarget := map[*vnode][]*route{}
	for _, r := range l.routes {
		byTarget[r.to] = append(byTarget[r.to], r)
	}
	ports := make(map[*route]float64, len(l.routes))
	for _, v := range l.nodes {
		rs := byTarget[v]
		sort.SliceStable(rs, func(i, j int) bool { return lastX(rs[i]) < lastX(rs[j]) })
		step := min(16, v.w/float64(len(rs)+1))
		for i, r := range rs {
			ports[r] = v.x + (float64(i)-float64(len(rs)-1)/2)*step
		}
	}
	return ports
}

func lastX(r *route) float64 {
	if len(r.via) > 0 {
		return r.via[len(r.via)-1].x
	}
	return r.from.x
}

// pathData routes an edge orthogonally: down from the source, through
// each lane, into its port on the target, turning halfway between layers.
func pathData(r *route, port float64) string {
	type pt struct{ x, y float64 }
	pts := []pt{{r.from.x, r.from.y + r.from.h}}
	for _, d := range r.via {
		pts = append(pts, pt{d.x, d.y}, pt{d.x, d.y + d.h})
	}
	pts = append(pts, pt{port, r.to.y})
	var b strings.Builder
	b.WriteString("M" + num(pts[0].x) + "," + num(pts[0].y))
	for i := 1; i < len(pts); i++ {
		p, q := pts[i-1], pts[i]
		if p.x != q.x {
			mid := (p.y + q.y) / 2
			b.WriteString(" V" + num(mid) + " H" + num(q.x))
		}
		b.WriteString(" V" + num(q.y))
	}
	return b.String()
}

// num formats a coordinate with at most one decimal.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// esc escapes text for XML character data and attributes; characters XML
// cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
