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

// The ops beyond ResNets' own, each on random shapes (odd sizes, batch 1
// and 3, one thread and two) on the fast path and the reference path,
// both against the op's definition written out here, index by index, in
// float64. ONNX's backend test data checks several of them against
// outputs no one here wrote (onnxdata_test.go).

// An opCase builds one op over an input of shape [N, c, h, w] (h = 0: a
// [N, c] input) and computes, for one image, what it must give.
type opCase struct {
	name    string
	c, h, w int
	build   func(b *graphBuilder, x *ir.Node) *ir.Node
	want    func(x []float32, w weights.Set) []float32
	tol     float64 // relative to the output's largest magnitude; 0 means exact
	inPlace bool    // the op may write over its input: feed it a computed tensor
}

// chw reads one image's value at (c, y, x) of a [C, H, W] image.
func chw(v []float32, h, w, c, y, x int) float32 { return v[(c*h+y)*w+x] }

func opCases(r *rand.Rand) []opCase {
	odd := func(lo, hi int) int { return lo + r.IntN(hi-lo+1) }
	var cases []opCase

	// Activations, elementwise against ir.Act.Apply.
	for _, act := range allActs[1:] {
		c, h, w := odd(1, 7), odd(1, 9), odd(1, 13)
		tol := 0.0 // the piecewise linear ones are exact
		if act == ir.ActSigmoid || act == ir.ActSilu || act == ir.ActGelu || act == ir.ActTanh {
			tol = 1e-6 // transcend.go's, within a few units in the last place
		}
		cases = append(cases, opCase{name: act.String(), c: c, h: h, w: w, inPlace: true, tol: tol,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.node(act.Op(), "act", ir.Attrs{Alpha: actAlpha(act)}, x)
			},
			want: func(x []float32, _ weights.Set) []float32 {
				out := make([]float32, len(x))
				for i, v := range x {
					out[i] = act.Apply(v, actAlpha(act))
				}
				return out
			}})
	}

	// Concat of three tensors, one of them read twice.
	{
		c0, c1, h, w := odd(1, 5), odd(1, 6), odd(1, 7), odd(1, 9)
		cases = append(cases, opCase{name: "concat", c: c0, h: h, w: w, tol: 1e-5,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				y := b.conv("y", convGeom{m: c1, k: 1, s: 1, g: 1}, ir.Attrs{}, x, nil)
				return b.node(ir.OpConcat, "cat", ir.Attrs{}, y, x, y)
			},
			want: func(x []float32, ws weights.Set) []float32 {
				y := conv1x1(x, ws["y.weight"], c0, c1, h*w)
				return append(append(append([]float32(nil), y...), x...), y...)
			}})
	}

	// A slice of channels, of the input and of a computed tensor.
	for _, computed := range []bool{false, true} {
		c, h, w := odd(2, 9), odd(1, 7), odd(1, 8)
		lo := r.IntN(c - 1)
		hi := lo + 1 + r.IntN(c-lo)
		cases = append(cases, opCase{name: fmt.Sprintf("slice/computed=%v", computed), c: c, h: h, w: w, inPlace: computed,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.node(ir.OpSlice, "slice", ir.Attrs{Begin: lo, End: hi}, x)
			},
			want: func(x []float32, _ weights.Set) []float32 {
				return append([]float32(nil), x[lo*h*w:hi*h*w]...)
			}})
	}

	// LayerNorm over channels, with and without gamma and beta, on
	// [N,C,H,W] (block-sized and odd planes) and on [N,C].
	for i, s := range [][3]int{{odd(1, 9), odd(1, 9), odd(1, 9)}, {odd(3, 40), 17, 19}, {odd(2, 50), 0, 0}} {
		scale, center := i != 1, i != 2
		cases = append(cases, opCase{name: fmt.Sprintf("layernorm/%v", s), c: s[0], h: s[1], w: s[2], tol: 1e-5, inPlace: true,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.add(&ir.Node{Op: ir.OpLayerNorm, Name: "ln", Inputs: []*ir.Node{x},
					Attrs: ir.Attrs{Epsilon: 1e-6, Scale: scale, Center: center}, Params: normTestParams("ln", x.Shape[1], scale, center)})
			},
			want: func(x []float32, ws weights.Set) []float32 {
				c := s[0]
				plane := len(x) / c
				gamma, beta := normTestValues(ws, "ln", c)
				out := make([]float32, len(x))
				for p := range plane {
					var m, v float64
					for k := range c {
						m += float64(x[k*plane+p])
					}
					m /= float64(c)
					for k := range c {
						v += (float64(x[k*plane+p]) - m) * (float64(x[k*plane+p]) - m)
					}
					sd := math.Sqrt(v/float64(c) + 1e-6)
					for k := range c {
						out[k*plane+p] = float32((float64(x[k*plane+p])-m)/sd*gamma[k] + beta[k])
					}
				}
				return out
			}})
	}

	// GroupNorm: one group, several, one channel per group.
	for _, groups := range []int{1, 3, 0} {
		per, h, w := odd(1, 4), odd(1, 9), odd(1, 9)
		gr := groups
		if gr == 0 {
			gr, per = odd(2, 6), 1
		}
		c := gr * per
		cases = append(cases, opCase{name: fmt.Sprintf("groupnorm/%d×%d", gr, per), c: c, h: h, w: w, tol: 1e-5, inPlace: true,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.add(&ir.Node{Op: ir.OpGroupNorm, Name: "gn", Inputs: []*ir.Node{x},
					Attrs: ir.Attrs{Epsilon: 1e-5, Groups: gr, Scale: true, Center: true}, Params: normTestParams("gn", c, true, true)})
			},
			want: func(x []float32, ws weights.Set) []float32 {
				gamma, beta := normTestValues(ws, "gn", c)
				out := make([]float32, len(x))
				size := len(x) / gr
				for g := range gr {
					vals := x[g*size : (g+1)*size]
					var m, v float64
					for _, e := range vals {
						m += float64(e)
					}
					m /= float64(size)
					for _, e := range vals {
						v += (float64(e) - m) * (float64(e) - m)
					}
					sd := math.Sqrt(v/float64(size) + 1e-5)
					for i, e := range vals {
						k := g*per + i/(h*w)
						out[g*size+i] = float32((float64(e)-m)/sd*gamma[k] + beta[k])
					}
				}
				return out
			}})
	}

	// Upsample nearest by 2×2, by 3×1 and by 1×4.
	for _, f := range [][2]int{{2, 2}, {3, 1}, {1, 4}} {
		c, h, w := odd(1, 4), odd(1, 7), odd(1, 7)
		cases = append(cases, opCase{name: fmt.Sprintf("upsample/%dx%d", f[0], f[1]), c: c, h: h, w: w,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.node(ir.OpUpsample, "up", ir.Attrs{Factor: f}, x)
			},
			want: func(x []float32, _ weights.Set) []float32 {
				var out []float32
				for k := range c {
					for y := range h * f[0] {
						for xx := range w * f[1] {
							out = append(out, chw(x, h, w, k, y/f[0], xx/f[1]))
						}
					}
				}
				return out
			}})
	}

	// ChannelScale, with gamma [C] and [C,1,1].
	for _, shape := range [][]int{{0}, {0, 1, 1}} {
		c, h, w := odd(1, 9), odd(1, 7), odd(1, 7)
		ps := append([]int{c}, shape[1:]...)
		cases = append(cases, opCase{name: fmt.Sprintf("channelscale/%v", ps), c: c, h: h, w: w, inPlace: true,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.add(&ir.Node{Op: ir.OpChannelScale, Name: "ls", Inputs: []*ir.Node{x},
					Params: []*ir.Param{namedParam("ls.gamma", ir.RoleGamma, ps...)}})
			},
			want: func(x []float32, ws weights.Set) []float32 {
				out := make([]float32, len(x))
				for i, v := range x {
					out[i] = v * ws["ls.gamma"][i/(h*w)]
				}
				return out
			}})
	}

	// DropPath is the identity.
	{
		c, h, w := odd(1, 5), odd(1, 5), odd(1, 5)
		cases = append(cases, opCase{name: "droppath", c: c, h: h, w: w, inPlace: true,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.node(ir.OpDropPath, "dp", ir.Attrs{Rate: 0.2}, x)
			},
			want: func(x []float32, _ weights.Set) []float32 { return append([]float32(nil), x...) }})
	}

	// SpaceToDepth by 2 and 3.
	for _, bl := range []int{2, 3} {
		c, h, w := odd(1, 4), bl*odd(1, 4), bl*odd(1, 5)
		cases = append(cases, opCase{name: fmt.Sprintf("space_to_depth/%d", bl), c: c, h: h, w: w,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.node(ir.OpSpaceToDepth, "s2d", ir.Attrs{Block: bl}, x)
			},
			want: func(x []float32, _ weights.Set) []float32 {
				oh, ow := h/bl, w/bl
				out := make([]float32, len(x))
				for k := range c {
					for y := range h {
						for xx := range w {
							oc := (y%bl*bl+xx%bl)*c + k
							out[(oc*oh+y/bl)*ow+xx/bl] = chw(x, h, w, k, y, xx)
						}
					}
				}
				return out
			}})
	}

	// RadixSoftmax on [N,C,1,1] and [N,C,H,W], as timm's rSoftMax:
	// view(g, r, k).transpose(0, 1).softmax over r.
	for _, s := range [][4]int{{2, 3, 1, 1}, {4, 1, 1, 1}, {3, 2, 3, 2}} {
		radix, groups, h, w := s[0], s[1], s[2], s[3]
		k := odd(1, 4)
		c := radix * groups * k
		cases = append(cases, opCase{name: fmt.Sprintf("radix_softmax/r%d/g%d/%dx%d", radix, groups, h, w), c: c, h: h, w: w, tol: 1e-6,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				return b.node(ir.OpRadixSoftmax, "rsm", ir.Attrs{Radix: radix, Groups: groups}, x)
			},
			want: func(x []float32, _ weights.Set) []float32 {
				out := make([]float32, len(x))
				hw := h * w
				for p := range hw {
					for gi := range groups {
						for ki := range k {
							var total float64
							for ri := range radix {
								total += math.Exp(float64(x[((gi*radix+ri)*k+ki)*hw+p]))
							}
							for ri := range radix {
								e := math.Exp(float64(x[((gi*radix+ri)*k+ki)*hw+p]))
								out[((ri*groups+gi)*k+ki)*hw+p] = float32(e / total)
							}
						}
					}
				}
				return out
			}})
	}

	// Mul of two tensors of the same shape.
	{
		c, h, w := odd(1, 6), odd(1, 7), odd(1, 9)
		cases = append(cases, opCase{name: "mul/elementwise", c: c, h: h, w: w, inPlace: true, tol: 1e-6,
			build: func(b *graphBuilder, x *ir.Node) *ir.Node {
				y := b.node(ir.OpTanh, "y", ir.Attrs{}, x)
				return b.node(ir.OpMul, "mul", ir.Attrs{}, x, y)
			},
			want: func(x []float32, _ weights.Set) []float32 {
				out := make([]float32, len(x))
				for i, v := range x {
					out[i] = v * ir.ActTanh.Apply(v, 0)
				}
				return out
			}})
	}
	return cases
}

