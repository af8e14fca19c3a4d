package onnx

import (
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/npy"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights"
)

// TestCountingAvgPoolExport pins the export of an average pool that counts
// its padding (PyTorch's default, Res2Net's and ResNeSt's AvgPool2d(3,
// stride 2, padding 1)) on a 10x10 input of positive values, where every
// border window's divisor shows: without ceil_mode it is an explicit Pad
// and an unpadded pool, which onnxruntime and OpenCV 4.6 both compute as
// the native backend does (OpenCV ignores count_include_pad = 1 on a
// padded AveragePool and divides border windows by their unpadded count);
// with ceil_mode the pool keeps its padding. (onnxruntime 1.24 and the
// native backend disagree on that pool's last, overhanging windows; no
// stdlib model has one.)
func TestCountingAvgPoolExport(t *testing.T) {
	const src = "network p(ceil: bool = false) {\n  input(3, 10, 10)\n  avgpool(3, stride: 2, pad: 1, ceil: ceil)\n}\n"
	p, err := compiler.LoadSource("pool.res", src)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, 2*3*10*10)
	for i := range x {
		x[i] = 1 + r.Float32()
	}
	shape := []int64{2, 3, 10, 10}
	dir := t.TempDir()
	for _, ceil := range []bool{false, true} {
		g, err := p.Build("p", map[string]string{"ceil": strconv.FormatBool(ceil)})
		if err != nil {
			t.Fatal(err)
		}
		w := weights.Set{}
		prog, err := native.Compile(g, w, native.Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		out := g.Outputs[0].Node.Shape
		want := make([]float32, 2*out[1]*out[2]*out[3])
		if err := prog.Run(x, 2, want); err != nil {
			t.Fatal(err)
		}
		// The corner window holds 4 of its 9 values: counting the padding
		// divides by 9, not 4.
		if corner := (x[0] + x[1] + x[10] + x[11]) / 9; abs32(want[0]-corner) > 1e-6 {
			t.Fatalf("ceil %v: native corner %v, want %v", ceil, want[0], corner)
		}
		m, err := ExportModel(g, w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, n := range m.Graph.Node {
			ops = append(ops, n.GetOpType())
		}
		wantOps := "Pad AveragePool"
		if ceil {
			wantOps = "AveragePool"
		}
		if got := strings.Join(ops, " "); got != wantOps {
			t.Errorf("ceil %v: exported %s, want %s", ceil, got, wantOps)
		}
		if ceil {
			continue
		}
		got, _, err := session(t, g, w, Options{}).Run(x, shape)
		if err != nil {
			t.Fatal(err)
		}
		if d := testenv.MaxDiff(got, want); d > 1e-6 {
			t.Errorf("onnxruntime differs from native by %g", d)
		}
		c := startConsumer(t, "cv2")
		path, in, wantPath := filepath.Join(dir, "pool.onnx"), filepath.Join(dir, "in.npy"), filepath.Join(dir, "want.npy")
		writeModel(t, path, g, w, Options{Batch: 2})
		if err := npy.WriteFile(in, x, []int{2, 3, 10, 10}); err != nil {
			t.Fatal(err)
		}
		if err := npy.WriteFile(wantPath, want, []int{2, out[1], out[2], out[3]}); err != nil {
			t.Fatal(err)
		}
		res, err := c.ask("opencv", path, in, wantPath)
		if err != nil {
			t.Fatalf("OpenCV: %v", err)
		}
		if d, _ := strconv.ParseFloat(strings.Fields(res)[0], 64); !(d <= 1e-5) {
			t.Errorf("OpenCV differs from native by %g", d)
		}
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
