package npy

import (
	"slices"
	"testing"
)

// TestDecodeRoundTrip reads back what Encode writes, and refuses the
// malformed.
func TestDecodeRoundTrip(t *testing.T) {
	for _, shape := range [][]int{{2, 3}, {1, 3, 2, 2}, {0, 4}, {}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(i) - 1.5
		}
		b, err := Encode(data, shape)
		if err != nil {
			t.Fatal(err)
		}
		got, gotShape, err := Decode(b)
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if !slices.Equal(got, data) || !slices.Equal(gotShape, shape) {
			t.Errorf("%v: got %v %v", shape, gotShape, got)
		}
		if _, _, err := Decode(b[:len(b)-1]); err == nil && n > 0 {
			t.Errorf("%v: a truncated file decodes", shape)
		}
	}
	for _, bad := range []string{"", "\x93NUMPY\x02\x00\x00\x00", "\x93NUMPY\x01\x00\xff\x00{}"} {
		if _, _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("%q decodes", bad)
		}
	}
}

// FuzzDecode: any bytes give values and a shape that agree, or an error;
// never a panic or an allocation the data does not back.
func FuzzDecode(f *testing.F) {
	b, _ := Encode([]float32{1, 2, 3, 4, 5, 6}, []int{2, 3})
	f.Add(b)
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, shape, err := Decode(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if len(v) != n {
			t.Fatalf("%d values for shape %v", len(v), shape)
		}
	})
}
