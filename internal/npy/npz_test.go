package npy

import (
	"bytes"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestNumpyLoadsNPZ writes an archive with WriteNPZ and checks that
// numpy.load sees every array by name, in order, with its shape and bits.
func TestNumpyLoadsNPZ(t *testing.T) {
	python := numpyPython(t)
	path := filepath.Join(t.TempDir(), "out.npz")
	arrays := []Array{
		{Name: "logits", Data: []float32{1, -2, float32(math.Inf(1)), 0.5, 3, 4}, Shape: []int{2, 3}},
		{Name: "features", Data: []float32{7, 8, 9, 10}, Shape: []int{1, 4, 1, 1}},
		{Name: "scalar", Data: []float32{42}},
	}
	if err := WriteNPZ(path, arrays); err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys, numpy as np
z = np.load(sys.argv[1], allow_pickle=False)
json.dump([{"name": k, "dtype": z[k].dtype.str, "shape": list(z[k].shape),
            "bits": [int(x) for x in z[k].reshape(-1).view(np.uint32)]} for k in z.files], sys.stdout)
`
	cmd := exec.Command(python, "-c", script, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("numpy.load: %v\n%s", err, stderr.String())
	}
	var got []struct {
		Name, Dtype string
		Shape       []int
		Bits        []uint32
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != len(arrays) {
		t.Fatalf("numpy sees %d arrays, want %d", len(got), len(arrays))
	}
	for i, a := range arrays {
		g := got[i]
		var bits []uint32
		for _, v := range a.Data {
			bits = append(bits, math.Float32bits(v))
		}
		if g.Name != a.Name || g.Dtype != "<f4" || !slices.Equal(g.Shape, a.Shape) && len(a.Shape)+len(g.Shape) > 0 || !slices.Equal(g.Bits, bits) {
			t.Errorf("array %d: numpy sees %+v, want %s %v %v", i, g, a.Name, a.Shape, a.Data)
		}
	}
}

// TestEncodeNPZ: the bytes depend on the arrays only, and bad names are
// refused.
func TestEncodeNPZ(t *testing.T) {
	a := []Array{{Name: "x", Data: []float32{1, 2}, Shape: []int{2}}, {Name: "y", Data: []float32{3}, Shape: []int{1}}}
	b1, err := EncodeNPZ(a)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := EncodeNPZ(a)
	if !bytes.Equal(b1, b2) {
		t.Error("two encodings of the same arrays differ")
	}
	for _, name := range []string{"", "a/b", `a\b`, "x"} {
		bad := append(slices.Clone(a), Array{Name: name, Data: []float32{0}, Shape: []int{1}})
		if _, err := EncodeNPZ(bad); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if _, err := EncodeNPZ([]Array{{Name: "z", Data: []float32{1}, Shape: []int{2}}}); err == nil {
		t.Error("a shape that does not match the data accepted")
	}
}
