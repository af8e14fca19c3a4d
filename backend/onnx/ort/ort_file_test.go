package ort

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSessionFile: a session onnxruntime loads from a file says the same
// inputs, outputs and shapes as one loaded from the same bytes, runs the
// same, and a file that is not a model is an error naming the problem.
func TestSessionFile(t *testing.T) {
	ortRequire(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "relu.onnx")
	model := ortReluModel(t)
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	fromBytes, err := NewSession(model, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer fromBytes.Close()
	s, err := NewSessionFile(path, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.InputName() != fromBytes.InputName() || s.OutputName() != fromBytes.OutputName() ||
		!slices.Equal(s.InputShape(), fromBytes.InputShape()) || !slices.Equal(s.OutputShape(), fromBytes.OutputShape()) {
		t.Errorf("from the file: %s %v -> %s %v; from the bytes: %s %v -> %s %v",
			s.InputName(), s.InputShape(), s.OutputName(), s.OutputShape(),
			fromBytes.InputName(), fromBytes.InputShape(), fromBytes.OutputName(), fromBytes.OutputShape())
	}
	in := []float32{-1, 2, -3, 4, -5, 6}
	out, shape, err := s.Run(in, []int64{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 2, 0, 4, 0, 6}; !slices.Equal(out, want) || !slices.Equal(shape, []int64{2, 3}) {
		t.Errorf("relu from the file: %v %v, want %v [2 3]", out, shape, want)
	}
	if _, _, err := s.Run(in, []int64{3, 2}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("wrong shape: %v", err)
	}

	garbage := filepath.Join(dir, "garbage.onnx")
	if err := os.WriteFile(garbage, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{garbage, filepath.Join(dir, "missing.onnx")} {
		_, err := NewSessionFile(p, SessionOptions{})
		if err == nil || !strings.HasPrefix(err.Error(), "onnxruntime could not load the model: Load model from "+p) {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}
}
