package native

import (
	"fmt"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// BenchmarkLayerNorm times a LayerNorm over the channels on ConvNeXt-tiny's
// shapes at 224×224 (the first stage's [96,56,56], the last's [768,7,7]),
// one image on one thread: the fast path with the machine's kernels, with
// the Go loops alone ("go", what the fast path ran before the assembly),
// and, as the reference measured in the same run, the reference loop
// (layerNormRef, in float64).
func BenchmarkLayerNorm(b *testing.B) {
	for _, s := range [][3]int{{96, 56, 56}, {384, 14, 14}, {768, 7, 7}} {
		for _, variant := range []string{"", "/go", "/ref"} {
			name := fmt.Sprintf("%dx%dx%d%s", s[0], s[1], s[2], variant)
			ref := variant == "/ref"
			b.Run(name, func(b *testing.B) {
				if variant == "/go" {
					saved := active
					defer func() { active = saved }()
					active = &isa{name: "go"}
				}
				gb, x := newGraph(b, "ln", s[0], s[1], s[2])
				ln := gb.add(&ir.Node{Op: ir.OpLayerNorm, Name: "ln", Inputs: []*ir.Node{x},
					Attrs: ir.Attrs{Epsilon: 1e-6, Scale: true, Center: true}, Params: normTestParams("ln", s[0], true, true)})
				g := gb.graph(ln)
				p, err := Compile(g, testWeights(g, 1), Options{Threads: 1, reference: ref})
				if err != nil {
					b.Fatal(err)
				}
				in := randomInput(g, 1, 2)
				out := make([]float32, len(in))
				b.SetBytes(int64(4 * len(in)))
				for b.Loop() {
					if err := p.Run(in, 1, out); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
