package onnx

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/backend/onnx/ort"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
	"github.com/resc-dev/resc/weights"
)

// opGraph builds a tiny graph around the ops under test, with random
// weights, its sizes drawn from r (odd ones included).
type opGraph struct {
	b *irtest.B
	w weights.Set
	r *rand.Rand
	n int
}

func newOpGraph(seed uint64) *opGraph {
	return &opGraph{w: weights.Set{}, r: rand.New(rand.NewPCG(seed, 3))}
}

// input starts the graph with an input [N,c,h,w].
func (o *opGraph) input(c, h, w int) *ir.Node {
	b, x := irtest.New(c, h, w)
	o.b = b
	return x
}

// between is a random integer in [lo, hi].
func (o *opGraph) between(lo, hi int) int { return lo + o.r.IntN(hi-lo+1) }

// add appends a node named after its op, its parameters named after it
// (ps holds their suffixes) and filled with random values: gammas near 1,
// everything else near 0.
func (o *opGraph) add(op ir.Op, a ir.Attrs, ps []*ir.Param, in ...*ir.Node) *ir.Node {
	o.n++
	name := fmt.Sprintf("%s%d", strings.ToLower(op.String()), o.n)
	for _, p := range ps {
		p.Name = name + "." + p.Name
		p.Trainable = true
		v := make([]float32, p.Size())
		for i := range v {
			v[i] = float32(0.5 * o.r.NormFloat64())
			if p.Role == ir.RoleGamma {
				v[i]++
			}
		}
		o.w[p.Name] = v
	}
	n, err := o.b.G.Add(&ir.Node{Op: op, Name: name, Inputs: in, Attrs: a, Params: ps})
	if err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	return n
}

func (o *opGraph) unary(op ir.Op, x *ir.Node) *ir.Node { return o.add(op, ir.Attrs{}, nil, x) }

// vector is GlobalAveragePool then Flatten: x as [N,C].
func (o *opGraph) vector(x *ir.Node) *ir.Node {
	return o.unary(ir.OpFlatten, o.unary(ir.OpGlobalAvgPool, x))
}

// affine lists the gamma and beta of a norm over c channels, as its
// attributes ask.
func normParams(a ir.Attrs, c int) []*ir.Param {
	var ps []*ir.Param
	if a.Scale {
		ps = append(ps, &ir.Param{Name: "weight", Role: ir.RoleGamma, Shape: []int{c}})
	}
	if a.Center {
		ps = append(ps, &ir.Param{Name: "bias", Role: ir.RoleBeta, Shape: []int{c}})
	}
	return ps
}

func (o *opGraph) graph(outs ...*ir.Node) (*ir.Graph, weights.Set) {
	g := o.b.G
	for i, n := range outs {
		g.Outputs = append(g.Outputs, ir.Output{Name: fmt.Sprintf("out%d", i), Node: n})
	}
	if err := g.Verify(); err != nil {
		panic(err)
	}
	return g, o.w
}

// An opCase builds one test graph from a seed.
type opCase struct {
	name  string
	build func(seed uint64) (*ir.Graph, weights.Set)
}

// odd is a random odd size in [3, 7].
func (o *opGraph) odd() int { return 3 + 2*o.r.IntN(3) }

// unaryCase is op on an input of random odd size.
func unaryCase(name string, op ir.Op, a ir.Attrs) opCase {
	return opCase{name, func(seed uint64) (*ir.Graph, weights.Set) {
		o := newOpGraph(seed)
		x := o.input(o.odd(), o.odd(), o.between(2, 6))
		return o.graph(o.add(op, a, nil, x))
	}}
}