// conv1x1 is a 1×1 convolution without bias of one image of c channels
// of n pixels to m channels, w [m][c].
func conv1x1(x, w []float32, c, m, n int) []float32 {
	out := make([]float32, m*n)
	for o := range m {
		for p := range n {
			var s float64
			for k := range c {
				s += float64(w[o*c+k]) * float64(x[k*n+p])
			}
			out[o*n+p] = float32(s)
		}
	}
	return out
}

// normTestParams are a LayerNorm's or GroupNorm's parameters.
func normTestParams(name string, c int, scale, center bool) []*ir.Param {
	var ps []*ir.Param
	if scale {
		ps = append(ps, namedParam(name+".weight", ir.RoleGamma, c))
	}
	if center {
		ps = append(ps, namedParam(name+".bias", ir.RoleBeta, c))
	}
	return ps
}

// normTestValues are gamma and beta from ws, ones and zeros when absent.
func normTestValues(ws weights.Set, name string, c int) (gamma, beta []float64) {
	gamma, beta = make([]float64, c), make([]float64, c)
	for k := range c {
		gamma[k] = 1
		if v := ws[name+".weight"]; v != nil {
			gamma[k] = float64(v[k])
		}
		if v := ws[name+".bias"]; v != nil {
			beta[k] = float64(v[k])
		}
	}
	return gamma, beta
}

