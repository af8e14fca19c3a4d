package onnx

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// outputCases are graphs with several outputs: two on one node, one that
// later nodes also read, one that is the graph input.
func outputCases() []struct {
	name  string
	build func() (*ir.Graph, weights.Set)
	names []string
} {
	type c = struct {
		name  string
		build func() (*ir.Graph, weights.Set)
		names []string
	}
	named := func(g *ir.Graph, w weights.Set, names ...string) (*ir.Graph, weights.Set) {
		for i := range g.Outputs {
			g.Outputs[i].Name = names[i]
		}
		if err := g.Verify(); err != nil {
			panic(err)
		}
		return g, w
	}
	return []c{
		{"shared_node", func() (*ir.Graph, weights.Set) {
			o := newOpGraph(1)
			x := o.input(3, 5, 4)
			t := o.unary(ir.OpTanh, x)
			g, w := o.graph(t, t)
			return named(g, w, "first", "second")
		}, []string{"first", "second"}},
		{"read_later", func() (*ir.Graph, weights.Set) {
			o := newOpGraph(2)
			x := o.input(4, 3, 5)
			t := o.unary(ir.OpTanh, x)
			s := o.unary(ir.OpSilu, t)
			y := o.add(ir.OpConcat, ir.Attrs{}, nil, t, s)
			g, w := o.graph(t, y)
			return named(g, w, "features", "logits")
		}, []string{"features", "logits"}},
		{"input_as_output", func() (*ir.Graph, weights.Set) {
			o := newOpGraph(3)
			x := o.input(5, 3, 3)
			y := o.unary(ir.OpRelu6, x)
			g, w := o.graph(x, y, x)
			return named(g, w, "image", "clipped", "image_again")
		}, []string{"image", "clipped", "image_again"}},
	}
}

// TestSeveralOutputs exports graphs with several outputs, has
// onnx.checker accept them, runs them in onnxruntime and compares every
// output, by name and in order, with loopEval's.
func TestSeveralOutputs(t *testing.T) {
	c := startChecker(t)
	dir := t.TempDir()
	for _, cs := range outputCases() {
		for _, opset := range []int{13, 17, 21} {
			g, w := cs.build()
			b, err := Export(g, w, Options{Opset: opset})
			if err != nil {
				t.Fatalf("%s: %v", cs.name, err)
			}
			if opset <= checkerMaxOpset {
				path := filepath.Join(dir, cs.name+".onnx")
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := c.check(path); err != nil {
					t.Errorf("%s opset %d: onnx.checker: %v", cs.name, opset, err)
				}
			}
			s := ortSessionOf(t, b)
			if names := s.OutputNames(); !slices.Equal(names, cs.names) {
				t.Errorf("%s: onnxruntime sees outputs %v, want %v", cs.name, names, cs.names)
			}
			x, shape := randomInput(g, 2, 9)
			outs, err := s.RunAll(x, shape)
			s.Close()
			if err != nil {
				t.Fatalf("%s opset %d: %v", cs.name, opset, err)
			}
			want, err := loopEval(g, w, x, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != len(want) {
				t.Fatalf("%s: %d outputs, want %d", cs.name, len(outs), len(want))
			}
			for i, o := range outs {
				compareLoop(t, fmt.Sprintf("%s opset %d output %s", cs.name, opset, o.Name), o.Data, o.Shape, want[i])
			}
		}
	}
}
