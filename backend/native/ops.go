package native

import (
	"fmt"
	"math"

	"github.com/resc-dev/resc/ir"
)

// The steps of the ops beyond ResNets' own: channel concatenation and
// slicing, the normalisations over channels and groups, nearest
// upsampling, layer scale, space-to-depth and split attention's radix
// softmax. Each has a plain reference (opsref.go) where its fast path
// differs from it.

// newOpStep compiles the ops of this file; it returns nil, nil for the
// others.
func (c *builder) newOpStep(n *ir.Node, in []*tensor, out *tensor, ps map[ir.Role][]float32) (step, error) {
	threads := c.p.threads
	ref := c.opts.reference
	a := &n.Attrs
	x := in[0]
	switch n.Op {
	case ir.OpConcat:
		s := &concatStep{out: out}
		shift := 0
		for _, x := range in {
			if x.buf == nil || x.buf != out.buf {
				// Not written in place by its producer (concatInPlace).
				s.in, s.shift = append(s.in, x), append(s.shift, shift)
			}
			shift += x.elems
		}
		return s, nil
	case ir.OpSlice:
		return &sliceStep{x: x, out: out, begin: a.Begin}, nil
	case ir.OpLayerNorm:
		gamma, beta, err := normParams(a, ps, x.shape[1])
		if err != nil {
			return nil, err
		}
		s := &layerNormStep{x: x, out: out, gamma: gamma, beta: beta, eps: a.Epsilon, threads: threads, ref: ref}
		c.needScratch(s.scratch())
		return s, nil
	case ir.OpGroupNorm:
		gamma, beta, err := normParams(a, ps, x.shape[1])
		if err != nil {
			return nil, err
		}
		return &groupNormStep{x: x, out: out, gamma: gamma, beta: beta, eps: a.Epsilon, groups: a.Groups, ref: ref}, nil
	case ir.OpUpsample:
		if a.Size != [2]int{} {
			return newResizeStep(x, out, a.Size, threads, ref), nil
		}
		return &upsampleStep{rows: newRows(x, threads), x: x, out: out, fh: a.Factor[0], fw: a.Factor[1], ref: ref}, nil
	case ir.OpChannelScale:
		g := ps[ir.RoleGamma]
		if len(g) != x.shape[1] {
			return nil, fmt.Errorf("gamma has %d values for %d channels", len(g), x.shape[1])
		}
		return &channelScaleStep{rows: newRows(x, threads), x: x, out: out, gamma: clone(g)}, nil
	case ir.OpSpaceToDepth:
		return &spaceToDepthStep{x: x, out: out, block: a.Block}, nil
	case ir.OpRadixSoftmax:
		return &radixSoftmaxStep{x: x, out: out, radix: a.Radix, groups: a.Groups}, nil
	}
	return nil, nil
}

// normParams are a LayerNorm's or GroupNorm's gamma and beta for ch
// channels, ones and zeros where the attributes leave them out.
func normParams(a *ir.Attrs, ps map[ir.Role][]float32, ch int) (gamma, beta []float32, err error) {
	get := func(role ir.Role, has bool, fill float32) ([]float32, error) {
		v := ps[role]
		if has != (v != nil) || v != nil && len(v) != ch {
			return nil, fmt.Errorf("%s does not match the attributes and the %d channels", role, ch)
		}
		if v == nil {
			v = make([]float32, ch)
			for i := range v {
				v[i] = fill
			}
			return v, nil
		}
		return clone(v), nil
	}
	if gamma, err = get(ir.RoleGamma, a.Scale, 1); err != nil {
		return nil, nil, err
	}
	if beta, err = get(ir.RoleBeta, a.Center, 0); err != nil {
		return nil, nil, err
	}
	return gamma, beta, nil
}

// A concatStep copies the inputs their producers did not write in place
// (concatInPlace) into their part of each image of its output: input i at
// shift[i]. Tasks are (image, copied input) pairs; with none to copy, it
// does nothing.
type concatStep struct {
	in    []*tensor
	shift []int
	out   *tensor
}

func (s *concatStep) tasks(c *execCtx) int { return c.batch * len(s.in) }

func (s *concatStep) run(c *execCtx, _, task int) {
	b, i := task/len(s.in), task%len(s.in)
	copy(c.image(s.out, b)[s.shift[i]:], c.image(s.in[i], b))
}

