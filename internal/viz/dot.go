package viz

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/resc-dev/resc/internal/fold"
)

// WriteDOT writes fg in Graphviz's DOT language, for other tools: one
// node per box, quoted, labelled as in the SVG, shortcuts dashed.
func WriteDOT(w io.Writer, fg *fold.Graph, title string) error {
	bw := bufio.NewWriter(w)
	ids := dotIDs(fg)
	fmt.Fprintf(bw, "digraph %s {\n", quote(fg.Name))
	fmt.Fprintf(bw, "  graph [rankdir=TB, labelloc=t, label=%s, fontname=\"monospace\"];\n", quote(title))
	bw.WriteString("  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontsize=10];\n")
	for _, b := range fg.Boxes {
		fill, stroke := style(b)
		ls := lines(b)
		fmt.Fprintf(bw, "  %s [label=%s, fillcolor=%s, color=%s];\n", ids[b], quote(strings.Join(ls[:], "\n")), quote(fill), quote(stroke))
	}
	for _, b := range fg.Boxes {
		for _, e := range b.Inputs {
			attrs := ""
			if e.Shortcut {
				attrs = " [style=dashed, color=\"#c2410c\"]"
			}
			fmt.Fprintf(bw, "  %s -> %s%s;\n", ids[e.From], ids[b], attrs)
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// dotIDs are the boxes' names, quoted; a name two boxes share gets "#2",
// "#3" on the later ones.
func dotIDs(fg *fold.Graph) map[*fold.Box]string {
	ids := make(map[*fold.Box]string, len(fg.Boxes))
	used := map[string]bool{}
	for _, b := range fg.Boxes {
		// Names are compared quoted: quoting drops carriage returns, so
		// two names may quote alike.
		id := quote(b.Name)
		for k := 2; used[id]; k++ {
			id = quote(fmt.Sprintf("%s#%d", b.Name, k))
		}
		used[id] = true
		ids[b] = id
	}
	return ids
}

// quote makes s a DOT double-quoted string: backslash and quote escaped,
// newlines as \n (a centred line break in a label).
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "")
	return `"` + r.Replace(s) + `"`
}
