package npy

import (
	"bytes"
	"slices"
	"testing"
)

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
