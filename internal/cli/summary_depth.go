package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/internal/fold"
)

// depthFlag is summary's --depth: unset (the plain table) or a depth.
type depthFlag struct {
	n   int
	set bool
}

func (d *depthFlag) String() string {
	if d == nil || !d.set {
		return ""
	}
	return strconv.Itoa(d.n)
}

func (d *depthFlag) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("want a depth of 0 or more, got %q", v)
	}
	d.n, d.set = n, true
	return nil
}

// writeFoldedSummary prints the summary folded to --depth, with each
// row's inputs, as a table or JSON. It folds the graph as written, the
// graph the plain summary lists.
func writeFoldedSummary(c *ctx, f *summaryFlags, s *resc.Summary, model *resc.Model) error {
	fg := fold.Fold(model.Graph(), f.depth.n)
	if f.json {
		return writeSummaryObject(c.stdout, s, &f.depth.n, foldedJSON(fg))
	}
	w := c.stdout
	writeSummaryHeader(w, s)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Layer\tType\tOutput shape\tParams\tConnected to")
	for _, b := range fg.Boxes {
		p := ""
		if b.Params > 0 {
			p = commas(b.Params)
		}
		var in []string
		for _, e := range b.Inputs {
			if e.Shortcut {
				in = append(in, e.From.Name+" (shortcut)")
			} else {
				in = append(in, e.From.Name)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Name, rowType(b), b.Shape, p, strings.Join(in, ", "))
	}
	tw.Flush()
	writeSummaryTotals(w, s)
	return nil
}

// rowType is a row's op, or a folded row's block and node count.
func rowType(b *fold.Box) string {
	if !b.Folded {
		return b.Kind
	}
	if len(b.Nodes) == 1 {
		return b.Kind + " (1 node)"
	}
	return fmt.Sprintf("%s (%d nodes)", b.Kind, len(b.Nodes))
}

type jsonFoldedLayer struct {
	Name        string   `json:"name"`
	Op          string   `json:"op"`
	Shape       []any    `json:"shape"`
	Params      int64    `json:"params"`
	Folded      bool     `json:"folded"`
	Nodes       int      `json:"nodes"`
	ConnectedTo []string `json:"connected_to"`
	Shortcuts   []string `json:"shortcuts"`
}

func foldedJSON(fg *fold.Graph) []jsonFoldedLayer {
	out := make([]jsonFoldedLayer, 0, len(fg.Boxes))
	for _, b := range fg.Boxes {
		l := jsonFoldedLayer{Name: b.Name, Op: b.Kind, Shape: jsonShape(b.Shape), Params: b.Params, Folded: b.Folded,
			Nodes: len(b.Nodes), ConnectedTo: []string{}, Shortcuts: []string{}}
		for _, e := range b.Inputs {
			l.ConnectedTo = append(l.ConnectedTo, e.From.Name)
			if e.Shortcut {
				l.Shortcuts = append(l.Shortcuts, e.From.Name)
			}
		}
		out = append(out, l)
	}
	return out
}
