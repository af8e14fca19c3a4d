package npy

import (
	"bytes"
	"encoding/binary"
	"os"
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
