package onnx

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// Fused graphs are built by hand here, so that the exporter's lowering is
// tested apart from the passes that produce them. Each fused graph has an
// unfused twin made of separate nodes with the same parameter names, so
// one weight set serves both. The twins write the post-affine step as a
// depthwise 1x1 convolution with a bias, a path through ONNX independent
// of the Mul and Add the exporter lowers it to.

// graphBuilder adds nodes to a graph, failing the test on a shape error.
type graphBuilder struct {
	t *testing.T
	g *ir.Graph
}

func newGraph(t *testing.T, name string, in ir.Shape) (*graphBuilder, *ir.Node) {
	b := &graphBuilder{t: t, g: &ir.Graph{Name: name, Naming: "torch"}}
	return b, b.add(&ir.Node{Op: ir.OpInput, Name: "input", Shape: in})
}

func (b *graphBuilder) add(n *ir.Node) *ir.Node {
	b.t.Helper()
	n, err := b.g.Add(n)
	if err != nil {
		b.t.Fatalf("%s: %v", b.g.Name, err)
	}
	return n
}

// finish makes out the graph's output and verifies the graph, which checks
// that the parameters match the epilogue attributes.
func (b *graphBuilder) finish(out *ir.Node) *ir.Graph {
	b.t.Helper()
	b.g.Outputs = []ir.Output{{Name: "logits", Node: out}}
	if err := b.g.Verify(); err != nil {
		b.t.Fatalf("%s: %v", b.g.Name, err)
	}
	return b.g
}

// conv is a stride-1 "same" convolution of x named name, with params
// name.weight and, with bias, name.bias.
func conv(name string, x *ir.Node, out, k int, bias bool) *ir.Node {
	n := &ir.Node{Op: ir.OpConv, Name: name, Inputs: []*ir.Node{x}, Attrs: ir.Attrs{
		OutChannels: out, Kernel: [2]int{k, k}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1},
		Pads: [4]int{k / 2, k / 2, k / 2, k / 2}, Groups: 1, Bias: bias,
	}}
	n.Params = append(n.Params, &ir.Param{Name: name + ".weight", Role: ir.RoleWeight, Shape: []int{out, x.Shape[1], k, k}, Trainable: true})
	if bias {
		n.Params = append(n.Params, &ir.Param{Name: name + ".bias", Role: ir.RoleBias, Shape: []int{out}, Trainable: true})
	}
	return n
}

// affineParams are the scale and shift of a fused node named name.
func affineParams(name string, c int) []*ir.Param {
	return []*ir.Param{
		{Name: name + ".scale", Role: ir.RoleScale, Shape: []int{c}},
		{Name: name + ".shift", Role: ir.RoleShift, Shape: []int{c}},
	}
}

// epilogue appends to b the unfused form of an epilogue on x, named after
// the fused node name: an Add of residual (when not nil), the post-affine
// step as a depthwise convolution reading name.scale and name.shift, and
// the activation.
func (b *graphBuilder) epilogue(name string, x, residual *ir.Node, affine bool, act ir.Act) *ir.Node {
	if residual != nil {
		x = b.add(&ir.Node{Op: ir.OpAdd, Name: name + "_residual", Inputs: []*ir.Node{x, residual}})
	}
	if affine {
		c := x.Shape[1]
		x = b.add(&ir.Node{Op: ir.OpConv, Name: name + "_affine", Inputs: []*ir.Node{x}, Attrs: ir.Attrs{
			OutChannels: c, Kernel: [2]int{1, 1}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: c, Bias: true,
		}, Params: []*ir.Param{
			{Name: name + ".scale", Role: ir.RoleWeight, Shape: []int{c, 1, 1, 1}},
			{Name: name + ".shift", Role: ir.RoleBias, Shape: []int{c}},
		}})
	}
	switch act {
	case ir.ActRelu:
		x = b.add(&ir.Node{Op: ir.OpRelu, Name: name + "_act", Inputs: []*ir.Node{x}})
	case ir.ActSigmoid:
		x = b.add(&ir.Node{Op: ir.OpSigmoid, Name: name + "_act", Inputs: []*ir.Node{x}})
	}
	return x
}

