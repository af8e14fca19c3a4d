package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestAffineFast checks each assembly epilogue against the formula on
// every tail length, with and without a residual and a relu, inside NaN
// guard bands, and that a NaN stays a NaN through the relu as it does
// unfused.
func TestAffineFast(t *testing.T) {
	withISA(t, testAffineFast)
}

func testAffineFast(t *testing.T) {
	if active.epilogue == nil {
		t.Skipf("%s has no epilogue kernel: the Go loops, tested in TestEpilogueTile, do its work", active.name)
	}
	r := rand.New(rand.NewPCG(4, 4))
	for n := 0; n < 40; n++ {
		for _, withRes := range []bool{false, true} {
			for _, relu := range []bool{false, true} {
				src, res := randomSlice(r, n), randomSlice(r, n)
				if n > 3 {
					src[n-2] = float32(math.NaN())
				}
				if !withRes {
					res = nil
				}
				b, sc, sh := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
				dst, all := guarded(n)
				if !tileFast(dst, src, 0, res, 0, 1, n, []float32{b}, []float32{sc}, []float32{sh}, relu) {
					t.Fatal("tileFast did nothing with an epilogue kernel")
				}
				checkGuards(t, active.name, all, n)
				act := ir.ActNone
				if relu {
					act = ir.ActRelu
				}
				for i, v := range src {
					x := v + b
					if res != nil {
						x += res[i]
					}
					want := act.Apply(x*sc+sh, 0)
					if got := dst[i]; got != want && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
						t.Fatalf("n=%d res=%v relu=%v: dst[%d] = %v, want %v", n, withRes, relu, i, got, want)
					}
				}
			}
		}
	}
}

// TestEpilogueTile checks a whole tile — rows of different channels, a
// row stride longer than the rows, with and without each part — against
// the formula, and that the values between the rows stay untouched.
func TestEpilogueTile(t *testing.T) {
	withISA(t, testEpilogueTile)
}

func testEpilogueTile(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for trial := 0; trial < 200; trial++ {
		rows, cols := 1+r.IntN(7), 1+r.IntN(37)
		ld := cols + r.IntN(5)
		ch0, chans := r.IntN(3), 12
		e := epilogue{act: ir.Act(r.IntN(3))}
		if r.IntN(2) == 0 {
			e.bias = randomSlice(r, chans)
		}
		if r.IntN(2) == 0 {
			e.scale, e.shift = randomSlice(r, chans), randomSlice(r, chans)
		}
		out := randomSlice(r, rows*ld)
		orig := append([]float32(nil), out...)
		var res []float32
		if r.IntN(2) == 0 {
			res = randomSlice(r, rows*ld)
		}
		e.tile(out, res, ld, ch0, rows, cols)
		for i := range out {
			row, col := i/ld, i%ld
			want := orig[i]
			if col < cols {
				x := orig[i]
				if e.bias != nil {
					x += e.bias[ch0+row]
				}
				if res != nil {
					x += res[i]
				}
				if e.scale != nil {
					x = x*e.scale[ch0+row] + e.shift[ch0+row]
				}
				want = e.act.Apply(x, float64(e.alpha))
			}
			if d := math.Abs(float64(out[i] - want)); d > 1e-6*(1+math.Abs(float64(want))) {
				t.Fatalf("trial %d (rows %d cols %d ld %d, %+v): out[%d] = %v, want %v", trial, rows, cols, ld, e.act, i, out[i], want)
			}
		}
	}
}
