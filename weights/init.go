package weights

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/resc-dev/resc/ir"
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
// generator (splitmix64 and Marsaglia and Tsang's ziggurat, with the
// logarithm and exponential computed here from IEEE basic operations only) gives identical values
// on every platform and Go version.
//
// For an optimised graph, Init makes the parameters it was derived from
// (g.SourceParams), which Resolve turns into the derived ones.
func Init(g *ir.Graph, seed uint64) Set {
	params := g.SourceParams()
	vals := make([][]float32, len(params))
	panics := make([]any, len(params))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				vals[i], panics[i] = initParamSafe(params[i], seed)
			}
		}()
	}
	for i := range params {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, r := range panics {
		if r != nil {
			panic(fmt.Sprintf("initialising %s: %v", params[i].Name, r))
		}
	}
	s := make(Set, len(params))
	for i, p := range params {
		s[p.Name] = vals[i]
	}
	return s
}

// initParamSafe is InitParam for a worker goroutine: a panic there (a
// parameter too large to allocate) would end the process past cli.Main's
// recover, so it is returned, for the caller to raise on its own goroutine.
func initParamSafe(p *ir.Param, seed uint64) (v []float32, panicked any) {
	defer func() { panicked = recover() }()
	return InitParam(p, seed), nil
}

// InitParam returns the initial values of one parameter (see Init).
func InitParam(p *ir.Param, seed uint64) []float32 {
	n := p.Size()
	out := make([]float32, n)
	switch p.Init {
	case ir.InitZeros:
	case ir.InitOnes, ir.InitConst:
		v := float32(1)
		if p.Init == ir.InitConst {
			v = float32(p.InitValue)
		}
		for i := range out {
			out[i] = v
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

// StandardNormal fills out with N(0, 1) values drawn from the stream of
// (seed, name): the generator of Init, for inputs that must be the same on
// every platform (resc run --input random:SEED).
func StandardNormal(out []float32, seed uint64, name string) {
	normal(out, 1, seed, name)
}

// normal fills out with N(0, std²) from the stream of (seed, name).
func normal(out []float32, std float64, seed uint64, name string) {
	r := newStream(seed, name)
	for i := range out {
		out[i] = float32(float64(std * r.standardNormal()))
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

// standardNormal draws one standard normal by Marsaglia and Tsang's
// ziggurat (J. Stat. Softw. 5(8), 2000): the density is covered by 128
// layers of equal area; a random layer and a uniform position in it are
// accepted outright 98.8% of the time, for one 64-bit draw and one multiply,
// which is what makes initialising a 60M-weight model quick. The rest take
// the wedge test or, in the base layer, the tail beyond r.
func (r *stream) standardNormal() float64 {
	for {
		bits := r.next()
		i := bits & 127 // the layer, from the low bits
		// u in [-1, 1), from the top 53 bits, independent of i.
		u := float64(int64(bits>>11)-(1<<52)) * 0x1p-52
		x := float64(u * zigX[i])
		if math.Abs(u) < zigK[i] {
			return x
		}
		if i == 0 {
			return r.normalTail(u < 0)
		}
		// The wedge between the layer's rectangle and the curve.
		y := zigF[i] + float64(r.uniform()*(zigF[i+1]-zigF[i]))
		if y < detExp(float64(-0.5*float64(x*x))) {
			return x
		}
	}
}

// normalTail draws from the normal's tail beyond zigR (Marsaglia 1964).
func (r *stream) normalTail(negative bool) float64 {
	for {
		a := -detLog(1-r.uniform()) / zigR
		b := -detLog(1 - r.uniform())
		if float64(b+b) >= float64(a*a) {
			if negative {
				return -(zigR + a)
			}
			return zigR + a
		}
	}
}

// The ziggurat: zigX[i] is the right edge of layer i (zigX[0] the base
// layer's virtual width v/f(r), zigX[1] = r, zigX[128] = 0), zigF[i] the
// density exp(-x²/2) there, zigK[i] = zigX[i+1]/zigX[i] the share of the
// layer strictly under the curve. Built once with the functions below, so
// they too are the same on every platform.
const (
	zigR = 3.442619855899      // start of the tail
	zigV = 9.91256303526217e-3 // area of each layer
)

var zigX, zigF, zigK = func() (x [129]float64, f [129]float64, k [128]float64) {
	x[1] = zigR
	f[1] = detExp(float64(-0.5 * float64(zigR*zigR)))
	x[0] = zigV / f[1]
	f[0] = 0
	for i := 1; i < 127; i++ {
		x[i+1] = math.Sqrt(-2 * detLog(zigV/x[i]+f[i]))
		f[i+1] = detExp(float64(-0.5 * float64(x[i+1]*x[i+1])))
	}
	x[128], f[128] = 0, 1
	for i := range k {
		k[i] = x[i+1] / x[i]
	}
	return
}()

// detExp is e^x for x ≤ 0, from basic operations: x = k·ln2 + t with
// |t| ≤ ln2/2, e^t by its Taylor series to t^14 (remainder below 1e-17),
// scaled by 2^k exactly.
func detExp(x float64) float64 {
	if x < -745 {
		return 0
	}
	k := math.Floor(float64(x/math.Ln2) + 0.5)
	t := float64(x-float64(k*ln2Hi)) - float64(k*ln2Lo)
	p := 1.0
	for n := 14; n >= 1; n-- {
		p = 1 + float64(float64(t*p)/float64(n))
	}
	return math.Ldexp(p, int(k))
}

// The functions below use only +, -, *, / and exact operations, each
// product rounded explicitly with float64(...) so that no platform may fuse
// it into a multiply-add: their results are the same everywhere, unlike
// math.Log (assembly on amd64) or math.Sincos.

const (
	ln2Hi = 6.93147180369123816490e-01 // ln 2 split so that e*ln2Hi is exact
	ln2Lo = 1.90821492927058770002e-10
)

// detLog is the natural logarithm of x > 0 (finite), accurate to about an
// ulp. It is on the hot path (one call per two weights), so it reduces x
// twice: x = m·2^e with m in [1, 2), then m = c·(1+t) with c = 1 + i/128
// the table point below m, so that log m = log c + 2·atanh(s) with
// s = (m-c)/(m+c), |s| < 1/256, where three series terms leave an error
// below 1e-17. The table holds log c, computed once by logSeries.
func detLog(x float64) float64 {
	m, e := math.Frexp(x) // m in [0.5, 1)
	m *= 2                // exact
	e--
	i := int(float64((m - 1) * 128)) // exact: m-1 has at most 52 fraction bits
	c := 1 + float64(i)/128          // exact
	s := (m - c) / (m + c)
	s2 := float64(s * s)
	p := 1 + float64(s2*(1.0/3+float64(s2*(1.0/5))))
	fe := float64(e)
	return float64(fe*ln2Hi) + (float64(fe*ln2Lo) + (logTable[i] + float64(2*float64(s*p))))
}

// logTable[i] is log(1 + i/128).
var logTable = func() (t [128]float64) {
	for i := range t {
		t[i] = logSeries(1 + float64(i)/128)
	}
	return
}()

// logSeries is log m for m in [1, 2) by the atanh series of
// s = (m-1)/(m+1) to s^17, after reducing m to [√½, √2): slow and accurate
// to a few ulp, it fills logTable.
func logSeries(m float64) float64 {
	e := 0.0
	if m > math.Sqrt2 {
		m /= 2 // exact
		e = 1
	}
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	p := logCoeffs[len(logCoeffs)-1]
	for i := len(logCoeffs) - 2; i >= 0; i-- {
		p = logCoeffs[i] + float64(s2*p)
	}
	return float64(e*ln2Hi) + (float64(e*ln2Lo) + float64(2*float64(s*p)))
}

// logCoeffs are 1/(2k+1): log m = 2s·Σ logCoeffs[k]·s^2k.
var logCoeffs = [...]float64{
	1, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17,
}
