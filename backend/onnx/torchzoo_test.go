package onnx

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights"
)

// torchZooScript builds, in PyTorch, the CIFAR networks of
// stdlib/pyramidnet.res and stdlib/cifar.res's pre-activation ResNets as
// their references define them (dyhan0920/PyramidNet-PyTorch's
// PyramidNet.py; KaimingHe/resnet-1k-layers' resnet-pre-act.lua), written
// here from those sources' semantics, independently of resc: the running
// float width, the shortcut's average pool and zero channels appended
// after the input; the shared pre-activation feeding the projection. It
// gives its batch norms non-trivial statistics, saves the state_dict and
// writes an input and its eval-mode logits as raw little-endian float32.
const torchZooScript = `
import sys, torch, torch.nn as nn, torch.nn.functional as F
kind, depth, alpha, ckpt, input_path, output_path = sys.argv[1:7]
depth, alpha = int(depth), float(alpha)
BN = nn.BatchNorm2d
def conv(i, o, k, s=1):
    return nn.Conv2d(i, o, k, s, k // 2, bias=False)

class PyramidUnit(nn.Module):
    def __init__(self, cin, planes, stride, bottleneck):
        super().__init__()
        self.stride, self.bottleneck = stride, bottleneck
        self.bn1 = BN(cin)
        if bottleneck:
            self.conv1, self.bn2 = conv(cin, planes, 1), BN(planes)
            self.conv2, self.bn3 = conv(planes, planes, 3, stride), BN(planes)
            self.conv3, self.bn4 = conv(planes, 4 * planes, 1), BN(4 * planes)
        else:
            self.conv1, self.bn2 = conv(cin, planes, 3, stride), BN(planes)
            self.conv2, self.bn3 = conv(planes, planes, 3), BN(planes)
    def forward(self, x):
        y = F.relu(self.bn2(self.conv1(self.bn1(x))))
        if self.bottleneck:
            y = self.bn4(self.conv3(F.relu(self.bn3(self.conv2(y)))))
        else:
            y = self.bn3(self.conv2(y))
        s = F.avg_pool2d(x, 2, 2, ceil_mode=True) if self.stride > 1 else x
        extra = y.shape[1] - s.shape[1]
        if extra > 0:
            s = torch.cat([s, s.new_zeros(s.shape[0], extra, s.shape[2], s.shape[3])], 1)
        return y + s

class PyramidNet(nn.Module):
    def __init__(self, depth, alpha, bottleneck):
        super().__init__()
        n = (depth - 2) // (9 if bottleneck else 6)
        add = alpha / (3 * n * 1.0)
        self.conv1, self.bn1 = conv(3, 16, 3), BN(16)
        dim, cin = 16, 16
        for s in range(3):
            units = []
            for i in range(n):
                dim = dim + add
                planes = int(round(dim))
                units.append(PyramidUnit(cin, planes, 2 if s > 0 and i == 0 else 1, bottleneck))
                cin = planes * (4 if bottleneck else 1)
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*units))
        self.bn_final, self.fc = BN(cin), nn.Linear(cin, 10)
    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.bn1(self.conv1(x)))))
        x = F.relu(self.bn_final(x))
        return self.fc(torch.flatten(F.avg_pool2d(x, 8), 1))

class PreactUnit(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        mid = cout // 4
        self.bn1, self.conv1 = BN(cin), conv(cin, mid, 1, stride)
        self.bn2, self.conv2 = BN(mid), conv(mid, mid, 3)
        self.bn3, self.conv3 = BN(mid), conv(mid, cout, 1)
        self.downsample = nn.Sequential(conv(cin, cout, 1, stride)) if cin != cout else None
    def forward(self, x):
        a = F.relu(self.bn1(x))
        y = self.conv3(F.relu(self.bn3(self.conv2(F.relu(self.bn2(self.conv1(a)))))))
        return y + (self.downsample(a) if self.downsample is not None else x)

class PreactResNet(nn.Module):
    def __init__(self, depth):
        super().__init__()
        n = (depth - 2) // 9
        self.conv1 = conv(3, 16, 3)
        cin = 16
        for s, cout in enumerate([64, 128, 256]):
            units = [PreactUnit(cin if i == 0 else cout, cout, 2 if s > 0 and i == 0 else 1) for i in range(n)]
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*units))
            cin = cout
        self.bn, self.fc = BN(256), nn.Linear(256, 10)
    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        return self.fc(torch.flatten(F.avg_pool2d(F.relu(self.bn(x)), 8), 1))

torch.manual_seed(0)
m = PreactResNet(depth) if kind == "preact" else PyramidNet(depth, alpha, kind == "bottleneck")
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, BN):
            mod.running_mean.normal_(0, 0.1)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.uniform_(0.5, 1.0)
            mod.bias.normal_(0, 0.1)
m.eval()
torch.save(m.state_dict(), ckpt)
x = torch.randn(2, 3, 32, 32)
with torch.no_grad():
    y = m(x)
x.numpy().astype("<f4").tofile(input_path)
y.numpy().astype("<f4").tofile(output_path)
`

// TestTorchZooReference runs PyramidNet (basic and bottleneck) and the
// pre-activation CIFAR ResNet in resc with the weights of the independent
// PyTorch builds above, loaded by name from their state_dicts, and checks
// that both backends give torch's logits within 1e-4 of the largest.
// Depths are cut (the width rule and every unit kind stay) to keep it fast.
func TestTorchZooReference(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import torch").Run(); err != nil {
		testenv.Missing(t, "torch is not importable by %s (Debian package python3-torch)", debianPython)
	}
	for _, c := range []struct {
		model, kind, depth, alpha string
	}{
		{"pyramidnet110_a48", "basic", "20", "48"},
		{"pyramidnet110_a270", "basic", "26", "270"},
		{"pyramidnet164_a270", "bottleneck", "29", "270"},
		{"preact_resnet164", "preact", "29", "0"},
	} {
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ckpt, inPath, outPath := filepath.Join(dir, "m.pth"), filepath.Join(dir, "x.f32"), filepath.Join(dir, "y.f32")
			cmd := exec.Command(debianPython, "-W", "ignore", "-c", torchZooScript, c.kind, c.depth, c.alpha, ckpt, inPath, outPath)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("torch: %v\n%s", err, out)
			}
			x, want := readF32(t, inPath), readF32(t, outPath)
			args := map[string]string{"depth": c.depth}
			if c.kind != "preact" {
				args["alpha"] = c.alpha
			}
			g := build(t, c.model, args)
			w, err := weights.Load(g, ckpt)
			if err != nil {
				t.Fatal(err)
			}
			scale := testenv.MaxAbs(want)
			prog, err := native.Compile(g, w, native.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float32, len(want))
			if err := prog.Run(x, 2, got); err != nil {
				t.Fatal(err)
			}
			if d := testenv.MaxDiff(got, want); !(d <= 1e-4*scale) {
				t.Errorf("native: logits differ from torch's by %g, largest %g", d, scale)
			}
			s := session(t, g, w, Options{})
			got, _, err = s.Run(x, []int64{2, 3, 32, 32})
			if err != nil {
				t.Fatal(err)
			}
			if d := testenv.MaxDiff(got, want); !(d <= 1e-4*scale) {
				t.Errorf("onnxruntime: logits differ from torch's by %g, largest %g", d, scale)
			}
		})
	}
}
