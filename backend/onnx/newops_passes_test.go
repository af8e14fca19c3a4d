package onnx

import (
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
)

// passCases put each newer op among convolutions and batch norms, which
// the passes fold and fuse around it.
func passCases() map[string]func() *ir.Graph {
	cases := map[string]func() *ir.Graph{}
	conv := func(b *irtest.B, x *ir.Node, c int) *ir.Node { return b.BN(b.Conv(x, c, 3, irtest.Pad(1))) }
	for _, op := range []ir.Op{ir.OpSilu, ir.OpHardSwish, ir.OpHardSigmoid, ir.OpRelu6, ir.OpGelu, ir.OpLeakyRelu, ir.OpTanh, ir.OpDropPath} {
		cases[op.String()] = func() *ir.Graph {
			b, x := irtest.New(3, 7, 6)
			v := conv(b, x, 6)
			v, _ = b.G.Add(&ir.Node{Op: op, Name: "act", Inputs: []*ir.Node{v}, Attrs: ir.Attrs{Alpha: 0.1}})
			return b.Graph(b.Conv(v, 5, 1, irtest.Bias()))
		}
	}
	norm := func(op ir.Op, groups int) func() *ir.Graph {
		return func() *ir.Graph {
			b, x := irtest.New(3, 5, 6)
			v := b.Conv(x, 6, 3, irtest.Pad(1))
			a := ir.Attrs{Epsilon: 1e-6, Scale: true, Center: true, Groups: groups}
			v, _ = b.G.Add(&ir.Node{Op: op, Name: "norm", Inputs: []*ir.Node{v}, Attrs: a, Params: normParams(a, 6)})
			return b.Graph(b.Relu(b.Conv(v, 4, 1)))
		}
	}
	cases["LayerNorm"] = norm(ir.OpLayerNorm, 0)
	cases["GroupNorm"] = norm(ir.OpGroupNorm, 3)
	cases["Concat"] = func() *ir.Graph {
		b, x := irtest.New(3, 6, 5)
		v, _ := b.G.Add(&ir.Node{Op: ir.OpConcat, Name: "cat", Inputs: []*ir.Node{conv(b, x, 4), b.Conv(x, 2, 1)}})
		return b.Graph(b.Relu(b.BN(v)))
	}
	cases["Slice"] = func() *ir.Graph {
		b, x := irtest.New(3, 6, 5)
		v, _ := b.G.Add(&ir.Node{Op: ir.OpSlice, Name: "split", Inputs: []*ir.Node{conv(b, x, 6)}, Attrs: ir.Attrs{Begin: 1, End: 4}})
		return b.Graph(b.Relu(b.BN(v)))
	}
	cases["ChannelScale"] = func() *ir.Graph {
		b, x := irtest.New(4, 6, 5)
		v := conv(b, x, 4)
		v, _ = b.G.Add(&ir.Node{Op: ir.OpChannelScale, Name: "ls", Inputs: []*ir.Node{v},
			Params: []*ir.Param{{Name: "ls.gamma", Role: ir.RoleGamma, Shape: []int{4}, Trainable: true}}})
		return b.Graph(b.Relu(b.Add(v, x)))
	}
	cases["Upsample"] = func() *ir.Graph {
		b, x := irtest.New(3, 4, 5)
		v, _ := b.G.Add(&ir.Node{Op: ir.OpUpsample, Name: "up", Inputs: []*ir.Node{b.Relu(conv(b, x, 4))}, Attrs: ir.Attrs{Factor: [2]int{2, 2}}})
		return b.Graph(conv(b, v, 3))
	}
	cases["SpaceToDepth"] = func() *ir.Graph {
		b, x := irtest.New(3, 6, 4)
		v, _ := b.G.Add(&ir.Node{Op: ir.OpSpaceToDepth, Name: "s2d", Inputs: []*ir.Node{b.Relu(conv(b, x, 2))}, Attrs: ir.Attrs{Block: 2}})
		return b.Graph(conv(b, v, 3))
	}
	cases["RadixSoftmax"] = func() *ir.Graph {
		b, x := irtest.New(3, 6, 5)
		v := b.Relu(conv(b, x, 8))
		att := b.Conv(b.GAP(v), 8, 1, irtest.Bias())
		att, _ = b.G.Add(&ir.Node{Op: ir.OpRadixSoftmax, Name: "rsoftmax", Inputs: []*ir.Node{att}, Attrs: ir.Attrs{Radix: 2, Groups: 2}})
		return b.Graph(b.Mul(v, att))
	}
	cases["MulElementwise"] = func() *ir.Graph {
		b, x := irtest.New(3, 6, 5)
		return b.Graph(b.Relu(b.Mul(conv(b, x, 4), b.Sigmoid(conv(b, x, 4)))))
	}
	return cases
}

// TestNewOpsAfterPasses optimises graphs with the newer ops among convs
// and batch norms at every level and runs each level's export in
// onnxruntime: it must give the -O0 export's outputs within 1e-5 of the
// largest, so whatever the passes make of the graph around a new op
// exports to the same function.
func TestNewOpsAfterPasses(t *testing.T) {
	for name, build := range passCases() {
		g := build()
		w := testenv.StatsWeights(g, 5)
		x, shape := randomInput(g, 2, 6)
		s := ortSessionOf(t, mustExport(t, g, w, Options{}))
		want, _, err := s.Run(x, shape)
		s.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		bound := 1e-5 * testenv.MaxAbs(want)
		for level := 1; level <= ir.MaxLevel; level++ {
			g := build()
			if err := ir.Optimize(g, level); err != nil {
				t.Fatalf("%s -O%d: %v", name, level, err)
			}
			s := ortSessionOf(t, mustExport(t, g, w, Options{}))
			got, _, err := s.Run(x, shape)
			s.Close()
			if err != nil {
				t.Fatalf("%s -O%d: %v", name, level, err)
			}
			if d := testenv.MaxDiff(got, want); !(d <= bound) {
				t.Errorf("%s -O%d: outputs differ from -O0 by %g (bound %g)", name, level, d, bound)
			}
		}
	}
}

func mustExport(t *testing.T, g *ir.Graph, w interface{ Values(*ir.Param) []float32 }, opts Options) []byte {
	t.Helper()
	b, err := Export(g, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
