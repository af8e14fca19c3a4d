// Package viz draws a folded graph: a layered layout of its own
// (longest-path layers, barycentre ordering, least-squares placement,
// orthogonal edges) written as SVG, and the same graph as DOT for other
// tools. Both are deterministic: the same graph gives the same bytes.
package viz

import (
	"fmt"
	"strings"

	"github.com/resc-dev/resc/internal/fold"
)

// lines are the text lines of a box: its label, its kind, and its output
// shape with its parameter count.
func lines(b *fold.Box) [3]string {
	last := b.Shape.String()
	if b.Params > 0 {
		last += " · " + commas(b.Params) + " params"
	}
	kind := b.Kind
	if b.Folded {
		kind = fmt.Sprintf("%s (%d nodes)", b.Kind, len(b.Nodes))
		if len(b.Nodes) == 1 {
			kind = b.Kind + " (1 node)"
		}
	}
	return [3]string{b.Name, kind, last}
}

// commas formats n with thousands separators.
func commas(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