func (s *concatStep) imageTasks() int { return len(s.in) }

// A sliceStep copies channels [begin, begin+C') of each image, one
// contiguous stretch per image. Tasks are images.
type sliceStep struct {
	x, out *tensor
	begin  int
}

func (s *sliceStep) tasks(c *execCtx) int { return c.batch }

func (s *sliceStep) run(c *execCtx, _, b int) {
	plane := s.x.elems / s.x.shape[1]
	copy(c.image(s.out, b), c.image(s.x, b)[s.begin*plane:])
}

func (s *sliceStep) imageTasks() int { return 1 }

// A layerNormStep normalises over the channels at each position of each
// image (ConvNeXt's LayerNorm2d; a plain LayerNorm on [N,C]):
//
//	out[c][p] = (x[c][p] − mean_p)/sqrt(var_p + eps)·gamma[c] + beta[c]
//
// with the mean and biased variance over c. The fast path takes a block
// of positions at a time and runs along the channels' planes, so every
// inner loop is stride 1; it sums in float32 per position, the reference
// in float64. Tasks are (image, block of positions).
type layerNormStep struct {
	x, out      *tensor
	gamma, beta []float32
	eps         float64
	threads     int
	ref         bool
}

// lnBlock is the positions a layer-norm task takes at most: its sums and
// the planes' stretches stay in cache.
const lnBlock = 256

func (s *layerNormStep) plane() int { return s.x.elems / s.x.shape[1] }

func (s *layerNormStep) blocks() int { return (s.plane() + lnBlock - 1) / lnBlock }

func (s *layerNormStep) scratch() int { return 2 * lnBlock }

func (s *layerNormStep) tasks(c *execCtx) int {
	if s.ref {
		return c.batch
	}
	return c.batch * s.blocks()
}

func (s *layerNormStep) imageTasks() int {
	if s.ref {
		return 1
	}
	return s.blocks()
}

func (s *layerNormStep) run(c *execCtx, worker, task int) {
	if s.ref {
		layerNormRef(c.image(s.x, task), c.image(s.out, task), s.gamma, s.beta, s.eps)
		return
	}
	b, blk := task/s.blocks(), task%s.blocks()
	plane, ch := s.plane(), len(s.gamma)
	lo, hi := blk*lnBlock, min(plane, (blk+1)*lnBlock)
	x, out := c.image(s.x, b), c.image(s.out, b)
	n := hi - lo
	mean, rstd := c.scratch[worker][:n], c.scratch[worker][lnBlock:lnBlock+n]
	lnStats(x[lo:], plane, ch, mean, rstd)
	lnRstd(rstd, s.eps)
	// out may be x: each value is read before it is written.
	for k := 0; k < ch; k++ {
		lnApply(out[k*plane+lo:k*plane+hi], x[k*plane+lo:k*plane+hi], mean, rstd, s.gamma[k], s.beta[k])
	}
}

// A groupNormStep normalises each group of channels of each image over
// the group's channels and positions, one contiguous stretch, then
// scales and shifts per channel. Tasks are (image, group).
type groupNormStep struct {
	x, out      *tensor
	gamma, beta []float32
	eps         float64
	groups      int
	ref         bool
}

func (s *groupNormStep) tasks(c *execCtx) int { return c.batch * s.groups }

func (s *groupNormStep) run(c *execCtx, _, task int) {
	b, grp := task/s.groups, task%s.groups
	size := s.x.elems / s.groups
	x := c.image(s.x, b)[grp*size : (grp+1)*size]
	out := c.image(s.out, b)[grp*size : (grp+1)*size]
	per := len(s.gamma) / s.groups
	gamma, beta := s.gamma[grp*per:(grp+1)*per], s.beta[grp*per:(grp+1)*per]
	if s.ref {
		groupNormRef(x, out, gamma, beta, s.eps)
		return
	}
	mean := sum(x) / float64(len(x))
	var v0, v1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		d0, d1 := float64(x[i])-mean, float64(x[i+1])-mean
		v0 += d0 * d0
		v1 += d1 * d1
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - mean
		v0 += d * d
	}
	rstd := 1 / math.Sqrt((v0+v1)/float64(len(x))+s.eps)
	plane := size / per
	for k := range per {
		// y = x·(rstd·gamma) + (beta − mean·rstd·gamma), folded per channel.
		sc := rstd * float64(gamma[k])
		sc32, sh32 := float32(sc), float32(float64(beta[k])-mean*sc)
		dst := out[k*plane : (k+1)*plane]
		for j, v := range x[k*plane : (k+1)*plane] {
			dst[j] = v*sc32 + sh32
		}
	}
}

