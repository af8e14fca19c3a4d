package onnx

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// TestExportAsWeightsFile loads resc's -O0 exports back with
// weights.Load (--weights model.onnx): every parameter comes back with its
// exact values, whatever the naming (keras_resnet50v2's kernels are not
// transposed twice), and the export's own constants (cm_seresnet18's
// stand-in batch-norm scale, a dropout ratio) are not taken for weights.
func TestExportAsWeightsFile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		model string
		args  map[string]string
	}{
		{"resnet18", nil},
		{"keras_resnet50v2", nil},
		{"cm_seresnet18", nil},
		{"wrn_16_8", map[string]string{"drop_rate": "0.3"}},
	} {
		g := build(t, c.model, c.args)
		w := fill(g)
		// The format is told by content: resnet18's file is named .bin.
		path := filepath.Join(dir, c.model+".onnx")
		if c.model == "resnet18" {
			path = filepath.Join(dir, "resnet18.bin")
		}
		writeModel(t, path, g, w, Options{})
		got, err := weights.Load(g, path)
		if err != nil {
			t.Fatalf("%s: %v", c.model, err)
		}
		if len(got) != len(w) {
			t.Errorf("%s: %d tensors loaded, want %d", c.model, len(got), len(w))
		}
		for name, v := range w {
			if !slices.Equal(got[name], v) {
				t.Errorf("%s: %s differs after the round trip", c.model, name)
			}
		}
	}
}

// TestWeightsFileMismatch: an ONNX file whose initializers do not fit the
// graph gets the same report as a safetensors file, with a hint where the
// cause is known.
func TestWeightsFileMismatch(t *testing.T) {
	dir := t.TempDir()
	g18 := build(t, "resnet18", nil)
	path18 := filepath.Join(dir, "resnet18.onnx")
	writeModel(t, path18, g18, fill(g18), Options{})

	g34 := build(t, "resnet34", nil)
	_, err := weights.Load(g34, path18)
	var me *weights.MismatchError
	if !errors.As(err, &me) || len(me.Missing) == 0 || !strings.Contains(me.Context, `(saved from "resnet18")`) {
		t.Fatalf("resnet18's export for resnet34: %v", err)
	}

	g10 := build(t, "resnet18", map[string]string{"classes": "10"})
	_, err = weights.Load(g10, path18)
	if !errors.As(err, &me) || len(me.Problems) != 2 || me.Problems[0] != `"fc.weight": shape [10,512], file has [1000,512]` {
		t.Fatalf("1000 classes for 10: %v", err)
	}

	g2 := build(t, "resnet18", nil)
	if err := ir.Optimize(g2, 2); err != nil {
		t.Fatal(err)
	}
	pathO2 := filepath.Join(dir, "resnet18-O2.onnx")
	writeModel(t, pathO2, g2, weights.Init(g2, 1), Options{})
	_, err = weights.Load(g18, pathO2)
	if !errors.As(err, &me) || !strings.Contains(me.Hint, "-O0 export") {
		t.Fatalf("an -O2 export as weights: %v", err)
	}

	bad := filepath.Join(dir, "truncated.onnx")
	b, _ := os.ReadFile(path18)
	if err := os.WriteFile(bad, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := weights.Load(g18, bad); err == nil || !strings.Contains(err.Error(), "invalid ONNX weights") {
		t.Fatalf("a truncated file: %v", err)
	}
}
