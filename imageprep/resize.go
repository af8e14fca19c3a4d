package imageprep

import "math"

// PIL's fixed point for 8-bit resampling (libImaging/Resample.c).
const precisionBits = 32 - 8 - 2

// A filter is one of PIL's resampling kernels: its support at scale 1 and
// its weight at distance x (libImaging/Resample.c's struct filter).
type filter struct {
	support float64
	weight  func(x float64) float64
}

// triangle is PIL's bilinear_filter.
var triangle = filter{support: 1, weight: func(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}}

// cubic is PIL's bicubic_filter: Keys's cubic convolution with a = -0.5,
// evaluated in the same order of operations as PIL's C (the conversions
// keep Go from fusing a multiply and an add, which would round differently).
var cubic = filter{support: 2, weight: func(x float64) float64 {
	const a = -0.5
	x = math.Abs(x)
	if x < 1 {
		t := float64((a + 2) * x)
		t = float64(float64(t-(a+3)) * x)
		return float64(t*x) + 1
	}
	if x < 2 {
		t := float64(float64(x-5) * x)
		t = float64(float64(t+8) * x)
		return float64(t-4) * a
	}
	return 0
}}

// resizeBilinear is PIL's Image.resize(..., BILINEAR) of an 8-bit image: a
// separable triangle filter whose support grows with the downscaling factor
// (antialiasing), horizontal pass first, each pass rounded back to 8 bits.
func resizeBilinear(img *RGB, w, h int) *RGB { return resample(img, w, h, triangle) }

// resizeBicubic is PIL's Image.resize(..., BICUBIC) of an 8-bit image: the
// same separable passes as resizeBilinear with the cubic kernel (support 2,
// stretched when downscaling), whose negative lobes PIL clips to 0..255.
func resizeBicubic(img *RGB, w, h int) *RGB { return resample(img, w, h, cubic) }

// resample is PIL's ImagingResample for a separable filter: the horizontal
// pass, then the vertical one, each only where that side changes.
func resample(img *RGB, w, h int, f filter) *RGB {
	if img.W == w && img.H == h {
		return img
	}
	if img.W != w {
		img = resampleH(img, w, f)
	}
	if img.H != h {
		img = resampleV(img, h, f)
	}
	return img
}

// coeffs are one axis's resampling weights: output i reads the n = bounds[2i+1]
// inputs from bounds[2i] on, with the fixed-point weights k[i*ksize:].
type coeffs struct {
	ksize  int
	bounds []int
	k      []int64
}

// precompute is PIL's precompute_coeffs and normalize_coeffs_8bpc for
// filter f.
func precompute(inSize, outSize int, f filter) coeffs {
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1)
	support := f.support * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	c := coeffs{ksize: ksize, bounds: make([]int, 2*outSize), k: make([]int64, outSize*ksize)}
	w := make([]float64, ksize)
	for xx := range outSize {
		center := (float64(xx) + 0.5) * scale
		ss := 1 / filterscale
		xmin := int(center - support + 0.5) // C's (int): truncation
		xmin = max(xmin, 0)
		xmax := min(int(center+support+0.5), inSize) - xmin
		ww := 0.0
		for x := range xmax {
			v := f.weight((float64(x+xmin) - center + 0.5) * ss)
			w[x] = v
			ww += v
		}
		k := c.k[xx*ksize : (xx+1)*ksize]
		for x := range xmax {
			v := w[x]
			if ww != 0 {
				v /= ww
			}
			if v < 0 {
				k[x] = int64(-0.5 + float64(v*(1<<precisionBits)))
			} else {
				k[x] = int64(0.5 + float64(v*(1<<precisionBits)))
			}
		}
		c.bounds[2*xx], c.bounds[2*xx+1] = xmin, xmax
	}
	return c
}

// clip8 is PIL's: the fixed-point sum back to 0..255.
func clip8(v int64) uint8 {
	if v >= 1<<precisionBits<<8 {
		return 255
	}
	if v <= 0 {
		return 0
	}
	return uint8(v >> precisionBits)
}

func resampleH(img *RGB, w int, f filter) *RGB {
	c := precompute(img.W, w, f)
	out := newRGB(w, img.H)
	for y := range img.H {
		row := img.Pix[3*y*img.W : 3*(y+1)*img.W]
		dst := out.Pix[3*y*w : 3*(y+1)*w]
		for xx := range w {
			xmin, n := c.bounds[2*xx], c.bounds[2*xx+1]
			k := c.k[xx*c.ksize:]
			var s0, s1, s2 int64 = 1 << (precisionBits - 1), 1 << (precisionBits - 1), 1 << (precisionBits - 1)
			for x := range n {
				p := row[3*(x+xmin):]
				s0 += int64(p[0]) * k[x]
				s1 += int64(p[1]) * k[x]
				s2 += int64(p[2]) * k[x]
			}
			dst[3*xx], dst[3*xx+1], dst[3*xx+2] = clip8(s0), clip8(s1), clip8(s2)
		}
	}
	return out
}

func resampleV(img *RGB, h int, f filter) *RGB {
	c := precompute(img.H, h, f)
	out := newRGB(img.W, h)
	stride := 3 * img.W
	for yy := range h {
		ymin, n := c.bounds[2*yy], c.bounds[2*yy+1]
		k := c.k[yy*c.ksize:]
		dst := out.Pix[yy*stride : (yy+1)*stride]
		for i := range dst {
			var s int64 = 1 << (precisionBits - 1)
			for y := range n {
				s += int64(img.Pix[(y+ymin)*stride+i]) * k[y]
			}
			dst[i] = clip8(s)
		}
	}
	return out
}

// resizeNearest is PIL's Image.resize(..., NEAREST) (ImagingScaleAffine):
// output x reads input floor(x0 + (x+0.5)*in/out), the coordinate advanced
// by repeated addition as PIL does.
func resizeNearest(img *RGB, w, h int) *RGB {
	if img.W == w && img.H == h {
		return img
	}
	xs := nearestIndex(img.W, w)
	ys := nearestIndex(img.H, h)
	out := newRGB(w, h)
	for y, sy := range ys {
		src := img.Pix[3*sy*img.W:]
		dst := out.Pix[3*y*w:]
		for x, sx := range xs {
			copy(dst[3*x:3*x+3], src[3*sx:3*sx+3])
		}
	}
	return out
}

func nearestIndex(inSize, outSize int) []int {
	a := float64(inSize) / float64(outSize)
	idx := make([]int, outSize)
	o := a * 0.5
	for i := range idx {
		// o stays in [0, inSize) up to rounding; clamp as PIL's bounds
		// check would leave such a pixel unfilled.
		idx[i] = min(int(o), inSize-1)
		o += a
	}
	return idx
}

// centerCrop is torchvision's CenterCrop on an image at least w×h: the
// offsets are round((W-w)/2) and round((H-h)/2), rounding half to even
// like Python's round.
func centerCrop(img *RGB, w, h int) *RGB {
	if img.W == w && img.H == h {
		return img
	}
	left := int(math.RoundToEven(float64(img.W-w) / 2))
	top := int(math.RoundToEven(float64(img.H-h) / 2))
	out := newRGB(w, h)
	for y := range h {
		copy(out.Pix[3*y*w:3*(y+1)*w], img.Pix[3*((y+top)*img.W+left):])
	}
	return out
}
