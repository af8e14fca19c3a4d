package ir

import (
	"fmt"
	"math"
	"strings"
)

// Derivations the passes record. Arithmetic is in float64 with one
// rounding to float32 at the end; the explicit conversions keep the
// compiler from fusing a multiply and an add, so that every platform
// computes the same bits.

// derive makes a derived parameter.
func derive(name string, role Role, shape []int, trainable bool, doc string, from []*Param, f func([][]float32) []float32) *Param {
	return &Param{Name: name, Role: role, Shape: shape, Trainable: trainable,
		Derived: &Derivation{From: from, Doc: doc, Compute: f}}
}

// sibling names a parameter next to p: "conv1.weight" → "conv1.bias",
// "conv1_conv/kernel" → "conv1_conv/bias".
func sibling(p *Param, suffix string) string {
	if i := strings.LastIndexAny(p.Name, "./"); i >= 0 {
		return p.Name[:i+1] + suffix
	}
	return p.Name + "." + suffix
}

// layerScaleScaleShift derives scale = γ (as [C]) and shift = 0 from
// layer scale n's γ ([C] or [C,1,1]).
func layerScaleScaleShift(n *Node) (scale, shift *Param) {
	gamma := n.Param(RoleGamma)
	c := []int{channelsOf(n)}
	scale = derive(gamma.Name+".scale", RoleScale, c, gamma.Trainable, gamma.Name, []*Param{gamma},
		func(v [][]float32) []float32 { return append([]float32(nil), v[0]...) })
	shift = derive(gamma.Name+".shift", RoleShift, c, gamma.Trainable, "zeros", []*Param{gamma},
		func(v [][]float32) []float32 { return make([]float32, len(v[0])) })
	return scale, shift
}

// batchNormScaleShift derives scale = γ/√(var+ε) and shift = β − mean·scale
// from batch norm n's parameters; a missing γ is 1, a missing β 0.
func batchNormScaleShift(n *Node) (scale, shift *Param) {
	gamma, beta, mean, variance := n.Param(RoleGamma), n.Param(RoleBeta), n.Param(RoleMean), n.Param(RoleVar)
	if mean == nil || variance == nil {
		panic(fmt.Sprintf("batch norm %s has no running statistics", n.Name))
	}
	eps := n.Attrs.Epsilon
	c := mean.Shape
	// The inputs: variance, mean, then γ and β when present.
	from := []*Param{variance, mean}
	gi, bi := -1, -1
	if gamma != nil {
		gi = len(from)
		from = append(from, gamma)
	}
	if beta != nil {
		bi = len(from)
		from = append(from, beta)
	}
	fold := func(v [][]float32) (scale, shift []float32) {
		var g, b []float32
		if gi >= 0 {
			g = v[gi]
		}
		if bi >= 0 {
			b = v[bi]
		}
		return FoldBatchNorm(g, b, v[1], v[0], eps)
	}
	trainable := gamma != nil && gamma.Trainable || beta != nil && beta.Trainable
	scale = derive(sibling(mean, "scale"), RoleScale, c, trainable, fmt.Sprintf("%s scale (eps %g)", n.Name, eps), from,
		func(v [][]float32) []float32 { s, _ := fold(v); return s })
	shift = derive(sibling(mean, "shift"), RoleShift, c, trainable, fmt.Sprintf("%s shift (eps %g)", n.Name, eps), from,
		func(v [][]float32) []float32 { _, t := fold(v); return t })
	return scale, shift
}

// FoldBatchNorm is inference batch norm as y = x·scale + shift per channel:
// scale = γ/√(var+ε), shift = β − mean·scale, in float64 with one rounding.
// gamma and beta may be nil, for a batch norm without them (1 and 0). The
// passes' derived parameters and the native backend's unfused batch norm
// both compute it here.
func FoldBatchNorm(gamma, beta, mean, variance []float32, eps float64) (scale, shift []float32) {
	scale, shift = make([]float32, len(mean)), make([]float32, len(mean))
	for i := range scale {
		s := 1 / math.Sqrt(float64(variance[i])+eps)
		if gamma != nil {
			s = float64(gamma[i]) * s
		}
		b := 0.0
		if beta != nil {
			b = float64(beta[i])
		}
		scale[i] = float32(s)
		shift[i] = float32(b - float64(float64(mean[i])*s))
	}
	return scale, shift
}

// composeAffine derives the scale and shift of (x·s1 + t1)·s2 + t2.
func composeAffine(s1, t1, s2, t2 *Param, doc string) (scale, shift *Param) {
	from := []*Param{s1, t1, s2, t2}
	trainable := s1.Trainable || t1.Trainable || s2.Trainable || t2.Trainable
	scale = derive(s2.Name, RoleScale, s2.Shape, trainable, doc+" scale", from, func(v [][]float32) []float32 {
		out := make([]float32, len(v[0]))
		for i := range out {
			out[i] = float32(float64(v[0][i]) * float64(v[2][i]))
		}
		return out
	})
	shift = derive(t2.Name, RoleShift, t2.Shape, trainable, doc+" shift", from, func(v [][]float32) []float32 {
		out := make([]float32, len(v[0]))
		for i := range out {
			out[i] = float32(float64(float64(v[1][i])*float64(v[2][i])) + float64(v[3][i]))
		}
		return out
	})
	return scale, shift
}

