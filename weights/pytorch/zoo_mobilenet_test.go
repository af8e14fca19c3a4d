package pytorch_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// The torchvision MobileNet rows of TestTorchvisionZoo (stdlib/mobilenet.res).
func init() {
	registerZoo(
		zooCase{Model: "mobilenet_v2", Size: 64, Batch: 2, Short: true},
		zooCase{Model: "mobilenet_v3_large", Size: 64, Batch: 2},
		zooCase{Model: "mobilenet_v3_small", Size: 64, Batch: 2},
	)
}

// mobilenetOption is a MobileNet built with options that change its
// shape: the same arguments to torchvision's constructor (torch) and to
// the stdlib network (resc, as --set gives them).
type mobilenetOption struct {
	label, model string
	torch        map[string]any
	resc         map[string]string
}

var mobilenetOptions = []mobilenetOption{
	{"v2_w050", "mobilenet_v2", map[string]any{"width_mult": 0.5}, map[string]string{"width_mult": "0.5"}},
	{"v2_w140_r4_c10", "mobilenet_v2", map[string]any{"width_mult": 1.4, "round_nearest": 4, "num_classes": 10},
		map[string]string{"width_mult": "1.4", "round_nearest": "4", "classes": "10"}},
	{"v3l_w075_tail_dil", "mobilenet_v3_large", map[string]any{"width_mult": 0.75, "reduced_tail": true, "dilated": true},
		map[string]string{"width_mult": "0.75", "reduced_tail": "true", "dilated": "true"}},
	{"v3s_w125_tail", "mobilenet_v3_small", map[string]any{"width_mult": 1.25, "reduced_tail": true, "num_classes": 7},
		map[string]string{"width_mult": "1.25", "reduced_tail": "true", "classes": "7"}},
}

// TestMobileNetOptions checks the options that shape the MobileNets
// (width_mult and round_nearest's _make_divisible rounding, reduced_tail,
// dilated, the class count) against torchvision's own constructors: the
// state_dict torchvision saves loads into resc's network of the same
// options, and the native forward at -O2 gives torchvision's output
// within 1e-4 of its largest value.
func TestMobileNetOptions(t *testing.T) {
	if testing.Short() {
		t.Skip("the MobileNet options in -short mode (TestTorchvisionZoo covers the defaults)")
	}
	if err := exec.Command(debianPython, "-c", "import torch, torchvision, numpy").Run(); err != nil {
		testenv.Missing(t, "torch and torchvision are not available to %s (Debian packages python3-torch, python3-torchvision): %v", debianPython, err)
	}
	const size = 64
	dir := t.TempDir()
	args := []string{"testdata/make_mobilenet_options.py", dir}
	for _, c := range mobilenetOptions {
		kw, err := json.Marshal(c.torch)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, fmt.Sprintf("%s:%s:%d:%s", c.label, c.model, size, kw))
	}
	if out, err := exec.Command(debianPython, args...).CombinedOutput(); err != nil {
		t.Fatalf("make_mobilenet_options.py: %v\n%s", err, out)
	}
	for _, c := range mobilenetOptions {
		t.Run(c.label, func(t *testing.T) {
			set := map[string]string{"size": fmt.Sprint(size)}
			for k, v := range c.resc {
				set[k] = v
			}
			g := testenv.Build(t, c.model, set)
			w, err := weights.Load(g, filepath.Join(dir, c.label+".pth"))
			if err != nil {
				t.Fatal(err)
			}
			if err := ir.RunPipeline(g, ir.Options{Level: ir.MaxLevel}); err != nil {
				t.Fatal(err)
			}
			p, err := native.Compile(g, weights.Resolve(g, w), native.Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			input, _ := testenv.ReadNpy(t, filepath.Join(dir, c.label+".input.npy"))
			want, _ := testenv.ReadNpy(t, filepath.Join(dir, c.label+".out.npy"))
			got := make([]float32, len(want))
			if err := p.RunOutputs(input, 2, [][]float32{got}); err != nil {
				t.Fatal(err)
			}
			d, m := testenv.MaxDiff(got, want), testenv.MaxAbs(want)
			t.Logf("largest difference %.3g of the largest value %.3g", d, m)
			if d > 1e-4*m {
				t.Errorf("differs from torchvision's by %.3g (tolerance %.3g)", d, 1e-4*m)
			}
		})
	}
}