// tail ends a graph at the fused node f itself, so its value is the graph
// output, or at an Add after it, so its value is named after it.
func (b *graphBuilder) tail(f, other *ir.Node, last bool) *ir.Graph {
	if last {
		return b.finish(f)
	}
	return b.finish(b.add(&ir.Node{Op: ir.OpAdd, Name: "out", Inputs: []*ir.Node{f, other}}))
}

// A fusedPair is a fused graph and its unfused twin.
type fusedPair struct {
	name         string
	fused, plain *ir.Graph
}

var acts = []ir.Act{ir.ActNone, ir.ActRelu, ir.ActSigmoid}

// convPairs covers every conv epilogue: bias, residual, post-affine and
// activation in all combinations. The spatial size 5x7 and 8 channels
// make a scale written as [C] instead of [C,1,1] a broadcast error.
func convPairs(t *testing.T) []fusedPair {
	var out []fusedPair
	i := 0
	for _, bias := range []bool{false, true} {
		for _, res := range []bool{false, true} {
			for _, aff := range []bool{false, true} {
				for _, act := range acts {
					name := fmt.Sprintf("conv_bias%v_residual%v_affine%v_%v", bias, res, aff, act)
					last := i%2 == 1
					i++
					out = append(out, fusedPair{name, fusedConv(t, name, bias, res, aff, act, last), plainConv(t, name, bias, res, aff, act, last)})
				}
			}
		}
	}
	return out
}

func fusedConv(t *testing.T, name string, bias, res, aff bool, act ir.Act, last bool) *ir.Graph {
	b, x := newGraph(t, name, ir.Shape{ir.Batch, 4, 5, 7})
	r := b.add(conv("r", x, 8, 1, false))
	n := conv("f", x, 8, 3, bias)
	n.Attrs.Residual, n.Attrs.PostAffine, n.Attrs.Act = res, aff, act
	if res {
		n.Inputs = append(n.Inputs, r)
	}
	if aff {
		n.Params = append(n.Params, affineParams("f", 8)...)
	}
	return b.tail(b.add(n), r, last)
}

func plainConv(t *testing.T, name string, bias, res, aff bool, act ir.Act, last bool) *ir.Graph {
	b, x := newGraph(t, name, ir.Shape{ir.Batch, 4, 5, 7})
	r := b.add(conv("r", x, 8, 1, false))
	var residual *ir.Node
	if res {
		residual = r
	}
	return b.tail(b.epilogue("f", b.add(conv("f", x, 8, 3, bias)), residual, aff, act), r, last)
}

// mulPairs covers a squeeze-excitation gate with and without a residual,
// with each activation.
func mulPairs(t *testing.T) []fusedPair {
	var out []fusedPair
	for _, res := range []bool{false, true} {
		for _, act := range acts {
			name := fmt.Sprintf("mul_residual%v_%v", res, act)
			last := act != ir.ActRelu
			out = append(out, fusedPair{name, mulGraph(t, name, true, res, act, last), mulGraph(t, name, false, res, act, last)})
		}
	}
	return out
}

func mulGraph(t *testing.T, name string, fused, res bool, act ir.Act, last bool) *ir.Graph {
	b, x := newGraph(t, name, ir.Shape{ir.Batch, 8, 5, 7})
	gate := b.add(&ir.Node{Op: ir.OpGlobalAvgPool, Name: "gate", Inputs: []*ir.Node{x}})
	r := b.add(conv("r", x, 8, 1, false))
	n := &ir.Node{Op: ir.OpMul, Name: "m", Inputs: []*ir.Node{x, gate}}
	if !fused {
		var residual *ir.Node
		if res {
			residual = r
		}
		return b.tail(b.epilogue("m", b.add(n), residual, false, act), r, last)
	}
	n.Attrs.Residual, n.Attrs.Act = res, act
	if res {
		n.Inputs = append(n.Inputs, r)
	}
	return b.tail(b.add(n), r, last)
}

