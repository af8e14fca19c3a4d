package pytorch_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/backend/onnx/ort"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// A zooCase is one torchvision model TestTorchvisionZoo checks resc's
// stdlib model of the same name against.
type zooCase struct {
	Model string
	Size  int  // input height and width: small where the architecture allows
	Batch int  // images per run: 1 for the largest models
	Short bool // run under -short too (one per family)
	Heavy bool // run only with RESC_TORCHVISION_ALL=1 (CI time)
}

// key names a case's fixtures: a model may be checked at several sizes.
func (c zooCase) key() string { return fmt.Sprintf("%s_%d", c.Model, c.Size) }

var zooCases struct {
	sync.Mutex
	list []zooCase
}

// registerZoo adds a family's cases; each family's test file calls it from
// init.
func registerZoo(cases ...zooCase) {
	zooCases.Lock()
	defer zooCases.Unlock()
	zooCases.list = append(zooCases.list, cases...)
}

// selectedZoo is the cases this run checks, by model name: every case with
// RESC_TORCHVISION_ALL=1, the Short ones under -short, else all but the
// Heavy ones.
func selectedZoo() []zooCase {
	zooCases.Lock()
	defer zooCases.Unlock()
	all := os.Getenv("RESC_TORCHVISION_ALL") == "1"
	var out []zooCase
	for _, c := range zooCases.list {
		switch {
		case all:
		case testing.Short() && !c.Short:
			continue
		case c.Heavy:
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

var zooDir struct {
	once sync.Once
	dir  string
	err  error
}

// zooFixtures runs testdata/make_zoo.py once for the selected cases and
// returns the folder it wrote.
func zooFixtures(t *testing.T, cases []zooCase) string {
	t.Helper()
	fixtures(t) // torch and torchvision present, or skip/fail as testenv says
	zooDir.once.Do(func() {
		dir, err := os.MkdirTemp("", "resc-tvzoo-")
		if err != nil {
			zooDir.err = err
			return
		}
		zooDir.dir = dir
		args := []string{"testdata/make_zoo.py", dir}
		for _, c := range cases {
			args = append(args, fmt.Sprintf("%s:%d:%d", c.Model, c.Size, c.Batch))
		}
		if out, err := exec.Command(debianPython, args...).CombinedOutput(); err != nil {
			zooDir.err = fmt.Errorf("make_zoo.py: %v\n%s", err, out)
		}
	})
	if zooDir.err != nil {
		t.Fatal(zooDir.err)
	}
	return zooDir.dir
}

// TestTorchvisionZoo builds each torchvision model of the stdlib at a small
// input size, loads the state_dict torchvision's own model saved (random
// weights, non-trivial normalisation statistics) as 'resc run --weights'
// does, and compares every output, natively and in onnxruntime, at -O0 and
// at the highest level, with torchvision's eval-mode forward of the same
// input: within 1e-4 of that output's largest value.
func TestTorchvisionZoo(t *testing.T) {
	cases := selectedZoo()
	if len(cases) == 0 {
		t.Skip("no torchvision zoo cases registered")
	}
	dir := zooFixtures(t, cases)
	defer os.RemoveAll(dir)
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.Model, c.Size), func(t *testing.T) {
			checkZooCase(t, dir, c)
		})
	}
}

// zooWant reads torchvision's outputs for a case, by output name: "" for a
// model returning one tensor.
func zooWant(t *testing.T, dir, key string) (names []string, want map[string][]float32) {
	want = map[string][]float32{}
	list, err := os.ReadFile(filepath.Join(dir, key+".outputs.txt"))
	if errors.Is(err, os.ErrNotExist) {
		v, _ := testenv.ReadNpy(t, filepath.Join(dir, key+".out.npy"))
		return []string{""}, map[string][]float32{"": v}
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range strings.Fields(string(list)) {
		v, _ := testenv.ReadNpy(t, filepath.Join(dir, key+".out."+k+".npy"))
		names, want[k] = append(names, k), v
	}
	return names, want
}

func checkZooCase(t *testing.T, dir string, c zooCase) {
	input, inShape := testenv.ReadNpy(t, filepath.Join(dir, c.key()+".input.npy"))
	names, want := zooWant(t, dir, c.key())
	args := map[string]string{"size": fmt.Sprint(c.Size)}
	var w weights.Set
	for _, level := range []int{0, ir.MaxLevel} {
		g := testenv.Build(t, c.Model, args)
		if w == nil {
			var err error
			if w, err = weights.Load(g, filepath.Join(dir, c.key()+".pth")); err != nil {
				t.Fatal(err)
			}
		}
		if len(g.Outputs) != len(names) {
			t.Fatalf("resc's %s has %d outputs, torchvision's %d (%q)", c.Model, len(g.Outputs), len(names), names)
		}
		// One unnamed torchvision output is the single output, whatever resc
		// names it; a dict's entries must be resc's outputs of those names.
		key := func(i int) string {
			if names[0] == "" {
				return ""
			}
			return g.Outputs[i].Name
		}
		if err := ir.RunPipeline(g, ir.Options{Level: level}); err != nil {
			t.Fatal(err)
		}
		src := weights.Resolve(g, w)

		p, err := native.Compile(g, src, native.Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		outs := p.Outputs()
		got := make([][]float32, len(outs))
		for i, o := range outs {
			got[i] = make([]float32, c.Batch*o.Elems)
		}
		if err := p.RunOutputs(input, c.Batch, got); err != nil {
			t.Fatal(err)
		}
		for i := range outs {
			compareZoo(t, fmt.Sprintf("-O%d native", level), key(i), got[i], want)
		}

		model, err := onnx.Export(g, src, onnx.Options{Opset: onnx.DefaultOpset})
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
		shape := make([]int64, len(inShape))
		for i, d := range inShape {
			shape[i] = int64(d)
		}
		res, err := s.RunAll(input, shape)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			compareZoo(t, fmt.Sprintf("-O%d onnxruntime", level), key(i), r.Data, want)
		}
	}
}

func compareZoo(t *testing.T, where, name string, got []float32, want map[string][]float32) {
	t.Helper()
	w, ok := want[name]
	if !ok {
		t.Errorf("%s: output %q is not one of torchvision's", where, name)
		return
	}
	if len(got) != len(w) {
		t.Errorf("%s: output %q has %d values, torchvision's %d", where, name, len(got), len(w))
		return
	}
	d, m := testenv.MaxDiff(got, w), testenv.MaxAbs(w)
	t.Logf("%s %q: largest difference %.3g of the largest value %.3g", where, name, d, m)
	if d > 1e-4*m {
		t.Errorf("%s: output %q differs from torchvision's by %.3g (tolerance %.3g)", where, name, d, 1e-4*m)
	}
}
