package resc

import (
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// severalOutputs compiles a hand-built network with two outputs: features
// [N,4,1,1] and logits [N,3] computed from them.
func severalOutputs(t *testing.T) *Program {
	t.Helper()
	g := &ir.Graph{Name: "two", Naming: "torch"}
	add := func(n *ir.Node) *ir.Node {
		t.Helper()
		m, err := g.Add(n)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	x := add(&ir.Node{Op: ir.OpInput, Name: "input", Shape: ir.Shape{ir.Batch, 3, 4, 4}})
	pool := add(&ir.Node{Op: ir.OpGlobalAvgPool, Name: "pool", Inputs: []*ir.Node{x}})
	feat := add(&ir.Node{Op: ir.OpConcat, Name: "features", Inputs: []*ir.Node{pool, add(&ir.Node{Op: ir.OpSlice, Name: "first", Inputs: []*ir.Node{pool}, Attrs: ir.Attrs{Begin: 0, End: 1}})}})
	flat := add(&ir.Node{Op: ir.OpFlatten, Name: "flat", Inputs: []*ir.Node{feat}})
	fc := add(&ir.Node{Op: ir.OpGemm, Name: "fc", Inputs: []*ir.Node{flat}, Attrs: ir.Attrs{OutChannels: 3},
		Params: []*ir.Param{{Name: "fc.weight", Role: ir.RoleWeight, Shape: []int{3, 4}}}})
	g.Outputs = []ir.Output{{Name: "features", Node: feat}, {Name: "logits", Node: fc}}
	if err := g.Verify(); err != nil {
		t.Fatal(err)
	}
	c := &Compiled{graph: g, weights: weights.Set{"fc.weight": {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}}}
	p, err := c.Native(NativeOptions{Threads: 1, Preprocess: "raw"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProgramSeveralOutputs: Outputs names both with their shapes, batch
// first; RunOutputs fills both; Run and RunImages refuse, naming them;
// Classify ranks the logits.
func TestProgramSeveralOutputs(t *testing.T) {
	p := severalOutputs(t)
	outs := p.Outputs()
	if len(outs) != 2 || outs[0].Name != "features" || !slices.Equal(outs[0].Shape, []int{BatchDim, 4, 1, 1}) ||
		outs[1].Name != "logits" || !slices.Equal(outs[1].Shape, []int{BatchDim, 3}) {
		t.Fatalf("Outputs() = %v", outs)
	}
	in := make([]float32, 2*48)
	for i := range in {
		in[i] = float32(i / 16) // image b, channel c: the value 3b + c
	}
	got := [][]float32{make([]float32, 8), make([]float32, 6)}
	if err := p.RunOutputs(in, 2, got); err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 2, 0, 3, 4, 5, 3}; !slices.Equal(got[0], want) {
		t.Errorf("features %v, want %v", got[0], want)
	}
	if want := []float32{0, 1, 2, 3, 4, 5}; !slices.Equal(got[1], want) {
		t.Errorf("logits %v, want %v", got[1], want)
	}
	if err := p.Run(in, 2, got[1]); err == nil || !strings.Contains(err.Error(), "(features, logits)") {
		t.Errorf("Run: %v", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.Set(i%4, i/4, color.RGBA{1, 3, 2, 255})
	}
	if _, err := p.RunImages([]image.Image{img}); err == nil || !strings.Contains(err.Error(), "RunImagesOutputs") {
		t.Errorf("RunImages: %v", err)
	}
	top, err := p.Classify([]image.Image{img}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if top[0][0].Index != 1 || top[0][1].Index != 2 {
		t.Errorf("Classify: %+v, want class 1 (the green channel) then 2", top)
	}
}
