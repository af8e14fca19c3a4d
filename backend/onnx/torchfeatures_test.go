package onnx

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights"
)

// torchFeaturesScript takes torchvision's resnet18 (random weights, batch
// norms with non-trivial statistics) through torchvision's own
// IntermediateLayerGetter with the return layers relu, layer1 ... layer4,
// and writes, for each feature k, the state_dict entries of the layers up
// to it (m<k>.pth) and the feature for one input (y<k>.f32), with the
// input (x.f32), as raw little-endian float32.
const torchFeaturesScript = `
import sys, torch, torchvision
from torchvision.models._utils import IntermediateLayerGetter
out = sys.argv[1]
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
names = ["relu", "layer1", "layer2", "layer3", "layer4"]
getter = IntermediateLayerGetter(m, {n: n for n in names}).eval()
x = torch.randn(1, 3, 64, 64)
with torch.no_grad():
    feats = getter(x)
x.numpy().astype("<f4").tofile(out + "/x.f32")
sd = m.state_dict()
for k, n in enumerate(names):
    keep = ("conv1.", "bn1.") + tuple("layer%d." % (i + 1) for i in range(k))
    torch.save({key: v for key, v in sd.items() if key.startswith(keep)}, "%s/m%d.pth" % (out, k))
    feats[n].numpy().astype("<f4").tofile("%s/y%d.f32" % (out, k))
`

// TestTorchvisionFeatures checks resnet18's features_only outputs against
// torchvision's IntermediateLayerGetter: each feature k, as the one output
// of resnet18 with out_indices [k] (the native executor here runs one
// output), loaded from torchvision's state_dict, agrees in name and within
// 1e-4 of its largest value, natively and in onnxruntime.
func TestTorchvisionFeatures(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import torch, torchvision").Run(); err != nil {
		testenv.Missing(t, "torch and torchvision are not importable by %s (Debian packages python3-torch, python3-torchvision)", debianPython)
	}
	dir := t.TempDir()
	cmd := exec.Command(debianPython, "-W", "ignore", "-c", torchFeaturesScript, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("torchvision: %v\n%s", err, out)
	}
	x := readF32(t, filepath.Join(dir, "x.f32"))
	for k, name := range []string{"relu", "layer1", "layer2", "layer3", "layer4"} {
		t.Run(name, func(t *testing.T) {
			want := readF32(t, filepath.Join(dir, fmt.Sprintf("y%d.f32", k)))
			g := build(t, "resnet18", map[string]string{"size": "64", "features_only": "true", "out_indices": strconv.Itoa(k)})
			if len(g.Outputs) != 1 || g.Outputs[0].Name != name {
				t.Fatalf("outputs %v, want one named %s", g.Outputs, name)
			}
			w, err := weights.Load(g, filepath.Join(dir, fmt.Sprintf("m%d.pth", k)))
			if err != nil {
				t.Fatal(err)
			}
			scale := testenv.MaxAbs(want)
			prog, err := native.Compile(g, w, native.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float32, len(want))
			if err := prog.Run(x, 1, got); err != nil {
				t.Fatal(err)
			}
			if d := testenv.MaxDiff(got, want); !(d <= 1e-4*scale) {
				t.Errorf("native: %s differs from torchvision's by %g, largest %g", name, d, scale)
			}
			s := session(t, g, w, Options{})
			got, _, err = s.Run(x, []int64{1, 3, 64, 64})
			if err != nil {
				t.Fatal(err)
			}
			if d := testenv.MaxDiff(got, want); !(d <= 1e-4*scale) {
				t.Errorf("onnxruntime: %s differs from torchvision's by %g, largest %g", name, d, scale)
			}
		})
	}
}
