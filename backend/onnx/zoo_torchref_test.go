package onnx

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// A torchRefCase is a stdlib model checked against its independent torch
// reference (scripts/torchref) on the same weights.
type torchRefCase struct {
	model string // the stdlib model, built with size = size
	ref   string // the torchref model
	size  int    // input height and width: 64, or 72 where odd feature maps (9, 5, 3) test ceil_mode and padding counts
	short bool   // also run under -short: one model per family
	// heavy cases run only with RESC_TORCHREF_ALL=1: a deep or wide CIFAR
	// model at its only size, 32x32 (float64 torch and four resc runs), or a
	// model whose blocks a lighter one of its family runs here and whose
	// stdlib family is also checked against onnxruntime on every model.
	heavy bool
}

// torchRefCases are the models compared with torch. The residual zoo's
// families are listed ahead of their stdlib models and skipped, by name,
// until the stdlib has them (a name that is neither a stdlib model nor a
// row of torchref's table fails). Not run, only counted (stdlib's
// TestTorchRefCounts): res2net50_26w_6s/8s, res2net50_14w_8s,
// res2net101_26w_4s, res2net101d, resnest50d, resnest101e, skresnet34,
// pyramidnet110_a84, pyramidnet110_a270, pyramidnet272_a200; each shares
// its code path with a model run here and would only add time (the CIFAR
// models run at their full 32x32, 4.5 GMACs an image for the a270/a200
// PyramidNets).
var torchRefCases = []torchRefCase{
	// The stdlib's timm ResNets, which prove the harness today: deep stem
	// and avg_down (resnet18d), bottleneck with ECA gates (ecaresnet50d),
	// grouped convs with SE (seresnext50_32x4d).
	{"resnet18d", "resnet18d", 72, true, false},
	{"ecaresnet50d", "ecaresnet50d", 64, false, true},
	{"seresnext50_32x4d", "seresnext50_32x4d", 64, false, true},
	// Res2Net: the split chain; scale 2 (one conv, then the pooled chunk);
	// grouped (Res2NeXt); deep stem and avg_down.
	{"res2net50_26w_4s", "res2net50_26w_4s", 64, true, false},
	{"res2net50_48w_2s", "res2net50_48w_2s", 64, false, false},
	{"res2next50", "res2next50", 64, false, false},
	{"res2net50d", "res2net50d", 72, false, false},
	// ResNeSt: radix 2 avd last; radix 4 cardinality 2 avd first; radix 1
	// (sigmoid) cardinality 4.
	{"resnest14d", "resnest14d", 72, true, false},
	{"resnest26d", "resnest26d", 64, false, true},
	{"resnest50d_4s2x40d", "resnest50d_4s2x40d", 64, false, false},
	{"resnest50d_1s4x24d", "resnest50d_1s4x24d", 64, false, false},
	// SKNet: split input (basic); whole input, grouped (bottleneck).
	{"skresnet18", "skresnet18", 64, true, false},
	{"skresnext50_32x4d", "skresnext50_32x4d", 64, false, false},
	// PyramidNet and pre-activation ResNet: CIFAR, 32x32 only.
	{"pyramidnet110_a48", "pyramidnet110_a48", 32, true, false},
	{"pyramidnet164_a270", "pyramidnet164_a270", 32, false, true},
	{"preact_resnet164", "preact_resnet164", 32, true, false},
	{"preact_resnet1001", "preact_resnet1001", 32, false, true},
}

// TestTorchRefModels gives each stdlib model of torchRefCases the weights
// of its torch reference (random, batch norms with non-trivial statistics,
// saved by torch.save under the reference's state_dict names, so loading
// them also checks every name and shape) and a batch of two random
// images, and compares the logits of the native backend and onnxruntime,
// each at -O0 and -O2, with torch's (computed in float64): within 1e-4 of
// the largest.
func TestTorchRefModels(t *testing.T) {
	models, err := compiler.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	inStdlib := map[string]bool{}
	for _, m := range models {
		inStdlib[m.Name] = true
	}
	zooRows := torchRefTableNames(t)
	for _, c := range torchRefCases {
		if !inStdlib[c.model] && !zooRows[c.model] {
			t.Errorf("case %s is neither a stdlib model nor a row of %s", c.model, torchRefTable)
		}
	}
	for _, c := range torchRefCases {
		if testing.Short() && !c.short {
			continue
		}
		if c.heavy && os.Getenv("RESC_TORCHREF_ALL") != "1" {
			t.Logf("%s not run (heavy; RESC_TORCHREF_ALL=1 runs it)", c.model)
			continue
		}
		t.Run(c.model, func(t *testing.T) {
			if !inStdlib[c.model] {
				t.Fatalf("%s is not a stdlib model", c.model)
			}
			t.Parallel()
			dir := t.TempDir()
			size := strconv.Itoa(c.size)
			testenv.TorchRef(t, "dump", c.ref, "--size", size, "--seed", "1", "--batch", "2", "--out", dir)
			x, xShape := testenv.ReadNpy(t, filepath.Join(dir, "input.npy"))
			want, wantShape := testenv.ReadNpy(t, filepath.Join(dir, "output.npy"))
			args := map[string]string{"size": size}
			g0 := build(t, c.model, args)
			testenv.ReserveParams(t, g0)
			if len(g0.Outputs) != 1 {
				t.Fatalf("%d outputs; the harness compares one", len(g0.Outputs))
			}
			if out := g0.Outputs[0].Node.Shape; len(out) != len(wantShape) || out[1] != wantShape[1] {
				t.Fatalf("stdlib output %v, torch's %v", out, wantShape)
			}
			w, err := weights.Load(g0, filepath.Join(dir, "weights.pth"))
			if err != nil {
				t.Fatal(err)
			}
			batch := xShape[0]
			shape := []int64{int64(batch), int64(xShape[1]), int64(xShape[2]), int64(xShape[3])}
			scale := testenv.MaxAbs(want)
			bound := 1e-4 * scale
			for _, level := range []int{0, ir.MaxLevel} {
				g := g0
				if level > 0 {
					g = build(t, c.model, args)
					if err := ir.Optimize(g, level); err != nil {
						t.Fatal(err)
					}
				}
				prog, err := native.Compile(g, w, native.Options{Threads: 2})
				if err != nil {
					t.Fatalf("-O%d: %v", level, err)
				}
				got := make([]float32, len(want))
				if err := prog.Run(x, batch, got); err != nil {
					t.Fatalf("-O%d: %v", level, err)
				}
				d := testenv.MaxDiff(got, want)
				if !(d <= bound) {
					t.Errorf("native -O%d: logits differ from torch's by %g, largest %g", level, d, scale)
				}
				t.Logf("native -O%d: %.2g of the largest logit from torch's", level, d/scale)
				s := session(t, g, w, Options{})
				got, _, err = s.Run(x, shape)
				s.Close()
				if err != nil {
					t.Fatalf("onnxruntime -O%d: %v", level, err)
				}
				d = testenv.MaxDiff(got, want)
				if !(d <= bound) {
					t.Errorf("onnxruntime -O%d: logits differ from torch's by %g, largest %g", level, d, scale)
				}
				t.Logf("onnxruntime -O%d: %.2g of the largest logit from torch's", level, d/scale)
			}
		})
	}
}

// torchRefTable lists the residual zoo's rows that torchref implements.
const torchRefTable = "../../scripts/torchref/reference.tsv"

// torchRefTableNames is the set of model names in torchRefTable.
func torchRefTableNames(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(torchRefTable)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if name, _, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			names[name] = true
		}
	}
	return names
}