// TestOpsMatchDefinitions runs each op case at batch 1 and 3, on one
// thread and two, fast and reference, against its definition, with each
// instruction set's kernels.
func TestOpsMatchDefinitions(t *testing.T) {
	withISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for round := range testenv.Count(4) {
			for _, oc := range opCases(r) {
				t.Run(fmt.Sprintf("%d/%s", round, oc.name), func(t *testing.T) {
					checkOpCase(t, oc, uint64(round))
				})
			}
		}
	})
}

func checkOpCase(t *testing.T, oc opCase, seed uint64) {
	t.Helper()
	for _, pre := range []bool{false, true} {
		if pre && !oc.inPlace {
			continue
		}
		b, x := newOpGraph(t, oc.c, oc.h, oc.w)
		in := x
		if pre {
			// A computed input that dies with the op, which may then
			// write over it.
			in = b.node(ir.OpDropout, "identity", ir.Attrs{}, b.node(ir.OpAdd, "twice", ir.Attrs{}, x, x))
		}
		g := b.graph(oc.build(b, in))
		ws := fusedWeights(g, seed+5)
		for _, batch := range []int{1, 3} {
			xs := randomInput(g, batch, seed+uint64(batch))
			per := int(g.Input.Shape.Elems())
			var want []float32
			for img := range batch {
				xi := xs[img*per : (img+1)*per]
				if pre {
					xi = append([]float32(nil), xi...)
					for i := range xi {
						xi[i] += xi[i]
					}
				}
				want = append(want, oc.want(xi, ws)...)
			}
			for _, threads := range []int{1, 2} {
				for _, ref := range []bool{false, true} {
					got := runModel(t, g, ws, Options{Threads: threads, reference: ref}, xs, batch)
					what := fmt.Sprintf("computed input %v, batch %d, %d threads, reference %v", pre, batch, threads, ref)
					if len(got) != len(want) {
						t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
					}
					if d, m := maxDiff(got, want), maxAbs(want); d > oc.tol*max(m, 1) {
						t.Errorf("%s: max difference %g (max |want| %g)", what, d, m)
					}
				}
			}
		}
	}
}

