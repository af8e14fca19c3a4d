package onnx

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights"
)

// torchExportScript exports a torchvision resnet18, its batch norms given
// non-trivial statistics, with torch.onnx in training mode (which keeps
// the state_dict names), and writes an input and torch's own eval-mode
// logits for it as raw little-endian float32.
const torchExportScript = `
import sys, torch, torchvision
model_path, input_path, output_path = sys.argv[1:4]
torch.manual_seed(0)
m = torchvision.models.resnet18(weights=None)
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.1)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.uniform_(0.5, 1.0)
            mod.bias.normal_(0, 0.1)
m.eval()
x = torch.randn(2, 3, 64, 64)
torch.onnx.export(m, x[:1], model_path, training=torch.onnx.TrainingMode.TRAINING,
                  do_constant_folding=False, opset_version=13)
m.eval()
with torch.no_grad():
    y = m(x)
x.numpy().astype("<f4").tofile(input_path)
y.numpy().astype("<f4").tofile(output_path)
`

// TestTorchONNXWeights loads the weights of a torchvision resnet18
// exported with torch.onnx (Debian's python3-torch and
// python3-torchvision) into resc's resnet18 and checks that both backends
// give torch's logits, within 1e-4 of the largest.
func TestTorchONNXWeights(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import torch, torchvision, torch.onnx").Run(); err != nil {
		testenv.Missing(t, "torch and torchvision are not importable by %s (Debian packages python3-torch, python3-torchvision)", debianPython)
	}
	dir := t.TempDir()
	modelPath, inPath, outPath := filepath.Join(dir, "resnet18.onnx"), filepath.Join(dir, "x.f32"), filepath.Join(dir, "y.f32")
	cmd := exec.Command(debianPython, "-W", "ignore", "-c", torchExportScript, modelPath, inPath, outPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("torch.onnx export: %v\n%s", err, out)
	}
	x, want := readF32(t, inPath), readF32(t, outPath)

	g := build(t, "resnet18", map[string]string{"size": "64"})
	w, err := weights.Load(g, modelPath)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := native.Compile(g, w, native.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, len(want))
	if err := prog.Run(x, 2, got); err != nil {
		t.Fatal(err)
	}
	scale := testenv.MaxAbs(want)
	d := testenv.MaxDiff(got, want)
	if !(d <= 1e-4*scale) {
		t.Errorf("native: logits differ from torch's by %g, largest %g", d, scale)
	}
	t.Logf("native: %.2g of the largest logit from torch's", d/scale)
	s := session(t, g, w, Options{})
	got, _, err = s.Run(x, []int64{2, 3, 64, 64})
	if err != nil {
		t.Fatal(err)
	}
	d = testenv.MaxDiff(got, want)
	if !(d <= 1e-4*scale) {
		t.Errorf("onnxruntime: logits differ from torch's by %g, largest %g", d, scale)
	}
	t.Logf("onnxruntime: %.2g of the largest logit from torch's", d/scale)
}

func readF32(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
