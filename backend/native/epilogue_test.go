package native

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// The epilogues fused into Conv, Mul, Add and ScaleShift: the fast path
// against the reference path, and the fused graph against the same
// computation as separate nodes (Conv → Add → ScaleShift → activation).

// A graphBuilder builds a small graph by hand.
type graphBuilder struct {
	t testing.TB
	g *ir.Graph
}

// newGraph starts a graph with an input [N,c,h,w].
func newGraph(t testing.TB, name string, c, h, w int) (*graphBuilder, *ir.Node) {
	b := &graphBuilder{t: t, g: &ir.Graph{Name: name, Naming: "torch"}}
	return b, b.add(&ir.Node{Op: ir.OpInput, Name: "input", Shape: ir.Shape{ir.Batch, c, h, w}})
}

func (b *graphBuilder) add(n *ir.Node) *ir.Node {
	b.t.Helper()
	m, err := b.g.Add(n)
	if err != nil {
		b.t.Fatalf("%s: %v", n.Name, err)
	}
	return m
}

// node adds an op with attributes a over inputs.
func (b *graphBuilder) node(op ir.Op, name string, a ir.Attrs, inputs ...*ir.Node) *ir.Node {
	b.t.Helper()
	return b.add(&ir.Node{Op: op, Name: name, Inputs: inputs, Attrs: a})
}

// scaleShift adds a ScaleShift whose parameters are named after prefix.
func (b *graphBuilder) scaleShift(name, prefix string, act ir.Act, x *ir.Node) *ir.Node {
	b.t.Helper()
	c := x.Shape[1]
	return b.add(&ir.Node{Op: ir.OpScaleShift, Name: name, Inputs: []*ir.Node{x}, Attrs: ir.Attrs{Act: act},
		Params: []*ir.Param{namedParam(prefix+".scale", ir.RoleScale, c), namedParam(prefix+".shift", ir.RoleShift, c)}})
}

// activation adds the activation node of act (a LeakyRelu of slope
// leakySlope), or returns x for none.
func (b *graphBuilder) activation(name string, act ir.Act, x *ir.Node) *ir.Node {
	b.t.Helper()
	if act == ir.ActNone {
		return x
	}
	return b.node(act.Op(), name, ir.Attrs{Alpha: actAlpha(act)}, x)
}

// leakySlope is the LeakyRelu slope of the tests.
const leakySlope = 0.1

// actAlpha is the Alpha attribute a node with act needs.
func actAlpha(act ir.Act) float64 {
	if act == ir.ActLeakyRelu {
		return leakySlope
	}
	return 0
}

func (b *graphBuilder) graph(out *ir.Node) *ir.Graph {
	b.t.Helper()
	b.g.Outputs = []ir.Output{{Name: "logits", Node: out}}
	if err := b.g.Verify(); err != nil {
		b.t.Fatal(err)
	}
	return b.g
}

func namedParam(name string, role ir.Role, shape ...int) *ir.Param {
	return &ir.Param{Name: name, Role: role, Shape: shape, Trainable: true}
}

// A convGeom is a convolution's geometry: square kernel k, stride s,
// padding p on every side, g groups, m output channels.
type convGeom struct {
	name       string
	m, k, s, p int
	g          int
}

// convAttrs are geom's attributes; the epilogue's are left to the caller.
func convAttrs(geom convGeom) ir.Attrs {
	return ir.Attrs{OutChannels: geom.m, Kernel: [2]int{geom.k, geom.k}, Strides: [2]int{geom.s, geom.s},
		Dilations: [2]int{1, 1}, Pads: [4]int{geom.p, geom.p, geom.p, geom.p}, Groups: geom.g}
}

