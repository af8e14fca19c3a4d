package onnx

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/npy"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

// TestOpenCVMatchesOnnxruntime has a second consumer, OpenCV's DNN module
// (Debian python3-opencv 4.6), read every stdlib model at -O0 and -O2,
// with the batch fixed and symbolic, and run it: its output must match
// onnxruntime's on the same input within 1e-4 of the largest output.
// Models run at testenv.SmallArgs sizes; -short runs a representative
// subset.
func TestOpenCVMatchesOnnxruntime(t *testing.T) {
	c := startConsumer(t, "cv2")
	dir := t.TempDir()
	models, err := compiler.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		if testing.Short() && !shortSubset[m.Name] {
			continue
		}
		for _, level := range []int{0, 2} {
			g := build(t, m.Name, testenv.SmallArgs(t, m.Name))
			if err := ir.Optimize(g, level); err != nil {
				t.Fatal(err)
			}
			w := testenv.StatsWeights(g, 1)
			s := session(t, g, w, Options{})
			x, shape := randomInput(g, 2, 5)
			want, wantShape, err := s.Run(x, shape)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			in2, want2 := filepath.Join(dir, "input2.npy"), filepath.Join(dir, "want2.npy")
			in1, want1 := filepath.Join(dir, "input1.npy"), filepath.Join(dir, "want1.npy")
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
			for _, batch := range []int{0, 2} {
				path := filepath.Join(dir, "model.onnx")
				writeModel(t, path, g, w, Options{Batch: batch})
				in, out, images := in2, want2, 2
				if batch == 0 && multipliesComputed(g) {
					// OpenCV 4.6 sizes the broadcast Mul of two computed
					// tensors (squeeze-excitation's, ECA's) for a symbolic
					// batch of 1 and fails an assertion at any other.
					in, out, images = in1, want1, 1
				}
				got, err := c.ask("opencv", path, in, out)
				if err != nil {
					t.Errorf("%s -O%d batch %d, %d images: OpenCV: %v", m.Name, level, batch, images, err)
					continue
				}
				f := strings.Fields(got)
				diff, _ := strconv.ParseFloat(f[0], 64)
				maxAbs, _ := strconv.ParseFloat(f[1], 64)
				if !(diff <= 1e-4*maxAbs) {
					t.Errorf("%s -O%d batch %d: OpenCV differs from onnxruntime by %g, largest output %g", m.Name, level, batch, diff, maxAbs)
				}
			}
		}
	}
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
