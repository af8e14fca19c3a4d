package resc_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/weights"
)

// TestCompileWeightsFile: weights read from a file tensor by tensor give
// the native executor the values the same weights give from memory, and a
// file cut short after Compile checked it makes both backends say why,
// not just that a parameter has no values.
func TestCompileWeightsFile(t *testing.T) {
	t.Parallel()
	m, err := resc.LoadString("tiny.res", tiny, resc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := m.Graph()
	w := weights.Init(g, 7)
	path := filepath.Join(t.TempDir(), "tiny.safetensors")
	if err := weights.Save(g, w, path); err != nil {
		t.Fatal(err)
	}
	fromFile, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel, WeightsFile: path})
	if err != nil {
		t.Fatal(err)
	}
	fromMap, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]float32, 3*32*32)
	for i := range in {
		in[i] = float32(i%13)/13 - 0.5
	}
	run := func(c *resc.Compiled) []float32 {
		p, err := c.Native(resc.NativeOptions{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, 10)
		if err := p.Run(in, 1, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := run(fromFile), run(fromMap)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("output %d: %v from the file, %v from memory", i, a[i], b[i])
		}
	}

	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	const want = "unexpected EOF; was the file changed after it was checked?"
	if _, err := fromFile.Native(resc.NativeOptions{Threads: 1}); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "reading "+path) {
		t.Errorf("native from a truncated file: %v", err)
	}
	if _, err := fromFile.ONNX(resc.ONNXOptions{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ONNX from a truncated file: %v", err)
	}
}