// addPairs covers Add of two operands (ONNX Add) and three (Sum), with
// each activation.
func addPairs(t *testing.T) []fusedPair {
	var out []fusedPair
	for _, arity := range []int{2, 3} {
		for _, act := range acts {
			name := fmt.Sprintf("add%d_%v", arity, act)
			last := act != ir.ActSigmoid
			out = append(out, fusedPair{name, addGraph(t, name, true, arity, act, last), addGraph(t, name, false, arity, act, last)})
		}
	}
	return out
}

func addGraph(t *testing.T, name string, fused bool, arity int, act ir.Act, last bool) *ir.Graph {
	b, x := newGraph(t, name, ir.Shape{ir.Batch, 8, 5, 7})
	in := []*ir.Node{x}
	for i := 1; i < arity; i++ {
		in = append(in, b.add(conv(fmt.Sprintf("r%d", i), x, 8, 1, false)))
	}
	n := &ir.Node{Op: ir.OpAdd, Name: "a", Inputs: in}
	if !fused {
		return b.tail(b.epilogue("a", b.add(n), nil, false, act), in[1], last)
	}
	n.Attrs.Act = act
	return b.tail(b.add(n), in[1], last)
}

// scaleShiftPairs covers ScaleShift with each activation, and one on an
// [N,C] tensor after Flatten, whose parameters must stay [C]; its twin
// scales before flattening.
func scaleShiftPairs(t *testing.T) []fusedPair {
	var out []fusedPair
	for _, act := range acts {
		name := fmt.Sprintf("scaleshift_%v", act)
		last := act == ir.ActRelu
		out = append(out, fusedPair{name, scaleShiftGraph(t, name, true, act, last), scaleShiftGraph(t, name, false, act, last)})
	}
	return append(out, fusedPair{"scaleshift_flat", scaleShiftFlat(t, true), scaleShiftFlat(t, false)})
}

func scaleShiftGraph(t *testing.T, name string, fused bool, act ir.Act, last bool) *ir.Graph {
	b, x := newGraph(t, name, ir.Shape{ir.Batch, 8, 5, 7})
	if !fused {
		return b.tail(b.epilogue("s", x, nil, true, act), x, last)
	}
	s := b.add(&ir.Node{Op: ir.OpScaleShift, Name: "s", Inputs: []*ir.Node{x}, Attrs: ir.Attrs{Act: act}, Params: affineParams("s", 8)})
	return b.tail(s, x, last)
}

func scaleShiftFlat(t *testing.T, fused bool) *ir.Graph {
	b, x := newGraph(t, "scaleshift_flat", ir.Shape{ir.Batch, 8, 5, 7})
	pool := b.add(&ir.Node{Op: ir.OpGlobalAvgPool, Name: "pool", Inputs: []*ir.Node{x}})
	if !fused {
		s := b.epilogue("s", pool, nil, true, ir.ActRelu)
		return b.finish(b.add(&ir.Node{Op: ir.OpFlatten, Name: "flat", Inputs: []*ir.Node{s}}))
	}
	flat := b.add(&ir.Node{Op: ir.OpFlatten, Name: "flat", Inputs: []*ir.Node{pool}})
	return b.finish(b.add(&ir.Node{Op: ir.OpScaleShift, Name: "s", Inputs: []*ir.Node{flat}, Attrs: ir.Attrs{Act: ir.ActRelu}, Params: affineParams("s", 8)}))
}

func fusedPairs(t *testing.T) []fusedPair {
	var out []fusedPair
	for _, f := range []func(*testing.T) []fusedPair{convPairs, mulPairs, addPairs, scaleShiftPairs} {
		out = append(out, f(t)...)
	}
	return out
}

// normalWeights gives g's source parameters values N(0, 0.5²), so that
// scales take both signs and activations see both sides of zero.
func normalWeights(g *ir.Graph, seed uint64) weights.Set {
	r := rand.New(rand.NewPCG(seed, 2))
	w := weights.Set{}
	for _, p := range g.SourceParams() {
		v := make([]float32, p.Size())
		for i := range v {
			v[i] = float32(r.NormFloat64() * 0.5)
		}
		w[p.Name] = v
	}
	return w
}

