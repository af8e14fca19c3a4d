package onnx

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/npy"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

// TestOpenCVMatchesOnnxruntime has a second consumer, OpenCV's DNN module
// (Debian python3-opencv 4.6), read the stdlib models of openCVModels at
// -O0 and -O2,
// with the batch fixed and symbolic, and run it: its output must match
// onnxruntime's on the same input within 1e-4 of the largest output.
// onnxruntime runs each model once, at -O0 (that -O2 gives its outputs
// again is TestPassesKeepOutputsInOnnxruntime's business). Models run at
// testenv.SmallArgs sizes. The representative subset that -short runs
// goes through all four combinations of level and batch; to keep the
// suite fast, each other model goes through two, which still cover both
// levels and both batch forms (-O0 symbolic and -O2 fixed, or the other
// way round, alternating along the list).
func TestOpenCVMatchesOnnxruntime(t *testing.T) {
	c := startConsumer(t, "cv2")
	dir := t.TempDir()
	models, err := compiler.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	in2, want2 := filepath.Join(dir, "input2.npy"), filepath.Join(dir, "want2.npy")
	in1, want1 := filepath.Join(dir, "input1.npy"), filepath.Join(dir, "want1.npy")
	chosen := openCVModels(models)
	for i, m := range models {
		all := shortSubset[m.Name]
		if testing.Short() && !all || !testing.Short() && !chosen[m.Name] {
			continue
		}
		start := time.Now()
		args := testenv.SmallArgs(t, m.Name)
		g0 := build(t, m.Name, args)
		w := testenv.StatsWeights(g0, 1)
		s := session(t, g0, w, Options{})
		x, shape := randomInput(g0, 2, 5)
		want, wantShape, err := s.Run(x, shape)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		per, classes := len(x)/2, len(want)/2
		shape1, wantShape1 := append([]int64{1}, shape[1:]...), append([]int64{1}, wantShape[1:]...)
		for _, f := range []struct {
			path  string
			data  []float32
			shape []int64
		}{{in2, x, shape}, {want2, want, wantShape}, {in1, x[:per], shape1}, {want1, want[:classes], wantShape1}} {
			if err := npy.WriteFile(f.path, f.data, ints(f.shape)); err != nil {
				t.Fatal(err)
			}
		}
		g2 := build(t, m.Name, args)
		if err := ir.Optimize(g2, 2); err != nil {
			t.Fatal(err)
		}
		type combo struct {
			g     *ir.Graph
			level int
			batch int // 0: symbolic
		}
		combos := []combo{{g0, 0, 0}, {g2, 2, 2}}
		if i%2 == 1 {
			combos = []combo{{g0, 0, 2}, {g2, 2, 0}}
		}
		if all {
			combos = []combo{{g0, 0, 0}, {g0, 0, 2}, {g2, 2, 0}, {g2, 2, 2}}
		}
		for _, cb := range combos {
			path := filepath.Join(dir, "model.onnx")
			writeModel(t, path, cb.g, w, Options{Batch: cb.batch})
			in, out, images := in2, want2, 2
			if cb.batch == 0 && multipliesComputed(cb.g) {
				// OpenCV 4.6 sizes the broadcast Mul of two computed
				// tensors (squeeze-excitation's, ECA's) for a symbolic
				// batch of 1 and fails an assertion at any other.
				in, out, images = in1, want1, 1
			}
			got, err := c.ask("opencv", path, in, out)
			if why := openCVRefusesModel(cb.g); why != "" {
				if err == nil || !strings.Contains(err.Error(), why) {
					t.Errorf("%s -O%d batch %d: OpenCV should refuse it (%q), got %q, %v; update openCVRefusesModel and docs/onnx.md", m.Name, cb.level, cb.batch, why, got, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s -O%d batch %d, %d images: OpenCV: %v", m.Name, cb.level, cb.batch, images, err)
				continue
			}
			f := strings.Fields(got)
			diff, _ := strconv.ParseFloat(f[0], 64)
			maxAbs, _ := strconv.ParseFloat(f[1], 64)
			if !(diff <= 1e-4*maxAbs) {
				t.Errorf("%s -O%d batch %d: OpenCV differs from onnxruntime by %g, largest output %g", m.Name, cb.level, cb.batch, diff, maxAbs)
			}
		}
		t.Logf("%s: %v", m.Name, time.Since(start).Round(time.Millisecond))
	}
}

// openCVModels are the models TestOpenCVMatchesOnnxruntime runs outside
// -short: the short subset, the all-model tests' representatives
// (testenv.ShortModels) and the first model of every stdlib module, so
// that each family's operators meet OpenCV. Every model of the 81 took
// more than three minutes of a 2-core machine's CI budget, and a family's
// deeper and wider members export the same operators; the new operators
// each meet OpenCV in TestOpenCVNewOps.
func openCVModels(models []compiler.StdModel) map[string]bool {
	chosen := map[string]bool{}
	for m := range shortSubset {
		chosen[m] = true
	}
	for _, m := range testenv.ShortModels {
		chosen[m] = true
	}
	seen := map[string]bool{}
	for _, m := range models {
		if !seen[m.Module] {
			seen[m.Module] = true
			chosen[m.Name] = true
		}
	}
	return chosen
}

// multipliesComputed reports whether g multiplies two computed tensors.
func multipliesComputed(g *ir.Graph) bool {
	for _, n := range g.Nodes {
		if n.Op == ir.OpMul {
			return true
		}
	}
	return false
}

func ints(s []int64) []int {
	out := make([]int, len(s))
	for i, d := range s {
		out[i] = int(d)
	}
	return out
}

func writeModel(t *testing.T, path string, g *ir.Graph, w interface {
	Values(*ir.Param) []float32
}, opts Options) {
	t.Helper()
	b, err := Export(g, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
