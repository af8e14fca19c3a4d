package native

import (
	"errors"
	"github.com/resc-dev/resc/internal/testenv"
	"testing"

	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/backend/onnx/ort"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// ortSession exports g with weights w and opens it in onnxruntime; a
// missing library (or a build without cgo) fails or skips the test as
// RESC_REQUIRE_EXTERNAL says.
func ortSession(t testing.TB, g *ir.Graph, w weights.Source, threads int) *ort.Session {
	t.Helper()
	b, err := onnx.Export(g, w, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(b, ort.SessionOptions{Threads: threads})
	var le *ort.LibraryError
	if errors.As(err, &le) || errors.Is(err, ort.ErrNoCgo) {
		testenv.Missing(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// agree compares native's output with onnxruntime's for g on a random
// batch: max |native − onnxruntime| ≤ 1e-4·max|onnxruntime| + 1e-5.
func agree(t *testing.T, g *ir.Graph, batch int) {
	t.Helper()
	w := testWeights(g, 11)
	x := randomInput(g, batch, 5)
	s := ortSession(t, g, w, 2)
	shape := []int64{int64(batch)}
	for _, d := range g.Input.Shape[1:] {
		shape = append(shape, int64(d))
	}
	outs, err := s.RunAll(x, shape)
	if err != nil {
		t.Fatal(err)
	}
	var want []float32 // every output, as runModel gives them
	for _, o := range outs {
		want = append(want, o.Data...)
	}
	got := runModel(t, g, w, Options{}, x, batch)
	d, m := maxDiff(got, want), maxAbs(want)
	if d > 1e-4*m+1e-5 {
		t.Fatalf("%s: max |native-onnxruntime| = %g, max |onnxruntime| = %g", g.Name, d, m)
	}
	t.Logf("%s %v batch %d: max |native-onnxruntime| = %.3g, max |onnxruntime| = %.3g", g.Name, g.Input.Shape, batch, d, m)
}

// TestAgreesWithOnnxruntime runs every stdlib model natively and in
// onnxruntime with the same weights and input: ImageNet models at 64×64,
// CIFAR models at their 32×32, at batch 2.
func TestAgreesWithOnnxruntime(t *testing.T) {
	for _, name := range testenv.RunModels(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := build(t, name, testenv.SmallArgs(t, name))
			testenv.ReserveParams(t, g)
			agree(t, g, 2)
		})
	}
}

// TestAgreesWithOnnxruntimeAt224 runs three models at their full size.
func TestAgreesWithOnnxruntimeAt224(t *testing.T) {
	if testing.Short() {
		t.Skip("full-size models in -short mode")
	}
	for _, name := range []string{"resnet50", "resnext50_32x4d", "keras_resnet50v2"} {
		t.Run(name, func(t *testing.T) { agree(t, build(t, name, nil), 1) })
	}
}

// TestAgreesWithOnnxruntimeOptions covers what the defaults do not:
// headless models with each pooling, dropout kept, an odd input size,
// features_only backbones.
func TestAgreesWithOnnxruntimeOptions(t *testing.T) {
	for _, c := range []struct {
		model string
		args  map[string]string
	}{
		{"keras_resnet50v2", map[string]string{"size": "64", "include_top": "false", "pooling": "max"}},
		{"resnet18", map[string]string{"size": "64", "include_top": "false", "pooling": "none"}},
		{"wrn_16_8", map[string]string{"drop_rate": "0.3"}},
		{"resnet50d", map[string]string{"size": "71"}},
		{"resnet18", map[string]string{"size": "37"}},
		// features_only backbones cut at one feature (one output).
		{"resnet18", map[string]string{"size": "64", "features_only": "true", "out_indices": "2"}},
		{"resnet50d", map[string]string{"size": "64", "features_only": "true", "out_indices": "0"}},
		{"keras_resnet50v2", map[string]string{"size": "64", "features_only": "true", "out_indices": "3"}},
	} {
		t.Run(c.model, func(t *testing.T) { agree(t, build(t, c.model, c.args), 3) })
	}
}

// TestFusedActivationsAgreeWithOnnxruntime runs each activation fused
// into a convolution (with a residual and a post-affine epilogue), into
// a depthwise one and into a squeeze-excitation Mul natively and, exported
// in its ONNX form, in onnxruntime.
func TestFusedActivationsAgreeWithOnnxruntime(t *testing.T) {
	for _, act := range allActs[1:] {
		t.Run(act.String(), func(t *testing.T) {
			const c = 8
			b, x := newGraph(t, "fused_"+act.String(), c, 9, 7)
			a := ir.Attrs{Bias: true, Residual: true, PostAffine: true, Act: act, Alpha: actAlpha(act)}
			y := b.conv("conv", convGeom{m: c, k: 3, s: 1, p: 1, g: 1}, a, x, x)
			y = b.conv("dw", convGeom{m: c, k: 3, s: 1, p: 1, g: c}, ir.Attrs{Bias: true, Act: act, Alpha: actAlpha(act)}, y, nil)
			gate := b.node(ir.OpSigmoid, "gate", ir.Attrs{}, b.node(ir.OpGlobalAvgPool, "gap", ir.Attrs{}, y))
			g := b.graph(b.node(ir.OpMul, "se", ir.Attrs{Residual: true, Act: act, Alpha: actAlpha(act)}, y, gate, x))
			agree(t, g, 3)
		})
	}
}