// newOpGraph starts a graph with an input [N,c,h,w], or [N,c] when h is 0.
func newOpGraph(t testing.TB, c, h, w int) (*graphBuilder, *ir.Node) {
	if h > 0 {
		return newGraph(t, "op", c, h, w)
	}
	b := &graphBuilder{t: t, g: &ir.Graph{Name: "op", Naming: "torch"}}
	return b, b.add(&ir.Node{Op: ir.OpInput, Name: "input", Shape: ir.Shape{ir.Batch, c}})
}

// TestConcatInPlace: the convolutions read only by a concatenation write
// into their part of it (a 3×3, a 1×1 with a residual, a depthwise one
// after other buffers come and go);
// the graph input and a convolution read twice are copied. The result is
// each part computed as an output of its own, concatenated here, at batch
// 1 and 3, on one thread and two, fast and reference.
func TestConcatInPlace(t *testing.T) {
	const c, h, w = 4, 5, 7
	b, x := newGraph(t, "cat", c, h, w)
	parts := []*ir.Node{
		b.conv("a", convGeom{m: 3, k: 3, s: 1, p: 1, g: 1}, ir.Attrs{Bias: true}, x, nil),
		x,
		b.conv("b", convGeom{m: c, k: 1, s: 1, g: 1}, ir.Attrs{Residual: true, Act: ir.ActSilu}, x, x),
		b.conv("d", convGeom{m: 2, k: 1, s: 1, g: 1}, ir.Attrs{}, x, nil),
		// After buffers that live while a is written: a's part of the
		// concatenation must be kept from them.
		b.conv("e", convGeom{m: c, k: 3, s: 1, p: 1, g: c}, ir.Attrs{},
			b.node(ir.OpRelu, "relu", ir.Attrs{}, b.scaleShift("ss", "ss", ir.ActNone, x)), nil),
	}
	cat := b.node(ir.OpConcat, "cat", ir.Attrs{}, parts...)
	twice := b.node(ir.OpGlobalAvgPool, "pool", ir.Attrs{}, parts[3])
	g := b.g
	g.Outputs = []ir.Output{{Name: "cat", Node: cat}, {Name: "pool", Node: twice}}
	if err := g.Verify(); err != nil {
		t.Fatal(err)
	}
	ws := fusedWeights(g, 8)
	// Each part an output: nothing is written in place.
	apart := *g
	apart.Outputs = nil
	for _, p := range parts {
		apart.Outputs = append(apart.Outputs, ir.Output{Name: "part_" + p.Name, Node: p})
	}
	for _, batch := range []int{1, 3} {
		xs := randomInput(g, batch, 4)
		for _, threads := range []int{1, 2} {
			for _, ref := range []bool{false, true} {
				p, err := compile(g, ws, Options{Threads: threads, reference: ref})
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range p.steps {
					if cs, ok := s.(*concatStep); ok {
						var names []string
						for _, in := range cs.in {
							names = append(names, in.name)
						}
						if fmt.Sprint(names) != "[input d]" {
							t.Fatalf("the concatenation copies %v, want [input d]", names)
						}
					}
				}
				got := [][]float32{make([]float32, batch*int(cat.Shape.Elems())), make([]float32, batch*2)}
				if err := p.RunOutputs(xs, batch, got); err != nil {
					t.Fatal(err)
				}
				q, err := compile(&apart, ws, Options{Threads: threads, reference: ref})
				if err != nil {
					t.Fatal(err)
				}
				outs := make([][]float32, len(parts))
				for i, o := range q.Outputs() {
					outs[i] = make([]float32, batch*o.Elems)
				}
				if err := q.RunOutputs(xs, batch, outs); err != nil {
					t.Fatal(err)
				}
				var want []float32
				for img := range batch {
					for i, o := range q.Outputs() {
						want = append(want, outs[i][img*o.Elems:(img+1)*o.Elems]...)
					}
				}
				if d := maxDiff(got[0], want); d != 0 {
					t.Errorf("batch %d, %d threads, reference %v: the concatenation differs by %g", batch, threads, ref, d)
				}
			}
		}
	}
}

