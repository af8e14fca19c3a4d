package native

import "math"

// The reference loops of ops.go's steps, one image (or one group) at a
// time, in float64 where they sum.

// layerNormRef normalises one image x [C][P] over the channels at each of
// its P positions.
func layerNormRef(x, out, gamma, beta []float32, eps float64) {
	ch := len(gamma)
	plane := len(x) / ch
	for p := 0; p < plane; p++ {
		var m float64
		for k := 0; k < ch; k++ {
			m += float64(x[k*plane+p])
		}
		m /= float64(ch)
		var v float64
		for k := 0; k < ch; k++ {
			d := float64(x[k*plane+p]) - m
			v += d * d
		}
		rstd := 1 / math.Sqrt(v/float64(ch)+eps)
		for k := 0; k < ch; k++ {
			out[k*plane+p] = float32((float64(x[k*plane+p])-m)*rstd*float64(gamma[k]) + float64(beta[k]))
		}
	}
}

// groupNormRef normalises one group x of len(gamma) channels over all its
// values, then applies each channel's gamma and beta.
func groupNormRef(x, out, gamma, beta []float32, eps float64) {
	var m float64
	for _, v := range x {
		m += float64(v)
	}
	m /= float64(len(x))
	var variance float64
	for _, v := range x {
		d := float64(v) - m
		variance += d * d
	}
	rstd := 1 / math.Sqrt(variance/float64(len(x))+eps)
	plane := len(x) / len(gamma)
	for i, v := range x {
		k := i / plane
		out[i] = float32((float64(v)-m)*rstd*float64(gamma[k]) + float64(beta[k]))
	}
}

// upsampleRef is nearest upsampling of one plane: out[y][x] =
// in[y/fh][x/fw].
func upsampleRef(in, out []float32, h, w, fh, fw int) {
	ow := w * fw
	for y := 0; y < h*fh; y++ {
		for x := 0; x < ow; x++ {
			out[y*ow+x] = in[(y/fh)*w+x/fw]
		}
	}
}

// radixSoftmaxRef is one image's radix softmax over ch channels of
// len(x)/ch positions each:
//
//	out[(ri·g + gi)·k + ki] = softmax over ri of in[(gi·r + ri)·k + ki]
func radixSoftmaxRef(x, out []float32, ch, r, g int) {
	inner := len(x) / ch
	k := ch / (r * g)
	for p := 0; p < inner; p++ {
		for gi := 0; gi < g; gi++ {
			for ki := 0; ki < k; ki++ {
				m := math.Inf(-1)
				for ri := 0; ri < r; ri++ {
					m = math.Max(m, float64(x[((gi*r+ri)*k+ki)*inner+p]))
				}
				var total float64
				for ri := 0; ri < r; ri++ {
					total += math.Exp(float64(x[((gi*r+ri)*k+ki)*inner+p]) - m)
				}
				for ri := 0; ri < r; ri++ {
					e := math.Exp(float64(x[((gi*r+ri)*k+ki)*inner+p]) - m)
					out[((ri*g+gi)*k+ki)*inner+p] = float32(e / total)
				}
			}
		}
	}
}
