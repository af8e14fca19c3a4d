package native

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// transcendCases are the functions of transcend.go with their float64
// definitions.
var transcendCases = []struct {
	name string
	fn   int
	f32  func(float32) float32
	f64  func(float64) float64
}{
	{"sigmoid", fnSigmoid, sigmoid32, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
	{"silu", fnSilu, silu32, func(x float64) float64 { return x / (1 + math.Exp(-x)) }},
	{"gelu", fnGelu, gelu32, func(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) }},
	{"tanh", fnTanh, tanh32, math.Tanh},
}

// transcendInputs are values over the whole range: a dense sweep of
// [-20, 20], random normals at several scales, and the special values.
func transcendInputs() []float32 {
	var x []float32
	for v := -20.0; v <= 20; v += 1.0 / 1024 {
		x = append(x, float32(v))
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range []float64{1e-6, 0.01, 1, 5, 50, 1e4} {
		for range 1000 {
			x = append(x, float32(s*r.NormFloat64()))
		}
	}
	inf := float32(math.Inf(1))
	x = append(x, 0, float32(math.Copysign(0, -1)), inf, -inf, float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, 88.5, -88.5, 87.4, -87.4)
	for len(x)%8 != 3 {
		x = append(x, 0.5) // a tail for the Go loop
	}
	return x
}

// ulps is how many float32 steps apart got and want are, measured at
// want's magnitude.
func ulps(got float32, want float64) float64 {
	w := float32(want)
	step := math.Nextafter32(abs32(w), float32(math.Inf(1))) - abs32(w)
	return math.Abs(float64(got)-want) / float64(step)
}

// TestTranscendAccuracy bounds the Go functions' error against float64:
// the sigmoid, SiLU and tanh within 3 units in the last place of the result; the
// GELU within 8 (the most near 0, where Φ = 1 − erfc/2 gathers the
// roundings of t, the polynomial and exp) and below x = −3 within 1e-6
// relative. NaN and the infinities give what the float64 definitions give
// (x·σ(x) at −∞ is NaN, as in PyTorch); results below 1e-36 in
// magnitude, which exp32 flushes to 0, are within 1e-36.
func TestTranscendAccuracy(t *testing.T) {
	for _, c := range transcendCases {
		worst, at, tail := 0.0, float32(0), 0.0
		for _, x := range transcendInputs() {
			got, want := c.f32(x), c.f64(float64(x))
			switch {
			case math.IsNaN(want) || math.IsInf(want, 0):
				if !(math.IsNaN(want) && math.IsNaN(float64(got)) || float64(got) == want) {
					t.Errorf("%s(%v) = %v, want %v", c.name, x, got, want)
				}
				continue
			case c.fn == fnGelu && x < -3 && math.Abs(want) >= 1e-36:
				tail = max(tail, math.Abs(float64(got)-want)/math.Abs(want))
				continue
			case math.Abs(want) < 1e-36:
				// Where float32 has only subnormals, which exp32 flushes
				// to 0.
				if math.Abs(float64(got)-want) > 1e-36 {
					t.Errorf("%s(%v) = %v, want %v", c.name, x, got, want)
				}
				continue
			}
			if u := ulps(got, want); u > worst {
				worst, at = u, x
			}
		}
		t.Logf("%s: at most %.2f units in the last place off float64 (at x = %v); below −3 at most %.2g relative", c.name, worst, at, tail)
		bound := 3.0
		if c.fn == fnGelu {
			bound = 8
		}
		if worst > bound || tail > 1e-6 {
			t.Errorf("%s: %.2f units in the last place off at x = %v; %.2g relative below −3", c.name, worst, at, tail)
		}
	}
}

// TestTranscendKernels runs each instruction set's kernel against the Go
// functions, and the piecewise linear activations against ir.Act.Apply:
// the same bits for every value (NaN for NaN; relu and relu6 may give −0
// for −0), in place and not, with the tail in Go.
func TestTranscendKernels(t *testing.T) {
	type kernelCase struct {
		name string
		fn   int
		f32  func(float32) float32
	}
	var cases []kernelCase
	for _, c := range transcendCases {
		cases = append(cases, kernelCase{c.name, c.fn, c.f32})
	}
	for _, c := range []struct {
		fn  int
		act ir.Act
	}{{fnRelu, ir.ActRelu}, {fnRelu6, ir.ActRelu6}, {fnHardSigmoid, ir.ActHardSigmoid}, {fnHardSwish, ir.ActHardSwish}, {fnLeakyRelu, ir.ActLeakyRelu}} {
		cases = append(cases, kernelCase{c.act.String(), c.fn, func(v float32) float32 { return c.act.Apply(v, leakySlope) }})
	}
	withISA(t, func(t *testing.T) {
		x := transcendInputs()
		for _, c := range cases {
			for _, inPlace := range []bool{false, true} {
				dst := make([]float32, len(x))
				if inPlace {
					copy(dst, x)
					transcend(dst, dst, c.fn, leakySlope)
				} else {
					transcend(dst, x, c.fn, leakySlope)
				}
				for i, v := range x {
					want, got := c.f32(v), dst[i]
					same := math.Float32bits(got) == math.Float32bits(want) ||
						math.IsNaN(float64(want)) && math.IsNaN(float64(got)) ||
						(c.fn == fnRelu || c.fn == fnRelu6) && got == 0 && want == 0
					if !same {
						t.Fatalf("%s (in place %v): f(%v) = %v, want %v", c.name, inPlace, v, got, want)
					}
				}
			}
		}
	})
}