// TestSliceView: a Slice that only convolutions read is a view of its
// input, of the graph input or of a computed tensor that an in-place
// Relu would otherwise overwrite before the convolution reads the view; a
// Slice read by anything else is copied. The results equal those of the
// graph with every Slice an output (copied), at batch 1 and 3, on one
// thread and two, fast and reference.
func TestSliceView(t *testing.T) {
	const c, h, w = 4, 6, 5
	b, x := newGraph(t, "slices", c, h, w)
	a := b.conv("a", convGeom{m: 3, k: 3, s: 1, p: 1, g: 1}, ir.Attrs{Bias: true}, b.node(ir.OpSlice, "sx", ir.Attrs{Begin: 1, End: 3}, x), nil)
	y := b.scaleShift("y", "y", ir.ActNone, x)
	sy := b.node(ir.OpSlice, "sy", ir.Attrs{Begin: 0, End: 2}, y)
	copied := b.node(ir.OpRelu, "copied", ir.Attrs{}, b.node(ir.OpSlice, "sc", ir.Attrs{Begin: 2, End: 4}, y))
	r := b.node(ir.OpRelu, "r", ir.Attrs{}, y)
	conv1 := b.conv("b", convGeom{m: 2, k: 1, s: 1, g: 1}, ir.Attrs{}, sy, nil)
	conv2 := b.conv("e", convGeom{m: 2, k: 3, s: 1, p: 1, g: 2}, ir.Attrs{}, sy, nil)
	g := b.g
	g.Outputs = []ir.Output{{Name: "a", Node: a}, {Name: "copied", Node: copied}, {Name: "r", Node: r}, {Name: "b", Node: conv1}, {Name: "e", Node: conv2}}
	if err := g.Verify(); err != nil {
		t.Fatal(err)
	}
	ws := fusedWeights(g, 9)
	copies := *g
	copies.Outputs = append(slices.Clone(g.Outputs), ir.Output{Name: "sx", Node: g.Nodes[1]}, ir.Output{Name: "sy", Node: sy})
	for _, batch := range []int{1, 3} {
		xs := randomInput(g, batch, 2)
		for _, threads := range []int{1, 2} {
			for _, ref := range []bool{false, true} {
				run := func(g *ir.Graph, views int) [][]float32 {
					p, err := compile(g, ws, Options{Threads: threads, reference: ref})
					if err != nil {
						t.Fatal(err)
					}
					steps := 0
					for _, s := range p.steps {
						if _, ok := s.(*sliceStep); ok {
							steps++
						}
					}
					if steps != 3-views {
						t.Fatalf("%d slice steps, want %d", steps, 3-views)
					}
					var outs [][]float32
					for _, o := range p.Outputs() {
						outs = append(outs, make([]float32, batch*o.Elems))
					}
					if err := p.RunOutputs(xs, batch, outs); err != nil {
						t.Fatal(err)
					}
					return outs
				}
				got, want := run(g, 2), run(&copies, 0)
				for i, o := range g.Outputs {
					if !slices.Equal(got[i], want[i]) {
						t.Errorf("batch %d, %d threads, reference %v: output %s differs by %g", batch, threads, ref, o.Name, maxDiff(got[i], want[i]))
					}
				}
			}
		}
	}
}
