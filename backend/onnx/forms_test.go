package onnx

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/resc-dev/resc/ir"
)

// exportForms lists the forms g's nodes take in an export: each node's op,
// input count, fused activation and which attributes it sets, with the
// distinctions the exporter writes differently (grouped convolution,
// asymmetric padding, dilation). Two graphs with the same forms are
// written with the same operators and attributes, at other sizes and
// depths.
func exportForms(g *ir.Graph) []string {
	set := map[string]bool{}
	for _, n := range g.Nodes {
		set[nodeForm(n)] = true
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func nodeForm(n *ir.Node) string {
	a := n.Attrs
	parts := []string{n.Op.String(), fmt.Sprint(len(n.Inputs)), a.Act.String()}
	v, ty := reflect.ValueOf(a), reflect.TypeOf(a)
	for i := 0; i < v.NumField(); i++ {
		if !v.Field(i).IsZero() && ty.Field(i).Name != "Act" {
			parts = append(parts, ty.Field(i).Name)
		}
	}
	if a.Groups > 1 {
		parts = append(parts, "grouped")
	}
	if a.Pads[0] != a.Pads[2] || a.Pads[1] != a.Pads[3] {
		parts = append(parts, "asymmetric")
	}
	if a.Dilations[0] > 1 || a.Dilations[1] > 1 {
		parts = append(parts, "dilated")
	}
	return strings.Join(parts, " ")
}

// newForms reports whether g has a form none of the graphs seen before had,
// and adds g's forms to seen.
func newForms(seen map[string]bool, g *ir.Graph) bool {
	fresh := false
	for _, f := range exportForms(g) {
		if !seen[f] {
			seen[f], fresh = true, true
		}
	}
	return fresh
}
