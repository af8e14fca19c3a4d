package npy

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"github.com/resc-dev/resc/internal/testenv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestEncodeHeader(t *testing.T) {
	for _, shape := range [][]int{nil, {0}, {3}, {2, 10}, {1, 3, 224, 224}, {7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		b, err := Encode(data, shape)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
			t.Fatalf("%v: prefix %q", shape, b[:8])
		}
		hlen := int(binary.LittleEndian.Uint16(b[8:]))
		start := 10 + hlen
		if start%64 != 0 {
			t.Errorf("%v: data starts at %d, not a multiple of 64", shape, start)
		}
		if b[start-1] != '\n' {
			t.Errorf("%v: header does not end in a newline", shape)
		}
		if len(b)-start != 4*n {
			t.Errorf("%v: %d data bytes, want %d", shape, len(b)-start, 4*n)
		}
		h := string(b[10:start])
		if want := "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }"; !strings.HasPrefix(h, want) || strings.TrimRight(h[len(want):], " \n") != "" {
			t.Errorf("%v: header %q", shape, h)
		}
	}
	if got := shapeTuple([]int{5}); got != "(5,)" {
		t.Errorf("shapeTuple([5]) = %s", got)
	}
	if _, err := Encode(make([]float32, 5), []int{2, 3}); err == nil {
		t.Error("Encode accepted 5 values for shape [2 3]")
	}
	if _, err := Encode(nil, []int{-1}); err == nil {
		t.Error("Encode accepted a negative dimension")
	}
}

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
		if err := WriteFile(filepath.Join(dir, name+".npy"), data, shape); err != nil {
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

func TestWriteFileLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.npy")
	if err := WriteFile(path, []float32{1, 2}, []int{2}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []float32{1}, []int{2}); err == nil {
		t.Fatal("WriteFile accepted a wrong shape")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("folder holds %d entries, want only out.npy", len(entries))
	}
	b, _ := os.ReadFile(path)
	if len(b) != 128+8 {
		t.Fatalf("out.npy has %d bytes, want 136 (numpy pads this header to 128)", len(b))
	}
}