// foldAfterConv derives the weight and bias of conv n followed by
// y·scale + shift: W'[m] = W[m]·scale[m], b'[m] = b[m]·scale[m] + shift[m].
func foldAfterConv(n *Node, scale, shift *Param, by string) (weight, bias *Param) {
	w, b := n.Param(RoleWeight), n.Param(RoleBias)
	m := n.Attrs.OutChannels
	from := []*Param{w, scale, shift}
	if b != nil {
		from = append(from, b)
	}
	weight = derive(w.Name, RoleWeight, w.Shape, w.Trainable, fmt.Sprintf("%s · %s scale", w.Name, by), from[:2], func(v [][]float32) []float32 {
		out := make([]float32, len(v[0]))
		per := len(out) / m
		for i, x := range v[0] {
			out[i] = float32(float64(x) * float64(v[1][i/per]))
		}
		return out
	})
	name, doc := sibling(w, "bias"), fmt.Sprintf("%s shift", by)
	if b != nil {
		name, doc = b.Name, fmt.Sprintf("%s · %s scale + shift", b.Name, by)
	}
	bias = derive(name, RoleBias, []int{m}, w.Trainable, doc, from[1:], func(v [][]float32) []float32 {
		out := make([]float32, m)
		for i := range out {
			out[i] = v[1][i]
			if len(v) > 2 {
				out[i] = float32(float64(float64(v[2][i])*float64(v[0][i])) + float64(v[1][i]))
			}
		}
		return out
	})
	return weight, bias
}

// foldBeforeConv derives the weight and bias of an unpadded conv n whose
// input is x·scale + shift: W'[m,c] = W[m,c]·scale[c] and
// b'[m] = b[m] + Σ_c,k W[m,c,k]·shift[c], c over m's group.
func foldBeforeConv(n *Node, scale, shift *Param, by string) (weight, bias *Param) {
	w, b := n.Param(RoleWeight), n.Param(RoleBias)
	m, groups := n.Attrs.OutChannels, n.Attrs.Groups
	cg := w.Shape[1]
	taps := n.Attrs.Kernel[0] * n.Attrs.Kernel[1] // w may be [M,C] (LinearWeight)
	channel := func(o, ci int) int { return o/(m/groups)*cg + ci }
	weight = derive(w.Name, RoleWeight, w.Shape, w.Trainable, fmt.Sprintf("%s · %s scale (input side)", w.Name, by), []*Param{w, scale},
		func(v [][]float32) []float32 {
			out := make([]float32, len(v[0]))
			for o := 0; o < m; o++ {
				for ci := 0; ci < cg; ci++ {
					s := float64(v[1][channel(o, ci)])
					for k := 0; k < taps; k++ {
						i := (o*cg+ci)*taps + k
						out[i] = float32(float64(v[0][i]) * s)
					}
				}
			}
			return out
		})
	from := []*Param{w, shift}
	name, doc := sibling(w, "bias"), fmt.Sprintf("%s · %s shift", w.Name, by)
	if b != nil {
		from = append(from, b)
		name, doc = b.Name, fmt.Sprintf("%s + %s · %s shift", b.Name, w.Name, by)
	}
	bias = derive(name, RoleBias, []int{m}, w.Trainable, doc, from, func(v [][]float32) []float32 {
		out := make([]float32, m)
		for o := 0; o < m; o++ {
			acc := 0.0
			if len(v) > 2 {
				acc = float64(v[2][o])
			}
			for ci := 0; ci < cg; ci++ {
				t := float64(v[1][channel(o, ci)])
				for k := 0; k < taps; k++ {
					acc += float64(float64(v[0][(o*cg+ci)*taps+k]) * t)
				}
			}
			out[o] = float32(acc)
		}
		return out
	})
	return weight, bias
}

// concatParams derives the concatenation of ps along their first axis.
func concatParams(name string, ps []*Param) *Param {
	shape := append([]int(nil), ps[0].Shape...)
	shape[0] = 0
	for _, p := range ps {
		shape[0] += p.Shape[0]
	}
	doc := fmt.Sprintf("concat(%s, ..., %s)", ps[0].Name, ps[len(ps)-1].Name)
	return derive(name, ps[0].Role, shape, ps[0].Trainable, doc, ps, func(v [][]float32) []float32 {
		var out []float32
		for _, x := range v {
			out = append(out, x...)
		}
		return out
	})
}

// concatInputs derives the weight of one conv over the concatenation of
// len(ps) inputs from the weights ps [M, d, kh, kw] (or [M, d], see
// LinearWeight) of convs over each: W[m, i·d + j] = ps[i][m, j].
func concatInputs(name string, ps []*Param) *Param {
	s := ps[0].Shape
	m, d, taps := s[0], s[1], 1
	for _, k := range s[2:] {
		taps *= k
	}
	shape := append([]int{m, d * len(ps)}, s[2:]...)
	doc := fmt.Sprintf("concat_inputs(%s, ..., %s)", ps[0].Name, ps[len(ps)-1].Name)
	return derive(name, RoleWeight, shape, ps[0].Trainable, doc, ps, func(v [][]float32) []float32 {
		out := make([]float32, m*d*len(v)*taps)
		for i, x := range v {
			for o := 0; o < m; o++ {
				copy(out[(o*d*len(v)+i*d)*taps:(o*d*len(v)+(i+1)*d)*taps], x[o*d*taps:(o+1)*d*taps])
			}
		}
		return out
	})
}

// sumParams derives the elementwise sum of ps.
func sumParams(name string, ps []*Param) *Param {
	doc := fmt.Sprintf("sum(%s, ..., %s)", ps[0].Name, ps[len(ps)-1].Name)
	return derive(name, ps[0].Role, ps[0].Shape, ps[0].Trainable, doc, ps, func(v [][]float32) []float32 {
		out := make([]float32, len(v[0]))
		for i := range out {
			acc := 0.0
			for _, x := range v {
				acc += float64(x[i])
			}
			out[i] = float32(acc)
		}
		return out
	})
}