// TestCheckerAcceptsFused has onnx.checker validate every fused graph and
// its twin, at the lowest opset and the default.
func TestCheckerAcceptsFused(t *testing.T) {
	c := startChecker(t)
	dir := t.TempDir()
	for _, p := range fusedPairs(t) {
		for _, opset := range []int{MinOpset, DefaultOpset} {
			for _, g := range []*ir.Graph{p.fused, p.plain} {
				if err := c.check(exportFile(t, dir, g, Options{Opset: opset})); err != nil {
					t.Errorf("%s (fused %v) at opset %d: onnx.checker: %v", p.name, g == p.fused, opset, err)
				}
			}
		}
	}
}

// TestOnnxruntimeFusedMatchesUnfused runs every fused graph and its twin
// in onnxruntime on the same input and weights.
func TestOnnxruntimeFusedMatchesUnfused(t *testing.T) {
	for _, p := range fusedPairs(t) {
		t.Run(p.name, func(t *testing.T) {
			w := normalWeights(p.fused, 1)
			x, shape := randomInput(p.fused, 2, 9)
			got, gotShape, err := session(t, p.fused, w, Options{}).Run(x, shape)
			if err != nil {
				t.Fatal(err)
			}
			want, wantShape, err := session(t, p.plain, w, Options{}).Run(x, shape)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gotShape, wantShape) {
				t.Fatalf("output shape %v, unfused %v", gotShape, wantShape)
			}
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*math.Max(1, math.Abs(float64(want[i]))) {
					t.Fatalf("output %d is %v fused, %v unfused", i, got[i], want[i])
				}
			}
			// The twins share the lowering of each node's own operation,
			// so both are held to the IR's definition as well.
			ref := refEval(p.fused, w, x, 2)
			for i := range ref {
				if d := math.Abs(float64(got[i]) - ref[i]); d > 1e-4*math.Max(1, math.Abs(ref[i])) {
					t.Fatalf("output %d is %v in onnxruntime, %v by the IR's definition", i, got[i], ref[i])
				}
			}
		})
	}
}