// conv adds a convolution of x named name with geometry geom and
// epilogue attributes a (OutChannels and the geometry are filled in),
// its residual, when a.Residual, res. Its parameters are name.weight,
// name.bias, name.scale and name.shift.
func (b *graphBuilder) conv(name string, geom convGeom, a ir.Attrs, x, res *ir.Node) *ir.Node {
	b.t.Helper()
	attrs := convAttrs(geom)
	attrs.Bias, attrs.Residual, attrs.PostAffine, attrs.Act, attrs.Alpha = a.Bias, a.Residual, a.PostAffine, a.Act, a.Alpha
	ps := []*ir.Param{namedParam(name+".weight", ir.RoleWeight, geom.m, x.Shape[1]/geom.g, geom.k, geom.k)}
	if a.Bias {
		ps = append(ps, namedParam(name+".bias", ir.RoleBias, geom.m))
	}
	if a.PostAffine {
		ps = append(ps, namedParam(name+".scale", ir.RoleScale, geom.m), namedParam(name+".shift", ir.RoleShift, geom.m))
	}
	in := []*ir.Node{x}
	if a.Residual {
		in = append(in, res)
	}
	return b.add(&ir.Node{Op: ir.OpConv, Name: name, Inputs: in, Attrs: attrs, Params: ps})
}

// fusedWeights gives every source parameter of g random values: conv
// weights N(0, 1/fan-in), so that outputs stay near 1 and sigmoids do not
// saturate, scales in [0.5, 1.5), everything else N(0, 0.5²).
func fusedWeights(g *ir.Graph, seed uint64) weights.Set {
	r := rand.New(rand.NewPCG(seed, 7))
	w := weights.Set{}
	for _, p := range g.SourceParams() {
		v := make([]float32, p.Size())
		sd := 0.5
		if p.Role == ir.RoleWeight && len(p.Shape) == 4 {
			sd = 1 / math.Sqrt(float64(p.Shape[1]*p.Shape[2]*p.Shape[3]))
		}
		for i := range v {
			if p.Role == ir.RoleScale {
				v[i] = float32(0.5 + r.Float64())
			} else {
				v[i] = float32(sd * r.NormFloat64())
			}
		}
		w[p.Name] = v
	}
	return w
}

// checkClose fails unless got is within 1e-5 of want, relative to want's
// largest magnitude (or 1).
func checkClose(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if d, m := maxDiff(got, want), maxAbs(want); d > 1e-5*max(m, 1) {
		t.Errorf("%s: max difference %g, max |want| %g", what, d, m)
	}
}

// checkFused runs fused on the fast and the reference path and unfused
// on the fast path, at batch 2, on one thread and two: all must agree.
func checkFused(t *testing.T, fused, unfused *ir.Graph, w weights.Source) {
	t.Helper()
	const batch = 2
	x := randomInput(fused, batch, 11)
	for _, threads := range []int{1, 2} {
		fast := runModel(t, fused, w, Options{Threads: threads}, x, batch)
		ref := runModel(t, fused, w, Options{Threads: threads, reference: true}, x, batch)
		plain := runModel(t, unfused, w, Options{Threads: threads}, x, batch)
		checkClose(t, fmt.Sprintf("threads %d: fast against reference", threads), fast, ref)
		checkClose(t, fmt.Sprintf("threads %d: fused against unfused", threads), fast, plain)
		checkNoConvAliasing(t, fused, w, threads)
	}
}

