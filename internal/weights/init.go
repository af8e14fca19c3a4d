package weights

import (
	"math"
	"runtime"
	"sync"

	"resc/ir"
)

// Init returns deterministic initial values for every parameter of g, as
// the reference implementations initialise them, driven by ir.Param.Init:
//
//   - InitKaimingFanOut: N(0, 2/fan_out) with fan_out = out_channels*kh*kw
//     (shape[0] times the product of shape[2:]), PyTorch's
//     kaiming_normal_(mode="fan_out", nonlinearity="relu");
//   - InitNormal001: N(0, 0.01²), the fc weight;
//   - InitZeros and InitOnes: constants (biases, BN beta and running mean
//     are zeros, running var and gamma ones, gamma zeros where the model
//     zero-initialises the last BN of a block).
//
// Each parameter draws from its own stream, seeded from (seed, name), so
// its values depend on neither the other parameters nor their order. The
// generator (splitmix64 and Box–Muller with a logarithm, sine and cosine
// computed here from IEEE basic operations only) gives identical values
// on every platform and Go version.
func Init(g *ir.Graph, seed uint64) Set {
	var params []*ir.Param
	for _, n := range g.Nodes {
		params = append(params, n.Params...)
	}
	vals := make([][]float32, len(params))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				vals[i] = InitParam(params[i], seed)
			}
		}()
	}
	for i := range params {
		next <- i
	}
	close(next)
	wg.Wait()
	s := make(Set, len(params))
	for i, p := range params {
		s[p.Name] = vals[i]
	}
	return s
}

// InitParam returns the initial values of one parameter (see Init).
func InitParam(p *ir.Param, seed uint64) []float32 {
	n := p.Size()
	out := make([]float32, n)
	switch p.Init {
	case ir.InitZeros:
	case ir.InitOnes:
		for i := range out {
			out[i] = 1
		}
	case ir.InitKaimingFanOut:
		fanOut := int64(1)
		if len(p.Shape) > 0 {
			fanOut = int64(p.Shape[0])
		}
		for _, d := range p.Shape[min(2, len(p.Shape)):] {
			fanOut *= int64(d)
		}
		if fanOut > 0 {
			normal(out, math.Sqrt(2/float64(fanOut)), seed, p.Name)
		}
	case ir.InitNormal001:
		normal(out, 0.01, seed, p.Name)
	}
	return out
}

// normal fills out with N(0, std²) from the stream of (seed, name).
func normal(out []float32, std float64, seed uint64, name string) {
	r := newStream(seed, name)
	for i := 0; i < len(out); i += 2 {
		z0, z1 := r.normalPair()
		out[i] = float32(float64(std * z0))
		if i+1 < len(out) {
			out[i+1] = float32(float64(std * z1))
		}
	}
}

// A stream is a splitmix64 generator.
type stream struct{ s uint64 }

const golden = 0x9e3779b97f4a7c15

func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// newStream seeds a stream from the global seed and a parameter name
// (FNV-1a of the name, mixed).
func newStream(seed uint64, name string) *stream {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 0x100000001b3
	}
	return &stream{s: mix64(seed ^ mix64(h+golden))}
}

func (r *stream) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// uniform is in [0, 1), a multiple of 2^-53.
func (r *stream) uniform() float64 { return float64(r.next()>>11) * 0x1p-53 }

// normalPair draws two independent standard normals (Box–Muller).
func (r *stream) normalPair() (float64, float64) {
	u1 := 1 - r.uniform() // (0, 1]
	u2 := r.uniform()
	rad := math.Sqrt(float64(-2 * detLog(u1)))
	s, c := sinCos2Pi(u2)
	return float64(rad * c), float64(rad * s)
}

// The functions below use only +, -, *, / and exact operations, each
// product rounded explicitly with float64(...) so that no platform may fuse
// it into a multiply-add: their results are the same everywhere, unlike
// math.Log (assembly on amd64) or math.Sincos.

const (
	ln2Hi = 6.93147180369123816490e-01 // ln 2 split so that e*ln2Hi is exact
	ln2Lo = 1.90821492927058770002e-10
)

// detLog is the natural logarithm of x > 0 (finite), accurate to a few
// ulp: x = m·2^e with m in [√½, √2), log m = 2·atanh(s), s = (m-1)/(m+1),
// by its series to s^27 (|s| ≤ 0.172, so the remainder is below 1e-20).
func detLog(x float64) float64 {
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	p := logCoeffs[len(logCoeffs)-1]
	for i := len(logCoeffs) - 2; i >= 0; i-- {
		p = logCoeffs[i] + float64(s2*p)
	}
	fe := float64(e)
	return float64(fe*ln2Hi) + (float64(fe*ln2Lo) + float64(2*float64(s*p)))
}

// sinCos2Pi returns sin(2πu) and cos(2πu) for u in [0, 1). The reduction
// to a quadrant and to [0, π/4] is exact in u; the Taylor series on
// [0, π/4] are taken to x^17 and x^18 (remainder below 1e-18).
func sinCos2Pi(u float64) (sin, cos float64) {
	v := u * 4 // exact
	q := math.Floor(v)
	f := v - q // exact, in [0, 1)
	swap := f > 0.5
	if swap {
		f = 1 - f // exact (Sterbenz)
	}
	x := float64(f * (math.Pi / 2))
	x2 := float64(x * x)
	sp := sinCoeffs[len(sinCoeffs)-1]
	for i := len(sinCoeffs) - 2; i >= 0; i-- {
		sp = sinCoeffs[i] + float64(x2*sp)
	}
	cp := cosCoeffs[len(cosCoeffs)-1]
	for i := len(cosCoeffs) - 2; i >= 0; i-- {
		cp = cosCoeffs[i] + float64(x2*cp)
	}
	s, c := float64(x*sp), cp
	if swap {
		s, c = c, s
	}
	switch int(q) & 3 {
	case 0:
		return s, c
	case 1:
		return c, -s
	case 2:
		return -s, -c
	default:
		return -c, s
	}
}

// logCoeffs are 1/(2k+1): log m = 2s·Σ logCoeffs[k]·s^2k.
var logCoeffs = [...]float64{
	1, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13,
	1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27,
}

// Taylor coefficients: sin x = x·Σ sinCoeffs[k]·x^2k, cos x = Σ cosCoeffs[k]·x^2k.
// Go evaluates these constant expressions exactly and rounds once.
var sinCoeffs = [...]float64{
	1, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800,
	1.0 / 6227020800, -1.0 / 1307674368000, 1.0 / 355687428096000,
}

var cosCoeffs = [...]float64{
	1, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800,
	1.0 / 479001600, -1.0 / 87178291200, 1.0 / 20922789888000, -1.0 / 6402373705728000,
}