func newOpCases() []opCase {
	cases := []opCase{
		unaryCase("silu", ir.OpSilu, ir.Attrs{}),
		unaryCase("hardswish", ir.OpHardSwish, ir.Attrs{}),
		unaryCase("hardsigmoid", ir.OpHardSigmoid, ir.Attrs{}),
		unaryCase("relu6", ir.OpRelu6, ir.Attrs{}),
		unaryCase("gelu", ir.OpGelu, ir.Attrs{}),
		unaryCase("leaky_relu", ir.OpLeakyRelu, ir.Attrs{Alpha: 0.13}),
		unaryCase("tanh", ir.OpTanh, ir.Attrs{}),
		unaryCase("drop_path", ir.OpDropPath, ir.Attrs{Rate: 0.2}),
		{"mul_elementwise", func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			x := o.input(5, 3, 7)
			return o.graph(o.add(ir.OpMul, ir.Attrs{}, nil, x, o.unary(ir.OpTanh, x)))
		}},
		{"concat_slice", func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			c := o.odd()
			x := o.input(c, o.odd(), o.between(2, 5))
			begin := o.between(0, c-2)
			s := o.add(ir.OpSlice, ir.Attrs{Begin: begin, End: o.between(begin+1, c)}, nil, x)
			return o.graph(o.add(ir.OpConcat, ir.Attrs{}, nil, x, s, o.unary(ir.OpTanh, x)))
		}},
		{"slice_vector", func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			x := o.input(7, 3, 3)
			return o.graph(o.add(ir.OpSlice, ir.Attrs{Begin: 2, End: 5}, nil, o.vector(x)))
		}},
		{"upsample", func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			x := o.input(o.odd(), o.odd(), o.between(2, 4))
			return o.graph(o.add(ir.OpUpsample, ir.Attrs{Factor: [2]int{o.between(1, 3), o.between(2, 3)}}, nil, x))
		}},
		{"upsample_size", func(seed uint64) (*ir.Graph, weights.Set) {
			// The FPN's top-down step (4x4 to 7x7: 2h−1, no integer
			// ratio) down, and across anything from a shrink to 2w+1.
			o := newOpGraph(seed)
			h, w := o.between(2, 5), o.between(2, 5)
			x := o.input(o.odd(), h, w)
			return o.graph(o.add(ir.OpUpsample, ir.Attrs{Size: [2]int{2*h - 1, o.between(1, 2*w+1)}}, nil, x))
		}},
		{"space_to_depth", func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			b := o.between(2, 3)
			x := o.input(o.odd(), b*o.between(1, 3), b*o.between(1, 3))
			return o.graph(o.add(ir.OpSpaceToDepth, ir.Attrs{Block: b}, nil, x))
		}},
	}
	for _, v := range []struct {
		suffix        string
		scale, center bool
		vector        bool
	}{{"", true, true, false}, {"_plain", false, false, false}, {"_scale_only", true, false, false}, {"_vector", true, true, true}} {
		cases = append(cases, opCase{"layernorm" + v.suffix, func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			x := o.input(o.odd(), o.odd(), o.between(2, 5))
			if v.vector {
				x = o.vector(x)
			}
			a := ir.Attrs{Epsilon: 1e-6, Scale: v.scale, Center: v.center}
			return o.graph(o.add(ir.OpLayerNorm, a, normParams(a, x.Shape[1]), x))
		}})
		cases = append(cases, opCase{"groupnorm" + v.suffix, func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			groups := o.between(1, 3)
			x := o.input(groups*o.odd(), o.odd(), o.between(2, 5))
			if v.vector {
				x = o.vector(x)
			}
			a := ir.Attrs{Epsilon: 1e-5, Scale: v.scale, Center: v.center, Groups: groups}
			return o.graph(o.add(ir.OpGroupNorm, a, normParams(a, x.Shape[1]), x))
		}})
	}
	for _, v := range []struct {
		name  string
		shape func(c int) []int
		where func(o *opGraph, x *ir.Node) *ir.Node
	}{
		{"channel_scale", func(c int) []int { return []int{c} }, func(_ *opGraph, x *ir.Node) *ir.Node { return x }},
		{"channel_scale_c11", func(c int) []int { return []int{c, 1, 1} }, func(_ *opGraph, x *ir.Node) *ir.Node { return x }},
		{"channel_scale_vector", func(c int) []int { return []int{c} }, (*opGraph).vector},
		{"channel_scale_c11_vector", func(c int) []int { return []int{c, 1, 1} }, (*opGraph).vector},
	} {
		cases = append(cases, opCase{v.name, func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			x := o.input(o.odd(), o.odd(), o.between(2, 5))
			x = v.where(o, x)
			return o.graph(o.add(ir.OpChannelScale, ir.Attrs{}, []*ir.Param{{Name: "gamma", Role: ir.RoleGamma, Shape: v.shape(x.Shape[1])}}, x))
		}})
	}
	// The per-pixel linear layer (ir.LinearWeight): its [out,in]
	// initializer reshaped for a 1×1 Conv, with and without a bias, with
	// a fused GELU (ConvNeXt's block.3).
	for _, v := range []struct {
		name string
		bias bool
		act  ir.Act
	}{{"linear", true, ir.ActNone}, {"linear_nobias", false, ir.ActNone}, {"linear_gelu", true, ir.ActGelu}} {
		cases = append(cases, opCase{v.name, func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			x := o.input(o.odd(), o.odd(), o.between(2, 5))
			m := o.between(2, 9)
			ps := []*ir.Param{{Name: "weight", Role: ir.RoleWeight, Shape: []int{m, x.Shape[1]}}}
			if v.bias {
				ps = append(ps, &ir.Param{Name: "bias", Role: ir.RoleBias, Shape: []int{m}})
			}
			a := ir.Attrs{OutChannels: m, Kernel: [2]int{1, 1}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: 1, Bias: v.bias, Act: v.act}
			return o.graph(o.add(ir.OpConv, a, ps, x))
		}})
	}
	for _, v := range []struct {
		name  string
		where func(o *opGraph, x *ir.Node) *ir.Node
	}{
		{"radix_softmax", func(_ *opGraph, x *ir.Node) *ir.Node { return x }},
		{"radix_softmax_gap", func(o *opGraph, x *ir.Node) *ir.Node { return o.unary(ir.OpGlobalAvgPool, x) }},
		{"radix_softmax_vector", (*opGraph).vector},
	} {
		cases = append(cases, opCase{v.name, func(seed uint64) (*ir.Graph, weights.Set) {
			o := newOpGraph(seed)
			r, g, k := o.between(2, 4), o.between(1, 3), o.between(1, 3)
			x := o.input(r*g*k, o.odd(), o.between(2, 4))
			return o.graph(o.add(ir.OpRadixSoftmax, ir.Attrs{Radix: r, Groups: g}, nil, v.where(o, x)))
		}})
	}
	return cases
}