// checkNoConvAliasing compiles g and checks that no convolution's output
// overlaps its input or its residual in the arena, but for a GEMM written
// over its residual (residualInPlace), whose output is exactly the
// residual's values.
func checkNoConvAliasing(t *testing.T, g *ir.Graph, w weights.Source, threads int) {
	t.Helper()
	p, err := Compile(g, w, Options{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.steps {
		var in, out, res *tensor
		switch s := s.(type) {
		case *convStep:
			in, out, res = s.in, s.out, s.ep.res
			if s.overRes {
				if res == nil || res.buf != out.buf || res.off != out.off || res.elems != out.elems {
					t.Errorf("conv %s written over its residual is not exactly its values", out.name)
				}
				res = nil
			}
		case *dwStep:
			in, out, res = s.in, s.out, s.ep.res
		default:
			continue
		}
		for _, x := range []*tensor{in, res} {
			if x != nil && overlaps(x, out) {
				t.Errorf("conv %s writes over its input %s", out.name, x.name)
			}
		}
	}
}

// overlaps reports whether tensors a and b share arena values.
func overlaps(a, b *tensor) bool {
	if a.off < 0 || b.off < 0 {
		return false
	}
	return a.off < b.off+b.elems && b.off < a.off+a.elems
}

// Residual sources for a fused convolution.
const (
	resNone     = iota
	resInput    // the graph input itself (not in the arena)
	resShortcut // a projection: a conv of the input with the same geometry
	resOwn      // the convolution's own input, an intermediate result (never written over)
)

// acts are the activations the many-case epilogue tests fuse; allActs are
// every one, which TestFusedActivations runs on fewer cases.
var (
	acts    = []ir.Act{ir.ActNone, ir.ActRelu, ir.ActSigmoid}
	allActs = []ir.Act{ir.ActNone, ir.ActRelu, ir.ActSigmoid, ir.ActSilu, ir.ActHardSwish, ir.ActHardSigmoid,
		ir.ActRelu6, ir.ActGelu, ir.ActLeakyRelu, ir.ActTanh}
)

func TestConvEpilogues(t *testing.T) {
	const c, h, w = 16, 10, 9
	geoms := []convGeom{
		{name: "1x1", m: 24, k: 1, s: 1, g: 1},
		{name: "1x1same", m: 16, k: 1, s: 1, g: 1},
		{name: "1x1s2", m: 20, k: 1, s: 2, g: 1},
		{name: "3x3", m: 16, k: 3, s: 1, p: 1, g: 1},
		{name: "3x3s2", m: 32, k: 3, s: 2, p: 1, g: 1},
		{name: "3x3valid", m: 13, k: 3, s: 1, g: 1},
		{name: "grouped", m: 16, k: 3, s: 1, p: 1, g: 4},
		{name: "depthwise", m: 16, k: 3, s: 1, p: 1, g: 16},
		{name: "depthwise-s2-x2", m: 32, k: 3, s: 2, p: 1, g: 16},
	}
	for _, geom := range geoms {
		for _, res := range []int{resNone, resInput, resShortcut, resOwn} {
			if (res == resInput || res == resOwn) && (geom.m != c || geom.s != 1 || 2*geom.p != geom.k-1) {
				continue // the output's shape is not the input's
			}
			for mask := 0; mask < 4; mask++ {
				for _, act := range acts {
					a := ir.Attrs{Bias: mask&1 != 0, PostAffine: mask&2 != 0, Residual: res != resNone, Act: act}
					name := fmt.Sprintf("%s/res%d/bias=%v/affine=%v/%s", geom.name, res, a.Bias, a.PostAffine, act)
					t.Run(name, func(t *testing.T) {
						fused, unfused := convGraphs(t, c, h, w, geom, a, res)
						checkFused(t, fused, unfused, fusedWeights(fused, uint64(mask)+1))
					})
				}
			}
		}
	}
}

// convGraphs builds a convolution with epilogue a, fused and as separate
// nodes, with the same parameter names.
func convGraphs(t testing.TB, c, h, w int, geom convGeom, a ir.Attrs, res int) (fused, unfused *ir.Graph) {
	build := func(fuse bool) *ir.Graph {
		b, x := newGraph(t, "conv", c, h, w)
		var r *ir.Node
		switch res {
		case resInput:
			r = x
		case resOwn:
			x = b.scaleShift("pre", "pre", ir.ActRelu, x)
			r = x
		case resShortcut:
			sc := geom
			sc.g = 1
			r = b.conv("shortcut", sc, ir.Attrs{}, x, nil)
		}
		if fuse {
			return b.graph(b.conv("conv", geom, a, x, r))
		}
		y := b.conv("conv", geom, ir.Attrs{Bias: a.Bias}, x, nil)
		if r != nil {
			y = b.node(ir.OpAdd, "add", ir.Attrs{}, y, r)
		}
		if a.PostAffine {
			y = b.scaleShift("affine", "conv", ir.ActNone, y)
		}
		return b.graph(b.activation("act", a.Act, y))
	}
	return build(true), build(false)
}

// TestMulEpilogues: x·gate + residual with an activation, in place over x,
// over the residual, or in a fresh buffer, and without a residual.
func TestMulEpilogues(t *testing.T) {
	const c, h, w = 12, 7, 5
	for _, v := range []struct {
		name     string
		residual bool
		xIsInput bool // x is the graph input, which is never overwritten
		resInput bool // the residual is the graph input
		alias    string
	}{
		{"over-x", true, false, true, "x"},
		{"over-res", true, true, false, "res"},
		{"fresh", true, true, true, ""},
		{"no-residual", false, false, false, "x"},
	} {
		for _, act := range acts {
			t.Run(fmt.Sprintf("%s/%s", v.name, act), func(t *testing.T) {
				build := func(fuse bool) *ir.Graph {
					b, in := newGraph(t, "mul", c, h, w)
					x, r := in, in
					if !v.xIsInput {
						x = b.scaleShift("x", "x", ir.ActNone, in)
					}
					if !v.resInput {
						r = b.scaleShift("res", "res", ir.ActRelu, in)
					}
					gate := b.node(ir.OpSigmoid, "gate", ir.Attrs{}, b.node(ir.OpGlobalAvgPool, "gap", ir.Attrs{}, x))
					if fuse {
						inputs := []*ir.Node{x, gate}
						if v.residual {
							inputs = append(inputs, r)
						}
						return b.graph(b.node(ir.OpMul, "mul", ir.Attrs{Residual: v.residual, Act: act}, inputs...))
					}
					y := b.node(ir.OpMul, "mul", ir.Attrs{}, x, gate)
					if v.residual {
						y = b.node(ir.OpAdd, "add", ir.Attrs{}, y, r)
					}
					return b.graph(b.activation("act", act, y))
				}
				fused := build(true)
				wts := fusedWeights(fused, 3)
				checkFused(t, fused, build(false), wts)
				checkMulAlias(t, fused, wts, v.alias)
			})
		}
	}
}

// checkMulAlias checks which input g's Mul writes over: "x", "res" or ""
// for none. It must never be the gate.
func checkMulAlias(t *testing.T, g *ir.Graph, w weights.Source, want string) {
	t.Helper()
	p, err := Compile(g, w, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.steps {
		m, ok := s.(*mulStep)
		if !ok {
			continue
		}
		got := ""
		switch {
		case m.out.buf == m.x.buf:
			got = "x"
		case m.res != nil && m.out.buf == m.res.buf:
			got = "res"
		}
		if got != want || m.out.buf == m.gate.buf {
			t.Errorf("Mul writes over %q, want %q (gate shared: %v)", got, want, m.out.buf == m.gate.buf)
		}
	}
}

// TestAddAndScaleShiftEpilogues: an activation fused into a two- and a
// three-input Add and into a ScaleShift.
func TestAddAndScaleShiftEpilogues(t *testing.T) {
	const c, h, w = 6, 9, 11
	for _, act := range acts {
		for _, arity := range []int{2, 3} {
			t.Run(fmt.Sprintf("add%d/%s", arity, act), func(t *testing.T) {
				build := func(fuse bool) *ir.Graph {
					b, x := newGraph(t, "add", c, h, w)
					inputs := []*ir.Node{x, b.scaleShift("a", "a", ir.ActNone, x)}
					if arity == 3 {
						inputs = append(inputs, b.scaleShift("b", "b", ir.ActNone, x))
					}
					if fuse {
						return b.graph(b.node(ir.OpAdd, "add", ir.Attrs{Act: act}, inputs...))
					}
					return b.graph(b.activation("act", act, b.node(ir.OpAdd, "add", ir.Attrs{}, inputs...)))
				}
				fused := build(true)
				checkFused(t, fused, build(false), fusedWeights(fused, 4))
			})
		}
		t.Run(fmt.Sprintf("scaleshift/%s", act), func(t *testing.T) {
			build := func(fuse bool) *ir.Graph {
				b, x := newGraph(t, "scaleshift", c, h, w)
				// A Relu first, so that the ScaleShift may write in place.
				y := b.node(ir.OpRelu, "relu", ir.Attrs{}, x)
				if fuse {
					return b.graph(b.scaleShift("ss", "ss", act, y))
				}
				return b.graph(b.activation("act", act, b.scaleShift("ss", "ss", ir.ActNone, y)))
			}
			fused := build(true)
			checkFused(t, fused, build(false), fusedWeights(fused, 5))
		})
	}
}

// TestEpilogueKernel checks the fast convolutions' epilogue on random
// geometries, k-blocked and channel-blocked ones included, against the
// formula written out here with ir.Act.Apply.
func TestEpilogueKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for i := range testenv.Count(200) {
		g := randomWindow(r, true)
		if i%20 == 0 {
			g.C, g.M, g.G = 300+r.IntN(200), 6+r.IntN(60), 1
		}
		checkConvEpilogue(t, r, g, 1+r.IntN(3))
	}
}

func checkConvEpilogue(t *testing.T, r *rand.Rand, g window, threads int) {
	t.Helper()
	batch := 1 + r.IntN(2)
	inLen, outLen := g.C*g.H*g.W, g.M*g.OH*g.OW
	x := randomSlice(r, batch*inLen)
	w := randomSlice(r, g.M*g.C/g.G*g.KH*g.KW)
	in := &tensor{shape: []int{-1, g.C, g.H, g.W}, elems: inLen}
	out := &tensor{shape: []int{-1, g.M, g.OH, g.OW}, elems: outLen}
	ep := epilogue{act: acts[r.IntN(len(acts))]}
	if r.IntN(2) == 0 {
		ep.bias = randomSlice(r, g.M)
	}
	var res []float32
	if r.IntN(2) == 0 {
		res = randomSlice(r, batch*outLen)
		ep.res = &tensor{shape: out.shape, elems: outLen, off: -2}
	}
	if r.IntN(2) == 0 {
		ep.scale, ep.shift = randomSlice(r, g.M), randomSlice(r, g.M)
	}
	s, scratch := convStepFor(g, in, out, w, ep, threads, false, winoNever, false)
	got := runStep(t, r, s, in, out, x, outLen, batch, scratch, res)
	plane := g.OH * g.OW
	for b := 0; b < batch; b++ {
		want := make([]float32, outLen)
		convRef(&g, w, x[b*inLen:(b+1)*inLen], want)
		for i, v := range want {
			ch := i / plane
			if ep.bias != nil {
				v += ep.bias[ch]
			}
			if res != nil {
				v += res[b*outLen+i]
			}
			if ep.scale != nil {
				v = v*ep.scale[ch] + ep.shift[ch]
			}
			want[i] = ep.act.Apply(v, float64(ep.alpha))
		}
		scale := float32(g.C/g.G*g.KH*g.KW) * 16
		for i := range want {
			if !closeTo(got[b*outLen+i], want[i], scale) {
				t.Fatalf("%+v %+v batch %d threads %d: image %d output %d is %v, want %v",
					g, ep, batch, threads, b, i, got[b*outLen+i], want[i])
			}
		}
	}
}

// TestDerivedParams compiles a graph whose conv weight and post-affine
// epilogue are derived from other parameters, from a Set holding only
// those: it must compute what the graph with the values written out does.
func TestDerivedParams(t *testing.T) {
	geom := convGeom{m: 8, k: 3, s: 1, p: 1, g: 1}
	double := func(v [][]float32) []float32 {
		out := make([]float32, len(v[0]))
		for i, x := range v[0] {
			out[i] = 2 * x
		}
		return out
	}
	build := func(derived bool) *ir.Graph {
		b, x := newGraph(t, "derived", 4, 6, 6)
		y := b.conv("conv", geom, ir.Attrs{Bias: true, PostAffine: true, Act: ir.ActRelu}, x, nil)
		if derived {
			for _, p := range y.Params {
				base := *p
				base.Name += "0"
				p.Derived = &ir.Derivation{From: []*ir.Param{&base}, Doc: "2·" + base.Name, Compute: double}
			}
		}
		return b.graph(y)
	}
	derived, plain := build(true), build(false)
	src := fusedWeights(derived, 6)
	doubled := weights.Set{}
	for _, p := range plain.SourceParams() {
		doubled[p.Name] = double([][]float32{src[p.Name+"0"]})
	}
	x := randomInput(derived, 2, 1)
	got := runModel(t, derived, src, Options{Threads: 2}, x, 2)
	want := runModel(t, plain, doubled, Options{Threads: 2}, x, 2)
	if !slices.Equal(got, want) {
		t.Fatalf("derived parameters give other outputs (max difference %g)", maxDiff(got, want))
	}
	// weights.Init initialises the source parameters of a derived graph.
	runModel(t, derived, weights.Init(derived, 1), Options{}, x, 2)
}

// TestFusedRunAllocatesNothing: fused steps keep Run allocation-free.
func TestFusedRunAllocatesNothing(t *testing.T) {
	b, x := newGraph(t, "fused", 16, 12, 12)
	geom := convGeom{m: 16, k: 3, s: 1, p: 1, g: 1}
	y := b.conv("conv1", geom, ir.Attrs{Bias: true, PostAffine: true, Act: ir.ActRelu}, x, nil)
	y = b.conv("conv2", geom, ir.Attrs{PostAffine: true, Residual: true, Act: ir.ActSigmoid}, y, x)
	dw := geom
	dw.g = 16
	z := b.conv("dw", dw, ir.Attrs{Residual: true, Act: ir.ActRelu}, y, y)
	gate := b.node(ir.OpSigmoid, "gate", ir.Attrs{}, b.node(ir.OpGlobalAvgPool, "gap", ir.Attrs{}, z))
	z = b.node(ir.OpMul, "mul", ir.Attrs{Residual: true, Act: ir.ActRelu}, z, gate, y)
	z = b.node(ir.OpAdd, "add", ir.Attrs{Act: ir.ActRelu}, z, x)
	g := b.graph(b.scaleShift("ss", "ss", ir.ActSigmoid, z))
	w := fusedWeights(g, 8)
	for _, threads := range []int{1, 2} {
		p, err := Compile(g, w, Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		in := randomInput(g, 2, 1)
		out := make([]float32, 2*p.outElems)
		if err := p.Run(in, 2, out); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(5, func() {
			if err := p.Run(in, 2, out); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("threads %d: %v allocations per Run", threads, allocs)
		}
	}
}

// BenchmarkEpilogue times a resnet50 layer1 3×3 convolution whose bias,
// residual, scale and shift and relu are fused, against the same as
// separate nodes, at batch 1 on 2 threads.
func BenchmarkEpilogue(b *testing.B) {
	geom := convGeom{m: 64, k: 3, s: 1, p: 1, g: 1}
	a := ir.Attrs{Bias: true, Residual: true, PostAffine: true, Act: ir.ActRelu}
	fused, unfused := convGraphs(b, 64, 56, 56, geom, a, resInput)
	w := fusedWeights(fused, 1)
	for _, c := range []struct {
		name string
		g    *ir.Graph
	}{{"fused", fused}, {"unfused", unfused}} {
		p, err := Compile(c.g, w, Options{Threads: 2})
		if err != nil {
			b.Fatal(err)
		}
		x := randomInput(c.g, 1, 1)
		out := make([]float32, p.outElems)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				p.Run(x, 1, out)
			}
		})
	}
}
