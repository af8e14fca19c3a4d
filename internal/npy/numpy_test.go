package npy_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/npy"
	"github.com/resc-dev/resc/internal/testenv"
)

// numpyPython returns a python3 that has numpy: Debian's /usr/bin/python3
// first, then the one on PATH. Without one the test skips, or fails when
// RESC_REQUIRE_EXTERNAL=1.
func numpyPython(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import numpy").Run() == nil {
			return path
		}
		tried = append(tried, path)
	}
	msg := "no python3 with numpy (on Debian: apt-get install python3-numpy)"
	if len(tried) > 0 {
		msg += "; tried " + strings.Join(tried, ", ")
	}
	testenv.Missing(t, "%s", msg)
	return ""
}

// TestNumpyLoads writes arrays with WriteFile and checks that numpy.load
// sees the same dtype, shape and bits.
func TestNumpyLoads(t *testing.T) {
	python := numpyPython(t)
	dir := t.TempDir()
	cases := map[string][]int{
		"scalar": nil,
		"empty":  {0, 3},
		"vec":    {5},
		"logits": {2, 10},
		"image":  {1, 3, 4, 5},
	}
	want := map[string][]float32{}
	for name, shape := range cases {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(math.Sin(float64(i)*1.7)) * float32(i+1)
		}
		if name == "vec" {
			copy(data, []float32{float32(math.Inf(1)), float32(math.Copysign(0, -1)), float32(math.NaN()), math.MaxFloat32, math.SmallestNonzeroFloat32})
		}
		want[name] = data
		if err := npy.WriteFile(filepath.Join(dir, name+".npy"), data, shape); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import json, sys, os, numpy as np
out = {}
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    a = np.load(os.path.join(d, f), allow_pickle=False)
    out[f[:-4]] = {"dtype": a.dtype.str, "shape": list(a.shape), "fortran": bool(np.isfortran(a)) and a.ndim > 1,
                   "bits": [int(x) for x in a.reshape(-1).view(np.uint32)]}
json.dump(out, sys.stdout)
`
	cmd := exec.Command(python, "-c", script, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("numpy.load: %v\n%s", err, stderr.String())
	}
	var got map[string]struct {
		Dtype   string
		Shape   []int
		Fortran bool
		Bits    []uint32
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for name, shape := range cases {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: numpy did not load it", name)
			continue
		}
		if g.Dtype != "<f4" || g.Fortran {
			t.Errorf("%s: dtype %s fortran %v", name, g.Dtype, g.Fortran)
		}
		if len(g.Shape) != len(shape) {
			t.Errorf("%s: shape %v, want %v", name, g.Shape, shape)
			continue
		}
		for i := range shape {
			if g.Shape[i] != shape[i] {
				t.Errorf("%s: shape %v, want %v", name, g.Shape, shape)
			}
		}
		if len(g.Bits) != len(want[name]) {
			t.Errorf("%s: %d values, want %d", name, len(g.Bits), len(want[name]))
			continue
		}
		for i, v := range want[name] {
			if g.Bits[i] != math.Float32bits(v) {
				t.Errorf("%s[%d]: bits %#x, want %#x", name, i, g.Bits[i], math.Float32bits(v))
			}
		}
	}
}

// TestNumpyLoadsNPZ writes an archive with WriteNPZ and checks that
// numpy.load sees every array by name, in order, with its shape and bits.
func TestNumpyLoadsNPZ(t *testing.T) {
	python := numpyPython(t)
	path := filepath.Join(t.TempDir(), "out.npz")
	arrays := []npy.Array{
		{Name: "logits", Data: []float32{1, -2, float32(math.Inf(1)), 0.5, 3, 4}, Shape: []int{2, 3}},
		{Name: "features", Data: []float32{7, 8, 9, 10}, Shape: []int{1, 4, 1, 1}},
		{Name: "scalar", Data: []float32{42}},
	}
	if err := npy.WriteNPZ(path, arrays); err != nil {
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