// TestFusedConvNodes checks the lowering of a conv with every epilogue
// step: the chain of standard nodes, their names and values, the scale and
// shift initializers shaped to broadcast over NCHW, and value_info for
// each intermediate.
func TestFusedConvNodes(t *testing.T) {
	g := fusedConv(t, "full", true, true, true, ir.ActRelu, false)
	m, err := ExportModel(g, normalWeights(g, 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type node struct{ op, name, output string }
	var got []node
	for _, n := range m.Graph.Node {
		got = append(got, node{n.GetOpType(), n.GetName(), n.Output[0]})
	}
	want := []node{
		{"Conv", "r", "r"},
		{"Conv", "f/conv", "f/conv"},
		{"Add", "f/residual", "f/residual"},
		{"Mul", "f/scaled", "f/scaled"},
		{"Add", "f/shifted", "f/shifted"},
		{"Relu", "f", "f"},
		{"Add", "out", "logits"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("nodes\n%v, want\n%v", got, want)
	}
	inputs := map[string][]string{
		"f/conv":     {"input", "f.weight", "f.bias"},
		"f/residual": {"f/conv", "r"},
		"f/scaled":   {"f/residual", "f.scale"},
		"f/shifted":  {"f/scaled", "f.shift"},
		"f":          {"f/shifted"},
	}
	for _, n := range m.Graph.Node {
		if want, ok := inputs[n.GetName()]; ok && !slices.Equal(n.Input, want) {
			t.Errorf("node %s reads %v, want %v", n.GetName(), n.Input, want)
		}
	}
	dims := map[string][]int64{}
	for _, init := range m.Graph.Initializer {
		dims[init.GetName()] = init.Dims
	}
	for name, want := range map[string][]int64{"f.weight": {8, 4, 3, 3}, "f.bias": {8}, "f.scale": {8, 1, 1}, "f.shift": {8, 1, 1}} {
		if !slices.Equal(dims[name], want) {
			t.Errorf("initializer %s has dims %v, want %v", name, dims[name], want)
		}
	}
	var infos []string
	for _, v := range m.Graph.ValueInfo {
		infos = append(infos, v.GetName())
	}
	for _, name := range []string{"f/conv", "f/residual", "f/scaled", "f/shifted", "f"} {
		if !slices.Contains(infos, name) {
			t.Errorf("no value_info for %s (have %v)", name, infos)
		}
	}
}

// TestFusedOutputNode checks that when the fused node is the graph output
// its last stage produces the output value and the others keep the
// node's name.
func TestFusedOutputNode(t *testing.T) {
	g := fusedConv(t, "last", false, false, true, ir.ActSigmoid, true)
	m, err := ExportModel(g, normalWeights(g, 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, n := range m.Graph.Node {
		outs = append(outs, n.GetName()+"->"+n.Output[0])
	}
	want := []string{"r->r", "f/conv->f/conv", "f/scaled->f/scaled", "f/shifted->f/shifted", "f->logits"}
	if !slices.Equal(outs, want) {
		t.Fatalf("nodes %v, want %v", outs, want)
	}
	if m.Graph.Output[0].GetName() != "logits" {
		t.Fatalf("graph output %s", m.Graph.Output[0].GetName())
	}
}

// TestFusedDeterministic exports a fused graph built twice: the bytes must
// not change.
func TestFusedDeterministic(t *testing.T) {
	var out [2][]byte
	for i := range out {
		g := fusedConv(t, "det", true, true, true, ir.ActRelu, false)
		b, err := Export(g, normalWeights(g, 4), Options{})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatal("two exports of one fused graph differ")
	}
}

// derivedGraph is a conv with a batch norm folded in the way the passes
// record it: the weight doubled, and a post-affine scale and shift
// computed from batch-norm parameters that belong to no node. Scale and
// shift share two of their sources.
func derivedGraph(t *testing.T) *ir.Graph {
	b, x := newGraph(t, "derived", ir.Shape{ir.Batch, 4, 5, 7})
	weight := &ir.Param{Name: "f.weight", Role: ir.RoleWeight, Shape: []int{8, 4, 3, 3}, Trainable: true}
	bn := func(suffix string, init ir.Init) *ir.Param {
		return &ir.Param{Name: "bn." + suffix, Shape: []int{8}, Init: init}
	}
	gamma, beta, mean, variance := bn("weight", ir.InitOnes), bn("bias", ir.InitZeros), bn("running_mean", ir.InitZeros), bn("running_var", ir.InitOnes)
	scale := func(v []float32, i int) float64 { return 1 / math.Sqrt(float64(v[i])+1e-5) }
	n := conv("f", x, 8, 3, true)
	n.Attrs.PostAffine = true
	n.Params[0] = &ir.Param{Name: "f.weight_doubled", Role: ir.RoleWeight, Shape: weight.Shape, Derived: &ir.Derivation{
		From: []*ir.Param{weight}, Doc: "f.weight · 2",
		Compute: func(from [][]float32) []float32 {
			out := make([]float32, len(from[0]))
			for i, v := range from[0] {
				out[i] = 2 * v
			}
			return out
		},
	}}
	n.Params = append(n.Params,
		&ir.Param{Name: "f.scale", Role: ir.RoleScale, Shape: []int{8}, Derived: &ir.Derivation{
			From: []*ir.Param{gamma, variance}, Doc: "bn.weight / sqrt(bn.running_var + 1e-05)",
			Compute: func(from [][]float32) []float32 {
				out := make([]float32, 8)
				for i := range out {
					out[i] = float32(float64(from[0][i]) * scale(from[1], i))
				}
				return out
			},
		}},
		&ir.Param{Name: "f.shift", Role: ir.RoleShift, Shape: []int{8}, Derived: &ir.Derivation{
			From: []*ir.Param{beta, mean, gamma, variance}, Doc: "bn.bias - bn.running_mean · f.scale",
			Compute: func(from [][]float32) []float32 {
				out := make([]float32, 8)
				for i := range out {
					out[i] = float32(float64(from[0][i]) - float64(from[1][i])*float64(from[2][i])*scale(from[3], i))
				}
				return out
			},
		}})
	return b.finish(b.add(n))
}

// TestExportDerivedParams checks that a derived parameter's initializer
// holds the values computed from its sources, under its own name, with its
// derivation as doc string, and that the sources are not exported.
func TestExportDerivedParams(t *testing.T) {
	g := derivedGraph(t)
	w := normalWeights(g, 5)
	for _, name := range []string{"bn.running_var"} {
		for i := range w[name] {
			w[name][i] = 0.5 + float32(math.Abs(float64(w[name][i])))
		}
	}
	m := exportRead(t, g, w, Options{})
	inits := map[string]*onnxpb.TensorProto{}
	var names []string
	for _, init := range m.Graph.Initializer {
		inits[init.GetName()] = init
		names = append(names, init.GetName())
	}
	if want := []string{"f.weight_doubled", "f.bias", "f.scale", "f.shift"}; !slices.Equal(names, want) {
		t.Fatalf("initializers %v, want %v", names, want)
	}
	values := func(name string) []float32 {
		v, err := Floats(inits[name])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i, v := range values("f.weight_doubled") {
		if v != 2*w["f.weight"][i] {
			t.Fatalf("f.weight_doubled[%d] = %v, want %v", i, v, 2*w["f.weight"][i])
		}
	}
	for i, v := range values("f.scale") {
		want := float32(float64(w["bn.weight"][i]) / math.Sqrt(float64(w["bn.running_var"][i])+1e-5))
		if v != want {
			t.Fatalf("f.scale[%d] = %v, want %v", i, v, want)
		}
	}
	if !slices.Equal(values("f.bias"), w["f.bias"]) {
		t.Error("f.bias is not the source's")
	}
	for name, doc := range map[string]string{"f.weight_doubled": "f.weight · 2", "f.scale": "bn.weight / sqrt(bn.running_var + 1e-05)", "f.bias": ""} {
		if got := inits[name].GetDocString(); got != doc {
			t.Errorf("%s doc_string %q, want %q", name, got, doc)
		}
	}
	// ExportModel evaluates the derivations the same way.
	want, err := ExportModel(g, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(m, want) {
		t.Error("the streamed model differs from ExportModel's")
	}
}

// TestWriteDerivedFromStream writes a graph with derived parameters from a
// weights.Stream, which hands out each source parameter once, in
// g.SourceParams order: the exporter must ask for them in that order, and
// the bytes must be those of the same initial values held in memory.
func TestWriteDerivedFromStream(t *testing.T) {
	g := derivedGraph(t)
	var streamed bytes.Buffer
	if err := Write(&streamed, g, weights.Stream(g, 3), Options{}); err != nil {
		t.Fatal(err)
	}
	held, err := Export(g, weights.Init(g, 3), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(streamed.Bytes(), held) {
		t.Fatal("the export from a stream differs from the export from a set")
	}
}

// refEval computes g on a batch of x in float64 straight from the IR's
// definitions of the ops these tests use, epilogues included: an oracle
// that shares no code with the exporter.
func refEval(g *ir.Graph, w weights.Source, x []float32, batch int) []float64 {
	w = weights.Resolve(g, w)
	vals := map[*ir.Node][]float64{}
	for _, n := range g.Nodes {
		vals[n] = refNode(n, w, vals, x, batch)
	}
	return vals[g.Outputs[0].Node]
}

func refNode(n *ir.Node, w weights.Source, vals map[*ir.Node][]float64, x []float32, batch int) []float64 {
	in := func(i int) []float64 { return vals[n.Inputs[i]] }
	param := func(r ir.Role) []float32 { return w.Values(n.Param(r)) }
	a := &n.Attrs
	var v []float64
	switch n.Op {
	case ir.OpInput:
		v = make([]float64, len(x))
		for i, f := range x {
			v[i] = float64(f)
		}
		return v
	case ir.OpConv:
		v = refConv(n, in(0), param(ir.RoleWeight), batch)
		if a.Bias {
			refChannel(n, v, func(f float64, c int) float64 { return f + float64(param(ir.RoleBias)[c]) })
		}
	case ir.OpAdd:
		v = slices.Clone(in(0))
		for i := 1; i < len(n.Inputs); i++ {
			for j, f := range in(i) {
				v[j] += f
			}
		}
	case ir.OpMul:
		v = slices.Clone(in(0))
		gate, hw := in(1), int(n.Shape.Elems())/n.Shape[1]
		for i := range v {
			v[i] *= gate[i/hw]
		}
	case ir.OpScaleShift:
		scale, shift := param(ir.RoleScale), param(ir.RoleShift)
		v = slices.Clone(in(0))
		refChannel(n, v, func(f float64, c int) float64 { return f*float64(scale[c]) + float64(shift[c]) })
	case ir.OpGlobalAvgPool:
		src, hw := in(0), int(n.Inputs[0].Shape.Elems())/n.Shape[1]
		v = make([]float64, len(src)/hw)
		for i, f := range src {
			v[i/hw] += f / float64(hw)
		}
	case ir.OpFlatten:
		v = slices.Clone(in(0))
	case ir.OpRelu:
		v = slices.Clone(in(0))
		a = &ir.Attrs{Act: ir.ActRelu}
	case ir.OpSigmoid:
		v = slices.Clone(in(0))
		a = &ir.Attrs{Act: ir.ActSigmoid}
	default:
		panic("refEval: no reference for " + n.Op.String())
	}
	return refEpilogue(n, a, v, in, param)
}

// refEpilogue applies act((v + residual)·scale + shift).
func refEpilogue(n *ir.Node, a *ir.Attrs, v []float64, in func(int) []float64, param func(ir.Role) []float32) []float64 {
	if a.Residual {
		for i, f := range in(len(n.Inputs) - 1) {
			v[i] += f
		}
	}
	if a.PostAffine {
		scale, shift := param(ir.RoleScale), param(ir.RoleShift)
		refChannel(n, v, func(f float64, c int) float64 { return f*float64(scale[c]) + float64(shift[c]) })
	}
	for i, f := range v {
		switch a.Act {
		case ir.ActRelu:
			v[i] = max(f, 0)
		case ir.ActSigmoid:
			v[i] = 1 / (1 + math.Exp(-f))
		}
	}
	return v
}

// refChannel replaces each element of n's value v by f(element, channel).
func refChannel(n *ir.Node, v []float64, f func(float64, int) float64) {
	c := n.Shape[1]
	inner := int(n.Shape.Elems()) / c
	for i := range v {
		v[i] = f(v[i], i/inner%c)
	}
}

// refConv is a direct grouped, strided, dilated, padded convolution.
func refConv(n *ir.Node, x []float64, wt []float32, batch int) []float64 {
	a := &n.Attrs
	ci, ih, iw := n.Inputs[0].Shape[1], n.Inputs[0].Shape[2], n.Inputs[0].Shape[3]
	co, oh, ow := n.Shape[1], n.Shape[2], n.Shape[3]
	cig, cog := ci/a.Groups, co/a.Groups
	kh, kw := a.Kernel[0], a.Kernel[1]
	out := make([]float64, batch*co*oh*ow)
	for b := range batch {
		for o := range co {
			for y := range oh {
				for xx := range ow {
					sum := 0.0
					for c := range cig {
						for ky := range kh {
							for kx := range kw {
								sy := y*a.Strides[0] - a.Pads[0] + ky*a.Dilations[0]
								sx := xx*a.Strides[1] - a.Pads[1] + kx*a.Dilations[1]
								if sy < 0 || sy >= ih || sx < 0 || sx >= iw {
									continue
								}
								src := x[((b*ci+o/cog*cig+c)*ih+sy)*iw+sx]
								sum += src * float64(wt[((o*cig+c)*kh+ky)*kw+kx])
							}
						}
					}
					out[((b*co+o)*oh+y)*ow+xx] = sum
				}
			}
		}
	}
	return out
}
