package native

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// TestPathsEqualGroups builds ResNeXt-50 twice — the stdlib's grouped
// resnext50_32x4d and examples/resnext50_paths.res with 32 explicit paths,
// weighted with the corresponding slices — and checks that -O2 gives the
// two the same graph and bit-identical outputs, which match the grouped
// graph as written.
func TestPathsEqualGroups(t *testing.T) {
	args := map[string]string{"size": "64"}
	grouped := build(t, "resnext50_32x4d", args)
	wg := testWeights(grouped, 11)
	p, err := compiler.LoadFile("../../examples/resnext50_paths.res")
	if err != nil {
		t.Fatal(err)
	}
	paths, err := p.Build("resnext50_paths", args)
	if err != nil {
		t.Fatal(err)
	}
	wp := sliceIntoPaths(t, paths, wg)
	x := randomInput(grouped, 2, 12)
	want := runModel(t, grouped, wg, Options{}, x, 2)

	for _, g := range []*ir.Graph{grouped, paths} {
		if err := ir.Optimize(g, ir.MaxLevel); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := structure(grouped), structure(paths); !slices.Equal(a, b) {
		t.Fatalf("optimised graphs differ:\n%v\n%v", a, b)
	}
	got := runModel(t, grouped, wg, Options{}, x, 2)
	gotPaths := runModel(t, paths, wp, Options{}, x, 2)
	if !slices.Equal(got, gotPaths) {
		t.Errorf("paths and groups differ after -O2 by up to %g", maxDiff(got, gotPaths))
	}
	if d, bound := maxDiff(got, want), 1e-4*maxAbs(want); d > bound {
		t.Errorf("-O2 differs from the graph as written by %g (bound %g)", d, bound)
	}
}

// structure is the graph's nodes without their names.
func structure(g *ir.Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		ins := ""
		for _, x := range n.Inputs {
			ins += fmt.Sprintf(" %%%d", x.ID)
		}
		out = append(out, fmt.Sprintf("%s%s %+v %v", n.Op, ins, n.Attrs, n.Shape))
	}
	return out
}

var pathParam = regexp.MustCompile(`^(layer\d\.\d+\.)path\.(\d+)\.(conv|bn)(\d)\.(.*)$`)

// sliceIntoPaths gives each parameter of the paths model its slice of the
// grouped model's: path i's conv1, bn1, conv2 and bn2 take channels
// [i·d, (i+1)·d), its conv3 takes those input channels of conv3.
func sliceIntoPaths(t *testing.T, g *ir.Graph, wg weights.Set) weights.Set {
	w := weights.Set{}
	for _, p := range g.SourceParams() {
		m := pathParam.FindStringSubmatch(p.Name)
		if m == nil {
			v, ok := wg[p.Name]
			if !ok {
				t.Fatalf("no grouped parameter for %s", p.Name)
			}
			w[p.Name] = v
			continue
		}
		i, _ := strconv.Atoi(m[2])
		src := wg[m[1]+m[3]+m[4]+"."+m[5]]
		if src == nil {
			t.Fatalf("no grouped parameter for %s", p.Name)
		}
		size := int(p.Size())
		if m[3] == "conv" && m[4] == "3" {
			// [out, 32·d] → column block i of each row.
			out, d := p.Shape[0], p.Shape[1]
			v := make([]float32, 0, size)
			for o := 0; o < out; o++ {
				v = append(v, src[o*32*d+i*d:o*32*d+(i+1)*d]...)
			}
			w[p.Name] = v
			continue
		}
		w[p.Name] = src[i*size : (i+1)*size]
	}
	return w
}
