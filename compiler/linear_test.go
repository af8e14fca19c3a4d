package compiler

import (
	"fmt"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestLinearShapes: linear on [N,C,H,W] is a 1×1 Conv whose weight keeps
// nn.Linear's [out,in] shape under the reference name of each naming
// style, counted as in·out·H·W MACs (the reference's convention for
// ConvNeXt's per-pixel Linear); on [N,features] it is fc's Gemm.
func TestLinearShapes(t *testing.T) {
	for _, style := range []string{"torch", "keras"} {
		src := fmt.Sprintf(`
network lin() {
  naming %s
  input(6, 5, 7)
  pw: linear(10)
  nb: linear(4, bias: false)
  gap
  flatten
  head: linear(3)
}
`, style)
		p, err := LoadSource("lin.res", src)
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build("lin", nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range g.Nodes[1:] {
			s := fmt.Sprintf("%s %s %v linear=%v", n.Op, n.Name, n.Shape, ir.LinearWeight(n))
			for _, q := range n.Params {
				s += fmt.Sprintf(" %s%v", q.Name, q.Shape)
			}
			got = append(got, s)
		}
		want := map[string][]string{
			"torch": {
				"Conv pw [N,10,5,7] linear=true pw.weight[10 6] pw.bias[10]",
				"Conv nb [N,4,5,7] linear=true nb.weight[4 10]",
				"GlobalAvgPool gap [N,4,1,1] linear=false",
				"Flatten flatten [N,4] linear=false",
				"Gemm head [N,3] linear=false head.weight[3 4] head.bias[3]",
			},
			"keras": {
				"Conv pw [N,10,5,7] linear=true pw/kernel[10 6] pw/bias[10]",
				"Conv nb [N,4,5,7] linear=true nb/kernel[4 10]",
				"GlobalAvgPool gap [N,4,1,1] linear=false",
				"Flatten flatten [N,4] linear=false",
				"Gemm head [N,3] linear=false head/kernel[3 4] head/bias[3]",
			},
		}[style]
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %q\nwant %q", style, got, want)
		}
		if m, want := g.Stats().MACs, int64(6*10*35+10*4*35+4*3); m != want {
			t.Errorf("%s: %d MACs, want %d (in·out·H·W per linear)", style, m, want)
		}
	}
}