// testOpsets are the opsets each new op is exported at: all that resc
// writes (some op's lowering changes at 14, 17 and 20; ReduceMean's axes
// become an input at 18). -short keeps the lowest, the highest, and each
// side of every change.
func testOpsets() []int {
	if testing.Short() {
		return []int{13, 14, 17, 18, 20, 21}
	}
	var all []int
	for v := MinOpset; v <= MaxOpset; v++ {
		all = append(all, v)
	}
	return all
}

// checkerMaxOpset is the newest opset Debian's python3-onnx 1.12 knows.
const checkerMaxOpset = 17

// ortSessionOf opens a serialized model in onnxruntime.
func ortSessionOf(t *testing.T, b []byte) *ort.Session {
	t.Helper()
	s, err := ort.NewSession(b, ort.SessionOptions{Threads: 1})
	var le *ort.LibraryError
	if errors.As(err, &le) {
		testenv.Missing(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNewOpsMatchDefinition exports each newer op in a tiny graph of
// random sizes at every opset (testOpsets), has
// onnx.checker (full_check) accept the file where it knows the opset, runs
// it in onnxruntime and compares the output with loopEval's plain loops,
// within 1e-5 of the largest output.
func TestNewOpsMatchDefinition(t *testing.T) {
	c := startChecker(t)
	dir := t.TempDir()
	for i, cs := range newOpCases() {
		worst := 0.0
		for j, opset := range testOpsets() {
			seed := uint64(100*i + j)
			g, w := cs.build(seed)
			b, err := Export(g, w, Options{Opset: opset})
			if err != nil {
				t.Fatalf("%s opset %d: %v", cs.name, opset, err)
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
			x, shape := randomInput(g, 2, seed)
			for k := range x {
				x[k] *= 3 // past HardSwish's and Relu6's knees
			}
			s := ortSessionOf(t, b)
			got, gotShape, err := s.Run(x, shape)
			s.Close()
			if err != nil {
				t.Fatalf("%s opset %d: %v", cs.name, opset, err)
			}
			want, err := loopEval(g, w, x, 2)
			if err != nil {
				t.Fatal(err)
			}
			worst = math.Max(worst, compareLoop(t, fmt.Sprintf("%s opset %d, input %v", cs.name, opset, shape), got, gotShape, want[0]))
		}
		t.Logf("%s: onnxruntime within %.2g of the largest output", cs.name, worst)
	}
}

// compareLoop checks an output against loopEval's, within 1e-5 of its
// largest magnitude, and returns the difference relative to that.
func compareLoop(t *testing.T, what string, got []float32, shape []int64, want loopTensor) float64 {
	t.Helper()
	if fmt.Sprint(shape) != fmt.Sprint(want.shape) {
		t.Errorf("%s: output shape %v, want %v", what, shape, want.shape)
		return math.Inf(1)
	}
	maxAbs, diff := 0.0, 0.0
	for i, v := range want.data {
		maxAbs = math.Max(maxAbs, math.Abs(v))
		diff = math.Max(diff, math.Abs(float64(got[i])-v))
	}
	if !(diff <= 1e-5*maxAbs) {
		t.Errorf("%s: differs from the definition by %g, largest output %g", what, diff, maxAbs)
	}
	return diff / maxAbs
}

// TestNewOpsWeightsRoundTrip loads the exports of the ops with parameters
// back with weights.Load (--weights model.onnx): every parameter keeps its
// name and shape in the file whatever the lowering does with it (a [C]
// gamma reshaped for a broadcast is a Reshape node, not a reshaped
// initializer), so each comes back with its exact values.
func TestNewOpsWeightsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, cs := range newOpCases() {
		for _, opset := range []int{13, 17, 21} {
			g, w := cs.build(uint64(i))
			if len(w) == 0 {
				continue
			}
			path := filepath.Join(dir, cs.name+".onnx")
			writeModel(t, path, g, w, Options{Opset: opset})
			got, err := weights.Load(g, path)
			if err != nil {
				t.Fatalf("%s opset %d: %v", cs.name, opset, err)
			}
			if len(got) != len(w) {
				t.Errorf("%s opset %d: %d tensors loaded, want %d", cs.name, opset, len(got), len(w))
			}
			for name, v := range w {
				if !slices.Equal(got[name], v) {
					t.Errorf("%s opset %d: %s differs after the round trip", cs.name, opset, name)
				}
			}
		}
	}
}
