package native

import (
	"math"
	"unsafe"
)

// Sigmoid, SiLU and the exact GELU in float32, eight values at a time in
// assembly where the CPU has AVX2 (transcend_amd64.s) and in Go for the
// rest, and tanh from the same exp; the same kernel runs the piecewise
// linear activations (relu, relu6, hardsigmoid, hardswish, leaky relu). The Go functions below are the algorithm: the assembly computes
// the same operations in the same order, without fused multiply-adds, so
// every CPU gives the same bits. Against the float64 definitions the
// sigmoid, SiLU and tanh are within 3 units in the last place and the GELU
// within 8 (transcend_test.go); float64 math.Exp and math.Erf calls per
// value were many times slower (BenchmarkActivations).
//
// exp32 reduces x = k·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so that
// k·ln2hi is exact), sums e^r's Taylor series to degree 7 (truncation
// below 6e-9 relative) and scales by 2^k through the exponent bits. Below
// ln 2^-126 it gives 0 (rather than a subnormal); above 88.5, k = 128,
// whose exponent bits are +Inf's: the sigmoid and SiLU of large negative
// values come out 0 and −0 as they should.
//
// The GELU is x·Φ(x) with Φ(x) = 1 − erfc(z)/2 for x ≥ 0 and erfc(z)/2
// below, z = |x|/√2, so that both tails keep their relative accuracy:
// erfc(z) = t·exp(g(t) − z²) with t = 1/(1 + z/2), where g is a degree-9
// polynomial fitted here (Chebyshev nodes, numpy) to ln(erfc(z)/t) + z²
// on z ∈ [0, 10], within 5e-8; |x| is clamped to 10·√2, beyond which
// erfc is 0 in float32. The exponent g − z² is carried as two floats
// (exp32Split), z² = x²/2 from x itself, not from the rounded z.

const (
	expLog2e = 1.44269504
	expLn2Hi = 0.693359375 // 355/512: k·expLn2Hi is exact for |k| < 2^15
	expLn2Lo = -2.12194440e-4
	expMin   = -87.33654 // ln 2^-126
	expMax   = 88.5      // k = 128: +Inf
	geluXMax = 14.142136 // 10·√2: erfc(10) < 2^-149
	invSqrt2 = 0.70710677
)

// expPoly is e^r's Taylor coefficients from degree 7 down to 2.
var expPoly = [6]float32{1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5}

// erfcPoly is g(t)'s coefficients from degree 9 down to 0.
var erfcPoly = [10]float32{0.14493021, -0.6808272, 1.1567338, -0.69625187, -0.080280446,
	0.0012675932, 0.0346028, 0.3866404, 0.9986328, -1.265448}

// Activation codes, the assembly's fn argument: the transcendental ones
// here, then act.go's piecewise linear ones.
const (
	fnSigmoid = iota
	fnSilu
	fnGelu
	fnRelu
	fnRelu6
	fnHardSigmoid
	fnHardSwish
	fnLeakyRelu
	fnTanh
)

// tanhPoly is P(u) of tanh(x) = x + x·u·P(u), u = x², for |x| < 0.625,
// fitted here like erfcPoly (within 7e-10 relative), degree 5 down to 0.
var tanhPoly = [6]float32{0.0022957393, -0.008346871, 0.021769919, -0.0539594, 0.13333304, -0.33333334}

// tanh32 is tanh in float32: the polynomial near 0, where 1 − 2/(1 + e^2x)
// would cancel, and that above, with x's sign.
func tanh32(x float32) float32 {
	a := fabs32(x)
	if a < 0.625 {
		u := x * x
		p := tanhPoly[0]
		for _, c := range tanhPoly[1:] {
			p = float32(p*u) + c
		}
		return float32(x*float32(u*p)) + x
	}
	t := 1 - 2/(1+exp32(a+a))
	return math.Float32frombits(math.Float32bits(t) | math.Float32bits(x)&(1<<31))
}

