package native

import (
	"fmt"
	"math"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// linearSource exercises the per-pixel linear layer (compiler's linear on
// [N,C,H,W], a Conv whose weight keeps nn.Linear's [out,in] shape) where
// the passes rewrite it: a batch norm folded into its input side, a GELU
// into its epilogue, and two paths of linear layers merged into grouped
// convolutions.
const linearSource = `
network lin() {
  naming torch
  input(5, 7, 9)
  norm: bn
  a: linear(11)
  gelu
  path: paths 2 {
    p: linear(8)
    relu
    q: linear(6, bias: false)
  }
}
`

// linearLoop is nn.Linear over the channels of one image x [c][n] at each
// of its n positions, w [m][c], in float64.
func linearLoop(x, w, b []float32, c, m, n int) []float32 {
	out := make([]float32, m*n)
	for o := range m {
		for p := range n {
			s := 0.0
			if b != nil {
				s = float64(b[o])
			}
			for k := range c {
				s += float64(w[o*c+k]) * float64(x[k*n+p])
			}
			out[o*n+p] = float32(s)
		}
	}
	return out
}

// linearWant computes linearSource for one image, layer by layer.
func linearWant(x []float32, ws weights.Set) []float32 {
	const c, n = 5, 7 * 9
	y := make([]float32, len(x))
	for k := range c {
		g, b, m, v := ws["norm.weight"][k], ws["norm.bias"][k], ws["norm.running_mean"][k], ws["norm.running_var"][k]
		for p := range n {
			y[k*n+p] = float32((float64(x[k*n+p])-float64(m))/math.Sqrt(float64(v)+1e-5)*float64(g) + float64(b))
		}
	}
	y = linearLoop(y, ws["a.weight"], ws["a.bias"], c, 11, n)
	for i, v := range y {
		y[i] = ir.ActGelu.Apply(v, 0)
	}
	sum := make([]float32, 6*n)
	for i := range 2 {
		pre := fmt.Sprintf("path.%d.", i)
		h := linearLoop(y, ws[pre+"p.weight"], ws[pre+"p.bias"], 11, 8, n)
		for j, v := range h {
			h[j] = max(v, 0)
		}
		for j, v := range linearLoop(h, ws[pre+"q.weight"], nil, 8, 6, n) {
			sum[j] += v
		}
	}
	return sum
}

// TestLinearLayer runs linearSource at -O0 and -O2, fast and reference,
// against the plain loops of linearWant, and checks that at -O2 the
// passes did fold, fuse and merge the linear layers.
func TestLinearLayer(t *testing.T) {
	prog, err := compiler.LoadSource("lin.res", linearSource)
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range []int{0, ir.MaxLevel} {
		g, err := prog.Build("lin", nil)
		if err != nil {
			t.Fatal(err)
		}
		if w := g.Nodes[2].Param(ir.RoleWeight); !ir.LinearWeight(g.Nodes[2]) || fmt.Sprint(w.Shape) != "[11 5]" {
			t.Fatalf("%s: weight %s %v, want nn.Linear's [11 5]", g.Nodes[2].Name, w.Name, w.Shape)
		}
		ws := testWeights(g, 3)
		if err := ir.Optimize(g, level); err != nil {
			t.Fatal(err)
		}
		if level == ir.MaxLevel {
			var ops []string
			for _, n := range g.Nodes {
				ops = append(ops, n.Op.String()+"/"+n.Attrs.Act.String())
			}
			// bn folded into a, GELU fused, the two paths' p merged into
			// one conv and their q into one over both (the sum).
			if got := fmt.Sprint(ops); got != "[Input/none Conv/gelu Conv/relu Conv/none]" {
				t.Errorf("-O2 graph %s, want the batch norm folded, the GELU fused and the paths merged", got)
			}
		}
		for _, batch := range []int{1, 3} {
			x := randomInput(g, batch, 7)
			per := len(x) / batch
			var want []float32
			for i := range batch {
				want = append(want, linearWant(x[i*per:(i+1)*per], ws)...)
			}
			for _, ref := range []bool{false, true} {
				got := runModel(t, g, ws, Options{Threads: 2, reference: ref}, x, batch)
				if d, m := maxDiff(got, want), maxAbs(want); d > 1e-5*max(m, 1) {
					t.Errorf("-O%d batch %d reference %v: max difference %g (max |want| %g)", level, batch, ref, d, m)
				}
			}
		}
	}
}
