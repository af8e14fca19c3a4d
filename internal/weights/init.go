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
// generator (splitmix64 and Marsaglia's polar method with a logarithm
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

// normalPair draws two independent standard normals by Marsaglia's polar
// method: a point uniform in the unit disc, scaled by sqrt(-2 ln s / s).
// It needs one logarithm and no sine or cosine, half the work of
// Box–Muller, which matters when a model has 60M weights to draw.
func (r *stream) normalPair() (float64, float64) {
	for {
		u := float64(2*r.uniform()) - 1 // [-1, 1), exact
		v := float64(2*r.uniform()) - 1
		s := float64(u*u) + float64(v*v)
		if s >= 1 || s == 0 {
			continue
		}
		f := math.Sqrt(float64(-2*detLog(s)) / s)
		return float64(u * f), float64(v * f)
	}
}

// The functions below use only +, -, *, / and exact operations, each
// product rounded explicitly with float64(...) so that no platform may fuse
// it into a multiply-add: their results are the same everywhere, unlike
// math.Log (assembly on amd64) or math.Sincos.

const (
	ln2Hi = 6.93147180369123816490e-01 // ln 2 split so that e*ln2Hi is exact
	ln2Lo = 1.90821492927058770002e-10
)

// detLog is the natural logarithm of x > 0 (finite), with a
// relative error below 1e-13, far finer than the float32 weights it feeds:
// x = m·2^e with m in [√½, √2), log m = 2·atanh(s), s = (m-1)/(m+1), by its
// series to s^17 (|s| ≤ 0.172, so the remainder is below 4e-14).
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

// logCoeffs are 1/(2k+1): log m = 2s·Σ logCoeffs[k]·s^2k.
var logCoeffs = [...]float64{
	1, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17,
}
