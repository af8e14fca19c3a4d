package native

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestWinoRowsMatchGo runs each instruction set's Winograd transforms of
// a tile row against the Go twins on random rows (1 to 70 tiles: whole
// groups of 16 and tails; patches reaching past every edge of the plane;
// odd output widths, one or two output rows),
// with NaN guard bands around the outputs and between the panels'
// columns, which must stay untouched. The values must be bit-identical:
// both do the same adds in the same order.
func TestWinoRowsMatchGo(t *testing.T) {
	withISA(t, func(t *testing.T) {
		if active.winoIn == nil || active.winoOut == nil {
			t.Skipf("%s has no vector Winograd transforms: TestWinogradMatchesDirect checks the Go ones", active.name)
		}
		r := rand.New(rand.NewPCG(21, 22))
		for i := 0; i < 200; i++ {
			n := 1 + r.IntN(70)
			checkWinoIn(t, r, n)
			checkWinoOut(t, r, n)
		}
	})
}

func checkWinoIn(t *testing.T, r *rand.Rand, n int) {
	t.Helper()
	// A plane around the row's patches, or narrower (padding on either
	// side), or shorter (rows above or below it).
	h, w := 1+r.IntN(6), max(1, 2*n+2-r.IntN(8)+r.IntN(4))
	y0, x0 := r.IntN(h+2)-3, r.IntN(3)-2
	chans := 1 + r.IntN(3)
	cstride := h*w + r.IntN(5)
	plane := randomSlice(r, (chans-1)*cstride+h*w)
	dstride := n + r.IntN(5)
	pstride := chans*dstride + r.IntN(20)
	got, want := nanSlice(16*pstride+2*guard), nanSlice(16*pstride+2*guard)
	winoIn(plane, y0, x0, h, w, got[guard:], pstride, n, chans, cstride, dstride)
	for c := 0; c < chans; c++ {
		winoInGo(plane[c*cstride:], y0, x0, h, w, want[guard+c*dstride:], pstride, n)
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("winoIn of %d tiles and %d channels from (%d, %d) of %d×%d (pstride %d): value %d (position %d, column %d) is %v, want %v",
				n, chans, y0, x0, h, w, pstride, i-guard, (i-guard)/pstride, (i-guard)%pstride, got[i], want[i])
		}
	}
}

func checkWinoOut(t *testing.T, r *rand.Rand, n int) {
	t.Helper()
	pstride := n + r.IntN(20)
	src := randomSlice(r, 15*pstride+n)
	w := 2*n - r.IntN(2)
	rows := 1 + r.IntN(2)
	ld := w + r.IntN(9)
	got, want := nanSlice((rows-1)*ld+w+2*guard), nanSlice((rows-1)*ld+w+2*guard)
	winoOut(src, pstride, got[guard:], ld, n, w, rows)
	winoOutGo(src, pstride, want[guard:], ld, n, w, rows)
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("winoOut of %d tiles (w %d, rows %d, ld %d): value %d is %v, want %v", n, w, rows, ld, i-guard, got[i], want[i])
		}
	}
}

func nanSlice(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = nan
	}
	return v
}