// exp32 is e^x in float32 (see above).
func exp32(x float32) float32 {
	if x < expMin {
		return 0
	}
	x = min(x, expMax)
	k := float32(math.Floor(float64(float32(x*expLog2e) + 0.5)))
	r := x - float32(k*expLn2Hi)
	r = r - float32(k*expLn2Lo)
	p := expPoly[0]
	for _, c := range expPoly[1:] {
		p = float32(p*r) + c
	}
	p = float32(p*r) + 1
	p = float32(p*r) + 1
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}

// exp32Split is e^(hi + lo) for hi ≤ 0 held exactly, as exp32 computes
// it but with r = (hi − k·ln2hi) + lo − k·ln2lo, where the first
// difference is exact: |hi + lo| may be large without its rounding
// becoming e^x's relative error.
func exp32Split(hi, lo float32) float32 {
	x := hi + lo
	if x < expMin {
		return 0
	}
	k := float32(math.Floor(float64(float32(x*expLog2e) + 0.5)))
	r := float32(hi-float32(k*expLn2Hi)) + lo
	r = r - float32(k*expLn2Lo)
	p := expPoly[0]
	for _, c := range expPoly[1:] {
		p = float32(p*r) + c
	}
	p = float32(p*r) + 1
	p = float32(p*r) + 1
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}

func sigmoid32(x float32) float32 { return 1 / (1 + exp32(-x)) }

func silu32(x float32) float32 { return x / (1 + exp32(-x)) }

func gelu32(x float32) float32 {
	a := min(fabs32(x), geluXMax)
	z := float32(a * invSqrt2)
	t := 1 / (1 + float32(0.5*z))
	g := erfcPoly[0]
	for _, c := range erfcPoly[1:] {
		g = float32(g*t) + c
	}
	// e^(g − z²) with z² = a²/2 split as hi + d, ah being a to 12 bits,
	// so that hi = ah²/2 is exact: neither its rounding nor z's becomes
	// exp's error.
	ah := math.Float32frombits(math.Float32bits(a) &^ 0xfff)
	d := float32(float32((a-ah)*(a+ah)) * 0.5)
	h := float32(t*exp32Split(-float32(ah*ah)*0.5, g-d)) * 0.5 // erfc(z)/2
	phi := h
	if math.Float32bits(x)>>31 == 0 {
		phi = 1 - h
	}
	return x * phi
}

func fabs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// transcend applies activation fn (with the leaky relu's slope alpha) to
// src into dst (which may be src): the active instruction set's kernel
// over whole groups of eight, Go for the rest.
func transcend(dst, src []float32, fn int, alpha float32) {
	dst = dst[:len(src)]
	i := 0
	if f := active.transcend; f != nil && len(src) >= 8 {
		i = len(src) &^ 7
		f(unsafe.SliceData(dst), unsafe.SliceData(src), i, fn, alpha)
	}
	dst, src = dst[i:], src[i:]
	switch fn {
	case fnSigmoid:
		for i, v := range src {
			dst[i] = sigmoid32(v)
		}
	case fnSilu:
		for i, v := range src {
			dst[i] = silu32(v)
		}
	case fnGelu:
		for i, v := range src {
			dst[i] = gelu32(v)
		}
	case fnRelu:
		for i, v := range src {
			dst[i] = max(v, 0)
		}
	case fnRelu6:
		for i, v := range src {
			dst[i] = min(max(v, 0), 6)
		}
	case fnHardSigmoid:
		for i, v := range src {
			dst[i] = min(max(v+3, 0), 6) / 6
		}
	case fnHardSwish:
		for i, v := range src {
			dst[i] = v * min(max(v+3, 0), 6) / 6
		}
	case fnLeakyRelu:
		for i, v := range src {
			if v < 0 {
				v *= alpha
			}
			dst[i] = v
		}
	case fnTanh:
		for i, v := range src {
			dst[i] = tanh32(v)
		}
	}
}
