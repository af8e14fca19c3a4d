package onnx

import (
	"errors"
	"github.com/resc-dev/resc/internal/testenv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/resc-dev/resc/backend/onnx/ort"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// session exports g with weights w and opens it in onnxruntime; a missing
// library fails or skips the test as RESC_REQUIRE_EXTERNAL says.
func session(t *testing.T, g *ir.Graph, w weights.Source, opts Options) *ort.Session {
	t.Helper()
	b, err := Export(g, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(b, ort.SessionOptions{Threads: 2})
	var le *ort.LibraryError
	if errors.As(err, &le) {
		testenv.Missing(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func randomInput(g *ir.Graph, batch int, seed uint64) ([]float32, []int64) {
	r := rand.New(rand.NewPCG(seed, 1))
	shape := []int64{int64(batch), int64(g.Input.Shape[1]), int64(g.Input.Shape[2]), int64(g.Input.Shape[3])}
	x := make([]float32, shape[0]*shape[1]*shape[2]*shape[3])
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x, shape
}

// checkOutput checks an output's shape, [batch] + dims, and that it is
// finite.
func checkOutput(t *testing.T, name string, out []float32, shape []int64, batch int, dims ...int) {
	t.Helper()
	want := []int64{int64(batch)}
	for _, d := range dims {
		want = append(want, int64(d))
	}
	if !slices.Equal(shape, want) {
		t.Fatalf("%s: output shape %v, want %v", name, shape, want)
	}
	for i, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("%s: output %d is %v", name, i, v)
		}
	}
}

// TestOnnxruntimeRunsStdlib runs the stdlib models (testenv.RunModels) in onnxruntime, as
// written and at -O2 (the representatives, testenv.ShortModels, at each
// optimisation level). ImageNet models run at 64x64 to
// keep the suite fast. As written, through one dynamic-batch model, a batch
// of 3 must agree with three runs of 1 (for testenv.ShortModels); each level's export must then give
// the batch's outputs within 1e-4 of the model as written, relative to its
// largest output. (Each pass on its own is checked natively, in
// backend/native's TestPassesKeepModelOutputs; here the exports of the
// rewritten graphs meet an outside runtime, once per level.) The weights
// are testenv.StatsWeights, whose small batch-norm scales keep the outputs
// finite through cifar_resnet1202's 600 blocks.
func TestOnnxruntimeRunsStdlib(t *testing.T) {
	for _, name := range testenv.RunModels(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := testenv.SmallArgs(t, name)
			g := build(t, name, args)
			testenv.ReserveParams(t, g)
			w := testenv.StatsWeights(g, 3)
			s := session(t, g, w, Options{})
			// The first output: the logits, or a backbone's first map.
			dims := g.Outputs[0].Node.Shape[1:]
			classes := int(g.Outputs[0].Node.Shape.Elems()) // per image
			x, shape := randomInput(g, 3, 42)
			out3, shape3, err := s.Run(x, shape)
			if err != nil {
				t.Fatal(err)
			}
			checkOutput(t, name, out3, shape3, 3, dims...)
			per := len(x) / 3
			one := slices.Clone(shape)
			one[0] = 1
			// The batch axis is the same code in every model: the
			// representatives check it, the others only the levels.
			for b := 0; b < 3 && slices.Contains(testenv.ShortModels, name); b++ {
				out1, shape1, err := s.Run(x[b*per:(b+1)*per], one)
				if err != nil {
					t.Fatal(err)
				}
				checkOutput(t, name, out1, shape1, 1, dims...)
				for i, v := range out1 {
					if w := out3[b*classes+i]; math.Abs(float64(v-w)) > 1e-4*math.Max(1, math.Abs(float64(w))) {
						t.Fatalf("image %d class %d: %v alone, %v in the batch", b, i, v, w)
					}
				}
			}
			s.Close() // sessions of the big models take hundreds of MB: one at a time
			bound := 1e-4*testenv.MaxAbs(out3) + 1e-6
			// Every level for the representatives; the others -O2, which
			// runs -O1's clean-up passes too.
			first := ir.MaxLevel
			if slices.Contains(testenv.ShortModels, name) {
				first = 1
			}
			for level := first; level <= ir.MaxLevel; level++ {
				g := build(t, name, args)
				if err := ir.Optimize(g, level); err != nil {
					t.Fatal(err)
				}
				ls := session(t, g, w, Options{})
				got, _, err := ls.Run(x, shape)
				ls.Close()
				if err != nil {
					t.Fatalf("-O%d: %v", level, err)
				}
				if d := testenv.MaxDiff(got, out3); d > bound {
					t.Fatalf("-O%d: outputs differ by %g (bound %g)", level, d, bound)
				}
			}
		})
	}
}

// TestOnnxruntimeResnet50At224 runs the flagship at its real size.
func TestOnnxruntimeResnet50At224(t *testing.T) {
	if testing.Short() {
		t.Skip("a full-size model in -short mode")
	}
	g := build(t, "resnet50", nil)
	s := session(t, g, weights.Init(g, 0), Options{StdlibVersion: "7"})
	x, shape := randomInput(g, 1, 7)
	out, oshape, err := s.Run(x, shape)
	if err != nil {
		t.Fatal(err)
	}
	checkOutput(t, "resnet50", out, oshape, 1, 1000)
	meta, err := s.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if meta.ProducerName != "resc" || meta.Custom["model"] != "resnet50" || meta.Custom["stdlib_version"] != "7" {
		t.Fatalf("metadata read back through onnxruntime: %+v", meta)
	}
}
