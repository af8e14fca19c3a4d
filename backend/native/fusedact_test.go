package native

import (
	"fmt"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestAllActsListed keeps allActs complete: every activation the IR has.
func TestAllActsListed(t *testing.T) {
	for a := ir.Act(0); !strings.HasPrefix(a.String(), "Act("); a++ {
		found := false
		for _, b := range allActs {
			found = found || a == b
		}
		if !found {
			t.Errorf("allActs lacks %s", a)
		}
	}
}

// TestFusedActivations fuses every activation into a convolution (GEMM
// and depthwise, with a residual and a post-affine epilogue), a Mul with a
// residual, an Add and a ScaleShift, on each instruction set's epilogue
// kernel: fused fast, fused reference and unfused must agree.
func TestFusedActivations(t *testing.T) {
	withISA(t, func(t *testing.T) {
		const c, h, w = 8, 7, 9
		for _, act := range allActs {
			a := ir.Attrs{Bias: true, PostAffine: true, Residual: true, Act: act, Alpha: actAlpha(act)}
			for _, geom := range []convGeom{
				{name: "3x3", m: 8, k: 3, s: 1, p: 1, g: 1},
				{name: "depthwise", m: 8, k: 3, s: 1, p: 1, g: 8},
			} {
				t.Run(fmt.Sprintf("conv-%s/%s", geom.name, act), func(t *testing.T) {
					fused, unfused := convGraphs(t, c, h, w, geom, a, resShortcut)
					checkFused(t, fused, unfused, fusedWeights(fused, 2))
				})
			}
			t.Run(fmt.Sprintf("mul/%s", act), func(t *testing.T) {
				build := func(fuse bool) *ir.Graph {
					b, x := newGraph(t, "mul", c, h, w)
					y := b.scaleShift("y", "y", ir.ActNone, x)
					gate := b.node(ir.OpSigmoid, "gate", ir.Attrs{}, b.node(ir.OpGlobalAvgPool, "gap", ir.Attrs{}, y))
					if fuse {
						return b.graph(b.node(ir.OpMul, "mul", ir.Attrs{Residual: true, Act: act, Alpha: actAlpha(act)}, y, gate, x))
					}
					m := b.node(ir.OpMul, "mul", ir.Attrs{}, y, gate)
					return b.graph(b.activation("act", act, b.node(ir.OpAdd, "add", ir.Attrs{}, m, x)))
				}
				fused := build(true)
				checkFused(t, fused, build(false), fusedWeights(fused, 3))
			})
			t.Run(fmt.Sprintf("add-scaleshift/%s", act), func(t *testing.T) {
				build := func(fuse bool) *ir.Graph {
					b, x := newGraph(t, "add", c, h, w)
					fa := ir.Attrs{}
					if fuse {
						fa = ir.Attrs{Act: act, Alpha: actAlpha(act)}
					}
					s := b.scaleShift("s", "s", fa.Act, x)
					s.Attrs.Alpha = fa.Alpha
					if !fuse {
						s = b.activation("act1", act, s)
					}
					sum := b.node(ir.OpAdd, "add", fa, s, x)
					if !fuse {
						sum = b.activation("act2", act, sum)
					}
					return b.graph(sum)
				}
				fused := build(true)
				checkFused(t, fused, build(false), fusedWeights(fused, 4))
			})
		}
	})
}

// TestActivationsFuseAtO2 builds conv → batch norm → activation blocks
// with a residual for each activation, runs them as written (-O0) and
// after the -O2 pipeline: the activations must all be fused away and the
// outputs agree.
func TestActivationsFuseAtO2(t *testing.T) {
	const c, h, w = 6, 9, 8
	for _, act := range allActs[1:] {
		t.Run(act.String(), func(t *testing.T) {
			build := func() *ir.Graph {
				b, x := newGraph(t, "block", c, h, w)
				bn := func(name string, y *ir.Node) *ir.Node {
					return b.add(&ir.Node{Op: ir.OpBatchNorm, Name: name, Inputs: []*ir.Node{y},
						Attrs: ir.Attrs{Epsilon: 1e-5, Scale: true, Center: true},
						Params: []*ir.Param{namedParam(name+".weight", ir.RoleGamma, c), namedParam(name+".bias", ir.RoleBeta, c),
							{Name: name + ".running_mean", Role: ir.RoleMean, Shape: []int{c}},
							{Name: name + ".running_var", Role: ir.RoleVar, Shape: []int{c}}}})
				}
				geom := convGeom{m: c, k: 3, s: 1, p: 1, g: 1}
				y := b.activation("act1", act, bn("bn1", b.conv("conv1", geom, ir.Attrs{}, x, nil)))
				y = bn("bn2", b.conv("conv2", geom, ir.Attrs{}, y, nil))
				return b.graph(b.activation("act2", act, b.node(ir.OpAdd, "add", ir.Attrs{}, y, x)))
			}
			g0, g := build(), build()
			if err := ir.Optimize(g, ir.MaxLevel); err != nil {
				t.Fatal(err)
			}
			for _, n := range g.Nodes {
				if n.Op == act.Op() {
					t.Errorf("-O2 left %s unfused", n.Name)
				}
			}
			ws := foldWeights(g0, 7)
			for name, v := range ws {
				if strings.HasSuffix(name, "running_var") {
					for i := range v {
						v[i] = 0.5 + v[i]*v[i]
					}
				}
			}
			x := randomInput(g0, 3, 8)
			want := runModel(t, g0, ws, Options{Threads: 2}, x, 3)
			got := runModel(t, g, ws, Options{Threads: 2}, x, 3)
			if d, bound := maxDiff(got, want), 1e-5*max(1, maxAbs(want)); d > bound {
				t.Errorf("-O2 against -O0: max difference %g (bound %g)", d, bound)
			}
		})
	}
}
