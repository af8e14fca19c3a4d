package pytorch_test

import (
	"errors"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/backend/onnx/ort"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// TestTorchvisionLogits loads torchvision checkpoints written by torch.save
// (random weights, batch norms with non-trivial statistics) into resc's
// stdlib models of the same names, as 'resc run --weights' does, and
// compares resc's logits, natively and in onnxruntime, with torchvision's
// own forward pass on the same input: within 1e-4 of the largest logit.
// -short runs resnet18 only.
func TestTorchvisionLogits(t *testing.T) {
	input, inShape := testenv.ReadNpy(t, fixture(t, "input.npy"))
	batch := inShape[0]
	models := torchModels
	if testing.Short() {
		models = models[:1]
	}
	for _, name := range models {
		t.Run(name, func(t *testing.T) {
			want, _ := testenv.ReadNpy(t, fixture(t, name+".logits.npy"))
			g := testenv.Build(t, name, map[string]string{"size": "64"})
			w, err := weights.Load(g, fixture(t, name+".pth"))
			if err != nil {
				t.Fatal(err)
			}
			if err := ir.RunPipeline(g, ir.Options{Level: ir.MaxLevel}); err != nil {
				t.Fatal(err)
			}
			tol := 1e-4 * testenv.MaxAbs(want)

			p, err := native.Compile(g, weights.Resolve(g, w), native.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float32, len(want))
			if err := p.Run(input, batch, got); err != nil {
				t.Fatal(err)
			}
			d := testenv.MaxDiff(got, want)
			t.Logf("native: largest difference %.3g of the largest logit %.3g", d, testenv.MaxAbs(want))
			if d > tol {
				t.Errorf("native: logits differ from torchvision's by %.3g (tolerance %.3g)", d, tol)
			}

			model, err := onnx.Export(g, weights.Resolve(g, w), onnx.Options{Opset: onnx.DefaultOpset})
			if err != nil {
				t.Fatal(err)
			}
			s, err := ort.NewSession(model, ort.SessionOptions{Threads: 2})
			var le *ort.LibraryError
			if errors.As(err, &le) {
				testenv.Missing(t, "%v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			shape := make([]int64, len(inShape))
			for i, d := range inShape {
				shape[i] = int64(d)
			}
			got, _, err = s.Run(input, shape)
			if err != nil {
				t.Fatal(err)
			}
			d = testenv.MaxDiff(got, want)
			t.Logf("onnxruntime: largest difference %.3g", d)
			if d > tol {
				t.Errorf("onnxruntime: logits differ from torchvision's by %.3g (tolerance %.3g)", d, tol)
			}
		})
	}
}
