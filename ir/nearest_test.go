package ir

import "testing"

// TestNearestSource checks the torch index rule on sizes whose ratio is
// not an integer (the FPN's 4 to 7, 7 to 13, 13 to 25), on downsizing,
// and on exact factors, where it must equal the factor form's dst / f.
func TestNearestSource(t *testing.T) {
	for _, c := range []struct {
		in, out int
		want    []int
	}{
		{4, 7, []int{0, 0, 1, 1, 2, 2, 3}},
		{7, 13, []int{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6}},
		{3, 3, []int{0, 1, 2}},
		{5, 3, []int{0, 1, 3}},
		{2, 5, []int{0, 0, 0, 1, 1}},
	} {
		for dst, w := range c.want {
			if got := NearestSource(dst, c.in, c.out); got != w {
				t.Errorf("NearestSource(%d, %d, %d) = %d, want %d", dst, c.in, c.out, got, w)
			}
		}
	}
	for in := 1; in <= 40; in++ {
		for f := 1; f <= 6; f++ {
			for dst := range in * f {
				if got := NearestSource(dst, in, in*f); got != dst/f {
					t.Fatalf("NearestSource(%d, %d, %d) = %d, want %d (factor %d)", dst, in, in*f, got, dst/f, f)
				}
			}
		}
	}
}