func (s *groupNormStep) imageTasks() int { return s.groups }

// An upsampleStep repeats each value fh times down and fw times across.
// Its rows are the input's channel planes; the fast path builds each
// output row once and copies it fh−1 times.
type upsampleStep struct {
	rows
	x, out *tensor
	fh, fw int
	ref    bool
}

func (s *upsampleStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	h, w := s.x.shape[2], s.x.shape[3]
	ow := w * s.fw
	oplane := h * s.fh * ow
	x, out := c.image(s.x, b), c.image(s.out, b)
	for r := lo; r < hi; r++ {
		src, dst := x[r*h*w:(r+1)*h*w], out[r*oplane:(r+1)*oplane]
		if s.ref {
			upsampleRef(src, dst, h, w, s.fh, s.fw)
			continue
		}
		for y := 0; y < h; y++ {
			in := src[y*w : (y+1)*w]
			row := dst[y*s.fh*ow : (y*s.fh+1)*ow]
			if s.fw == 2 {
				for i, v := range in {
					row[2*i], row[2*i+1] = v, v
				}
			} else {
				for i, v := range in {
					seg := row[i*s.fw : (i+1)*s.fw]
					for j := range seg {
						seg[j] = v
					}
				}
			}
			for k := 1; k < s.fh; k++ {
				copy(dst[(y*s.fh+k)*ow:(y*s.fh+k+1)*ow], row)
			}
		}
	}
}

// A channelScaleStep is layer scale, x·gamma[c]. Its rows are channels.
type channelScaleStep struct {
	rows
	x, out *tensor
	gamma  []float32
}

func (s *channelScaleStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	x, out := c.image(s.x, b), c.image(s.out, b)
	ch := len(s.gamma)
	for r := lo; r < hi; r++ {
		scaleRow(out[r*s.length:(r+1)*s.length], x[r*s.length:(r+1)*s.length], s.gamma[r%ch], nil)
	}
}

// A spaceToDepthStep moves b×b blocks of pixels into channels in ONNX's
// order: out[(i·b + j)·C + c][y][x] = in[c][y·b + i][x·b + j]. Tasks are
// (image, output channel).
type spaceToDepthStep struct {
	x, out *tensor
	block  int
}

func (s *spaceToDepthStep) tasks(c *execCtx) int { return c.batch * s.out.shape[1] }

func (s *spaceToDepthStep) run(c *execCtx, _, task int) {
	co := s.out.shape[1]
	b, oc := task/co, task%co
	ch, h, w := s.x.shape[1], s.x.shape[2], s.x.shape[3]
	bl := s.block
	i, j, ci := oc/ch/bl, oc/ch%bl, oc%ch
	oh, ow := h/bl, w/bl
	src := c.image(s.x, b)[ci*h*w : (ci+1)*h*w]
	dst := c.image(s.out, b)[oc*oh*ow : (oc+1)*oh*ow]
	for y := 0; y < oh; y++ {
		row := src[(y*bl+i)*w+j:]
		d := dst[y*ow : (y+1)*ow]
		for x := range d {
			d[x] = row[x*bl]
		}
	}
}

func (s *spaceToDepthStep) imageTasks() int { return s.out.shape[1] }

// A radixSoftmaxStep is split attention's softmax: at each position, the
// channels read as [groups, radix, k] are softmaxed over the radix and
// written as [radix, groups, k]. Tasks are images.
type radixSoftmaxStep struct {
	x, out        *tensor
	radix, groups int
}

func (s *radixSoftmaxStep) tasks(c *execCtx) int { return c.batch }

func (s *radixSoftmaxStep) run(c *execCtx, _, b int) {
	radixSoftmaxRef(c.image(s.x, b), c.image(s.out, b), s.x.shape[1], s.radix, s.groups)
}

func (s *radixSoftmaxStep) imageTasks() int { return 1 }
