package cli

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/backend/onnx/ort"
	"github.com/resc-dev/resc/internal/npy"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// twoOutputs is a graph whose outputs are features [N,2,1,1] and logits
// [N,3].
func twoOutputs(t *testing.T) *ir.Graph {
	t.Helper()
	g := &ir.Graph{Name: "two"}
	add := func(n *ir.Node) *ir.Node {
		m, err := g.Add(n)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	x := add(&ir.Node{Op: ir.OpInput, Name: "input", Shape: ir.Shape{ir.Batch, 2, 3, 3}})
	f := add(&ir.Node{Op: ir.OpGlobalAvgPool, Name: "pool", Inputs: []*ir.Node{x}})
	l := add(&ir.Node{Op: ir.OpGemm, Name: "fc", Inputs: []*ir.Node{add(&ir.Node{Op: ir.OpFlatten, Name: "flat", Inputs: []*ir.Node{f}})},
		Attrs: ir.Attrs{OutChannels: 3}, Params: []*ir.Param{{Name: "fc.weight", Role: ir.RoleWeight, Shape: []int{3, 2}}}})
	g.Outputs = []ir.Output{{Name: "features", Node: f}, {Name: "logits", Node: l}}
	return g
}

// TestSaveSeveralOutputs: an .npy for a model with several outputs is a
// usage error that suggests .npz; an .npz holds every output by name, the
// same bytes as each output's .npy.
func TestSaveSeveralOutputs(t *testing.T) {
	g := twoOutputs(t)
	dir := t.TempDir()
	err := checkSaveOutput(filepath.Join(dir, "out.npy"), g)
	if err == nil || !strings.Contains(err.Error(), "2 outputs (features, logits)") || !strings.Contains(err.Error(), "out.npz") {
		t.Errorf("an .npy for two outputs: %v", err)
	}
	if err := checkSaveOutput(filepath.Join(dir, "out.NPZ"), g); err != nil {
		t.Errorf("an .npz: %v", err)
	}
	outs := outputBuffers(g, 2)
	if len(outs) != 2 || len(outs[0]) != 4 || len(outs[1]) != 6 {
		t.Fatalf("outputBuffers: %d buffers", len(outs))
	}
	for i := range outs[1] {
		outs[1][i] = float32(i)
	}
	shapes := [][]int{{2, 2, 1, 1}, {2, 3}}
	path := filepath.Join(dir, "out.npz")
	if err := saveOutputs(path, g, outs, shapes); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, f := range z.File {
		names = append(names, f.Name)
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(r)
		want, _ := npy.Encode(outs[i], shapes[i])
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s is not the output's .npy", f.Name)
		}
	}
	if !slices.Equal(names, []string{"features.npy", "logits.npy"}) {
		t.Errorf("entries %v", names)
	}
	// One output: an .npy file.
	one := *g
	one.Outputs = g.Outputs[1:]
	if err := checkSaveOutput(filepath.Join(dir, "one.npy"), &one); err != nil {
		t.Fatal(err)
	}
	if err := saveOutputs(filepath.Join(dir, "one.npy"), &one, outs[1:], shapes[1:]); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "one.npy")); !bytes.HasPrefix(got, []byte("\x93NUMPY")) {
		t.Error("one.npy is not an .npy file")
	}
}

// TestONNXExecutorSeveralOutputs runs a two-output graph through the
// onnxruntime executor: each output lands in its buffer, in the graph's
// order.
func TestONNXExecutorSeveralOutputs(t *testing.T) {
	requireORT(t)
	g := twoOutputs(t)
	w := weights.Set{"fc.weight": {1, 0, 0, 1, 1, 1}}
	model, err := onnx.Export(g, w, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ort.NewSession(model, ort.SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := &onnxExec{s: s, threads: 1, device: "cpu", shape: g.Input.Shape}
	defer e.close()
	in := make([]float32, 2*18)
	for i := range in {
		in[i] = float32(i / 9) // image b, channel c: the value 2b + c
	}
	outs := outputBuffers(g, 2)
	if err := e.run(in, 2, outs); err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 2, 3}; !slices.Equal(outs[0], want) {
		t.Errorf("features %v, want %v", outs[0], want)
	}
	if want := []float32{0, 1, 1, 2, 3, 5}; !slices.Equal(outs[1], want) {
		t.Errorf("logits %v, want %v", outs[1], want)
	}
	if err := e.run(in, 2, outs[:1]); err == nil {
		t.Error("one buffer for two outputs accepted")
	}
}
