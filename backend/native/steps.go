package native

import (
	"fmt"
	"math"

	"github.com/resc-dev/resc/ir"
)

// step compiles node n, whose inputs are in and output out, with its
// parameters ps.
func (c *builder) step(n *ir.Node, in []*tensor, out *tensor, ps map[ir.Role][]float32) (step, error) {
	threads := c.p.threads
	ref := c.opts.reference
	a := &n.Attrs
	x := in[0]
	switch n.Op {
	case ir.OpConv:
		if len(x.shape) != 4 {
			return nil, fmt.Errorf("input of shape %v, want [N,C,H,W]", x.shape)
		}
		win := windowOf(x.shape, n.Shape, a)
		w := ps[ir.RoleWeight]
		if want := win.M * win.C / win.G * win.KH * win.KW; len(w) != want {
			return nil, fmt.Errorf("weight has %d values, want %d", len(w), want)
		}
		ep, err := convEpilogue(a, in, ps, win.M)
		if err != nil {
			return nil, err
		}
		s, scratch := convStepFor(win, x, out, w, ep, threads, ref, c.opts.winograd, ep.res != nil && out.buf != nil && out.buf == ep.res.buf)
		c.needScratch(scratch)
		return s, nil
	case ir.OpBatchNorm, ir.OpScaleShift:
		if len(x.shape) < 2 {
			return nil, fmt.Errorf("input of shape %v has no channel axis", x.shape)
		}
		ch := x.shape[1]
		var scale, shift []float32
		var err error
		if n.Op == ir.OpBatchNorm {
			scale, shift, err = foldBatchNorm(a, ps, ch)
		} else {
			scale, shift, err = scaleShift(ps, ch)
		}
		if err != nil {
			return nil, err
		}
		ep := epilogue{scale: scale, shift: shift, act: a.Act, alpha: float32(a.Alpha)}
		return &bnStep{rows: newRows(x, threads), x: x, out: out, ep: ep, ch: ch}, nil
	case ir.OpRelu, ir.OpSigmoid, ir.OpSilu, ir.OpHardSwish, ir.OpHardSigmoid, ir.OpRelu6, ir.OpGelu, ir.OpLeakyRelu, ir.OpTanh:
		act, _ := ir.ActOf(n.Op)
		return &actStep{rows: newRows(x, threads), x: x, out: out, act: act, alpha: float32(a.Alpha), ref: ref}, nil
	case ir.OpAdd:
		return &addStep{rows: newRows(x, threads), in: in, out: out, act: a.Act, alpha: float32(a.Alpha)}, nil
	case ir.OpMul:
		s := &mulStep{rows: newRows(x, threads), x: x, gate: in[1], out: out, act: a.Act, alpha: float32(a.Alpha),
			elementwise: x.shape.Equal(in[1].shape)}
		if a.Residual {
			s.res = in[2]
		}
		return s, nil
	case ir.OpMaxPool, ir.OpAvgPool:
		s := &poolStep{win: windowOf(x.shape, n.Shape, a), in: x, out: out, isMax: n.Op == ir.OpMaxPool,
			countPad: a.CountIncludePad, ref: ref}
		c.needScratch(s.scratch())
		return s, nil
	case ir.OpGlobalAvgPool, ir.OpGlobalMaxPool:
		return &globalPoolStep{rows: newRows(x, threads), x: x, out: out, isMax: n.Op == ir.OpGlobalMaxPool}, nil
	case ir.OpGemm:
		k, m := x.shape[1], a.OutChannels
		w := ps[ir.RoleWeight]
		if len(w) != m*k {
			return nil, fmt.Errorf("weight has %d values, want %d", len(w), m*k)
		}
		bias := ps[ir.RoleBias]
		if a.Bias != (bias != nil) || bias != nil && len(bias) != m {
			return nil, fmt.Errorf("bias does not match the attributes")
		}
		return &fcStep{x: x, out: out, w: clone(w), bias: clone(bias), k: k, m: m,
			blocks: split(m, 4*threads, 16), ref: ref}, nil
	case ir.OpSoftmax:
		if len(x.shape) < 2 {
			return nil, fmt.Errorf("input of shape %v has no axis 1", x.shape)
		}
		return &softmaxStep{x: x, out: out}, nil
	case ir.OpPad:
		if len(x.shape) != 4 {
			return nil, fmt.Errorf("input of shape %v, want [N,C,H,W]", x.shape)
		}
		return &padStep{rows: newRows(x, threads), x: x, out: out, pads: a.Pads}, nil
	case ir.OpSubsamplePad:
		return &subsampleStep{x: x, out: out, stride: a.Strides, before: a.ChannelPads[0]}, nil
	case ir.OpChannelConv:
		w := ps[ir.RoleWeight]
		if len(w) != a.Kernel[0] {
			return nil, fmt.Errorf("weight has %d values, want %d", len(w), a.Kernel[0])
		}
		return &channelConvStep{x: x, out: out, w: clone(w)}, nil
	}
	if s, err := c.newOpStep(n, in, out, ps); s != nil || err != nil {
		return s, err
	}
	return nil, fmt.Errorf("op %s is not supported by the native backend", n.Op)
}

// A convPath is the kind of step a convolution compiles to.
type convPath int

const (
	pathDepthwise convPath = iota
	pathReference
	pathGemv
	pathWinograd
	pathTap
	pathPixelMajor
	pathGemm
)

// chooseConvPath picks the step for a convolution of geometry win:
// depthwise, matrix-vector, Winograd where allowed, grouped or strided by
// tap offsets, pixel-major GEMM on small maps, or GEMM.
func chooseConvPath(win *window, ref bool, wino winoMode) convPath {
	switch {
	case win.C == win.G:
		return pathDepthwise
	case ref:
		return pathReference
	case gemvApplies(win):
		return pathGemv
	case wino.use(win):
		return pathWinograd
	case tapConvApplies(win):
		// Before the pixel-major path: on the grouped convolutions both
		// take, the tap path was the faster (BenchmarkConv, 32-channel
		// groups at 7×7: 72 GFLOP/s against 51–61; 14 → 7 at stride 2:
		// 62 against 34).
		return pathTap
	}
	if _, _, ok := choosePixelKernel(win, active); ok {
		return pathPixelMajor
	}
	return pathGemm
}

// convStepFor is the step that runs a convolution of geometry win (see
// chooseConvPath) and the scratch each worker needs for it. overRes says
// that its output is its residual's buffer (residualInPlace).
func convStepFor(win window, in, out *tensor, w []float32, ep epilogue, threads int, ref bool, wino winoMode, overRes bool) (step, int) {
	switch chooseConvPath(&win, ref, wino) {
	case pathDepthwise:
		s := newDwStep(win, in, out, w, ep, ref)
		return s, s.scratch()
	case pathGemv:
		return newGemvStep(win, in, out, w, ep, threads), 0
	case pathWinograd:
		s := newWinoStep(win, in, out, w, ep, threads)
		return s, s.scratch()
	case pathTap:
		s := newTapConvStep(win, in, out, w, ep, threads)
		return s, s.scratch()
	case pathPixelMajor:
		pk, tail, _ := choosePixelKernel(&win, active)
		s := newConvTStep(win, in, out, w, ep, threads, pk, tail)
		return s, s.scratch()
	}
	s := newConvStep(win, in, out, w, ep, threads, ref)
	if overRes {
		s.overRes = true
		s.fin = tileFinish{ep: &s.ep, bias: ep.bias, relu: ep.act == ir.ActRelu}
		if s.fin.bias == nil {
			s.fin.bias = make([]float32, win.M)
		}
	}
	return s, s.scratch()
}

// clone copies v; nil stays nil.
func clone(v []float32) []float32 {
	if v == nil {
		return nil
	}
	return append([]float32(nil), v...)
}

// convEpilogue collects a convolution's epilogue from its attributes, its
// inputs (the residual is the last) and its parameters, for m output
// channels. It copies the parameters.
func convEpilogue(a *ir.Attrs, in []*tensor, ps map[ir.Role][]float32, m int) (epilogue, error) {
	ep := epilogue{bias: ps[ir.RoleBias], scale: ps[ir.RoleScale], shift: ps[ir.RoleShift], act: a.Act, alpha: float32(a.Alpha)}
	if a.Bias != (ep.bias != nil) || ep.bias != nil && len(ep.bias) != m {
		return ep, fmt.Errorf("bias does not match the attributes")
	}
	if a.PostAffine != (ep.scale != nil && ep.shift != nil) || ep.scale != nil && (len(ep.scale) != m || len(ep.shift) != m) {
		return ep, fmt.Errorf("post-affine scale and shift do not match the attributes")
	}
	if a.Residual {
		ep.res = in[len(in)-1]
	}
	ep.bias, ep.scale, ep.shift = clone(ep.bias), clone(ep.scale), clone(ep.shift)
	return ep, nil
}

// scaleShift copies a ScaleShift's parameters, checking them against its
// ch channels.
func scaleShift(ps map[ir.Role][]float32, ch int) (scale, shift []float32, err error) {
	scale, shift = ps[ir.RoleScale], ps[ir.RoleShift]
	if len(scale) != ch || len(shift) != ch {
		return nil, nil, fmt.Errorf("scale and shift have %d and %d values for %d channels", len(scale), len(shift), ch)
	}
	return clone(scale), clone(shift), nil
}

// foldBatchNorm turns inference batch norm into y = x·scale + shift per
// channel (ir.FoldBatchNorm), after checking its parameters.
func foldBatchNorm(a *ir.Attrs, ps map[ir.Role][]float32, ch int) (scale, shift []float32, err error) {
	get := func(role ir.Role, need bool, fill float32) ([]float32, error) {
		v := ps[role]
		if v == nil {
			if need {
				return nil, fmt.Errorf("batch norm has no %s", role)
			}
			v = make([]float32, ch)
			for i := range v {
				v[i] = fill
			}
		}
		if len(v) != ch {
			return nil, fmt.Errorf("batch norm %s has %d values for %d channels", role, len(v), ch)
		}
		return v, nil
	}
	gamma, err := get(ir.RoleGamma, a.Scale, 1)
	if err != nil {
		return nil, nil, err
	}
	beta, err := get(ir.RoleBeta, a.Center, 0)
	if err != nil {
		return nil, nil, err
	}
	mean, err := get(ir.RoleMean, true, 0)
	if err != nil {
		return nil, nil, err
	}
	variance, err := get(ir.RoleVar, true, 1)
	if err != nil {
		return nil, nil, err
	}
	scale, shift = ir.FoldBatchNorm(gamma, beta, mean, variance, a.Epsilon)
	return scale, shift, nil
}

// rows splits a tensor into rows, one per image and channel (dimension 1),
// and each image's rows into tasks of at least minTask values.
type rows struct {
	perImage, length, threads int
}

const minTask = 8192

func newRows(x *tensor, threads int) rows {
	per := 1
	if len(x.shape) > 1 {
		per = x.shape[1]
	}
	return rows{perImage: per, length: x.elems / per, threads: threads}
}

// parts is how many tasks one image's rows split into.
func (r *rows) parts() int {
	return split(r.perImage, 4*r.threads, (minTask+r.length-1)/r.length)
}

func (r *rows) tasks(c *execCtx) int { return c.batch * r.parts() }

func (r *rows) imageTasks() int { return r.parts() }

// bounds is task's image and its range of rows in that image.
func (r *rows) bounds(task int) (b, lo, hi int) {
	k := r.parts()
	lo, hi = part(r.perImage, k, task%k)
	return task / k, lo, hi
}

// A bnStep is a BatchNorm, folded, or a ScaleShift: an epilogue of a
// per-channel scale and shift and maybe an activation, on its own.
type bnStep struct {
	rows
	x, out *tensor
	ep     epilogue // no bias, no residual
	ch     int
}

func (s *bnStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	x, out := c.image(s.x, b), c.image(s.out, b)
	for r := lo; r < hi; r++ {
		s.ep.apply(out[r*s.length:(r+1)*s.length], x[r*s.length:(r+1)*s.length], nil, r%s.ch)
	}
}

// An addStep sums its inputs, of equal shapes, in order, and applies its
// activation.
type addStep struct {
	rows
	in    []*tensor
	out   *tensor
	act   ir.Act
	alpha float32
}

func (s *addStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	lo, hi = lo*s.length, hi*s.length
	out := c.image(s.out, b)[lo:hi]
	x0, x1 := c.image(s.in[0], b)[lo:hi], c.image(s.in[1], b)[lo:hi]
	switch {
	case len(s.in) == 2:
		addRow(out, x0, x1)
	default:
		// Every input is read before out, which may be one of them, is
		// written.
		for i := range out {
			v := x0[i] + x1[i]
			for _, t := range s.in[2:] {
				v += c.image(t, b)[lo+i]
			}
			out[i] = v
		}
	}
	activate(out, out, s.act, s.alpha)
}

// A mulStep multiplies x [N,C,H,W] by a gate [N,C,1,1], or elementwise
// by a tensor of its shape, adds the residual when there is one and
// applies its activation:
//
//	out = act(x·gate + res)
type mulStep struct {
	rows
	x, gate, res, out *tensor // res nil when none
	act               ir.Act
	alpha             float32
	elementwise       bool // gate has x's shape
}

func (s *mulStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	x, gate, out := c.image(s.x, b), c.image(s.gate, b), c.image(s.out, b)
	var res []float32
	if s.res != nil {
		res = c.image(s.res, b)
	}
	for r := lo; r < hi; r++ {
		src := x[r*s.length : (r+1)*s.length]
		dst := out[r*s.length : (r+1)*s.length]
		var add []float32
		if res != nil {
			add = res[r*s.length : (r+1)*s.length]
		}
		if s.elementwise {
			mulRow(dst, src, gate[r*s.length:(r+1)*s.length], add)
		} else {
			scaleRow(dst, src, gate[r], add)
		}
		activate(dst, dst, s.act, s.alpha)
	}
}

// mulRow is dst[i] = src[i]·g[i] (+ add[i] unless add is nil), rounded
// as scaleRow is.
func mulRow(dst, src, g, add []float32) {
	g = g[:len(src)]
	if add == nil {
		for i, v := range src {
			dst[i] = v * g[i]
		}
		return
	}
	add = add[:len(src)]
	for i, v := range src {
		dst[i] = float32(v*g[i]) + add[i]
	}
}

type globalPoolStep struct {
	rows
	x, out *tensor
	isMax  bool
}

func (s *globalPoolStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	x, out := c.image(s.x, b), c.image(s.out, b)
	for r := lo; r < hi; r++ {
		src := x[r*s.length : (r+1)*s.length]
		if s.isMax {
			m := float32(math.Inf(-1))
			for _, v := range src {
				m = max(m, v)
			}
			out[r] = m
			continue
		}
		out[r] = float32(sum(src) / float64(len(src)))
	}
}

// A softmaxStep is a softmax over axis 1, for each position of the axes
// after it. Tasks are images.
type softmaxStep struct {
	x, out *tensor
}

func (s *softmaxStep) tasks(c *execCtx) int { return c.batch }

func (s *softmaxStep) run(c *execCtx, _, b int) {
	x, out := c.image(s.x, b), c.image(s.out, b)
	n := s.x.shape[1]
	inner := s.x.elems / n
	for j := 0; j < inner; j++ {
		m := float32(math.Inf(-1))
		for i := 0; i < n; i++ {
			m = max(m, x[i*inner+j])
		}
		var total float64
		for i := 0; i < n; i++ {
			e := math.Exp(float64(x[i*inner+j] - m))
			out[i*inner+j] = float32(e)
			total += e
		}
		for i := 0; i < n; i++ {
			out[i*inner+j] = float32(float64(out[i*inner+j]) / total)
		}
	}
}

func (s *softmaxStep) imageTasks() int { return 1 }

// A padStep pads H and W with zeros; its rows are the input's.
type padStep struct {
	rows
	x, out *tensor
	pads   [4]int // top, left, bottom, right
}

func (s *padStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	h, w := s.x.shape[2], s.x.shape[3]
	ow := w + s.pads[1] + s.pads[3]
	oplane := (h + s.pads[0] + s.pads[2]) * ow
	x, out := c.image(s.x, b), c.image(s.out, b)
	for r := lo; r < hi; r++ {
		src := x[r*h*w : (r+1)*h*w]
		dst := out[r*oplane : (r+1)*oplane]
		clear(dst[:s.pads[0]*ow])
		for y := 0; y < h; y++ {
			row := dst[(s.pads[0]+y)*ow : (s.pads[0]+y+1)*ow]
			clear(row[:s.pads[1]])
			copy(row[s.pads[1]:], src[y*w:(y+1)*w])
			clear(row[s.pads[1]+w:])
		}
		clear(dst[(s.pads[0]+h)*ow:])
	}
}

// A subsampleStep is the option-A shortcut: every stride-th row and column,
// zero channels before and after. Tasks are (image, output channel).
type subsampleStep struct {
	x, out *tensor
	stride [2]int
	before int
}

func (s *subsampleStep) tasks(c *execCtx) int { return c.batch * s.out.shape[1] }

func (s *subsampleStep) run(c *execCtx, _, task int) {
	co := s.out.shape[1]
	b, ch := task/co, task%co
	oh, ow := s.out.shape[2], s.out.shape[3]
	dst := c.image(s.out, b)[ch*oh*ow : (ch+1)*oh*ow]
	ci := ch - s.before
	if ci < 0 || ci >= s.x.shape[1] {
		clear(dst)
		return
	}
	h, w := s.x.shape[2], s.x.shape[3]
	src := c.image(s.x, b)[ci*h*w : (ci+1)*h*w]
	for y := 0; y < oh; y++ {
		row := src[y*s.stride[0]*w:]
		d := dst[y*ow : (y+1)*ow]
		for x := range d {
			d[x] = row[x*s.stride[1]]
		}
	}
}

func (s *subsampleStep) imageTasks() int { return s.out.shape[1] }

// A channelConvStep is ECA's 1-D convolution across the channels of
// [N,C,1,1], zero-padded by (k−1)/2 on both sides:
//
//	out[c] = Σ_j w[j]·x[c+j−(k−1)/2]
type channelConvStep struct {
	x, out *tensor
	w      []float32
}

func (s *channelConvStep) tasks(c *execCtx) int { return c.batch }

func (s *channelConvStep) run(c *execCtx, _, b int) {
	x, out := c.image(s.x, b), c.image(s.out, b)
	half := (len(s.w) - 1) / 2
	for ch := range out {
		var v float32
		for j, wv := range s.w {
			if i := ch + j - half; i >= 0 && i < len(x) {
				v += wv * x[i]
			}
		}
		out[ch] = v
	}
}

func (s *channelConvStep) imageTasks() int { return 1 }

// taskOutputs is about the fewest output values a task of a step that
// works channel by channel (depthwise convolutions, pools) computes: small
// planes go a few channels a task, so that taking a task costs little
// next to its work.
const taskOutputs = 2048

// channelsPerTask is the channels of one such task, of channels planes of
// plane outputs each.
func channelsPerTask(channels, plane int) int { return max(1, min(channels, taskOutputs/plane)) }

// A poolStep is a max or average pool. Tasks are (image, block of
// channelsPerTask channels).
type poolStep struct {
	win             window
	in, out         *tensor
	isMax, countPad bool
	ref             bool
}

func (s *poolStep) tasks(c *execCtx) int {
	if s.ref {
		return c.batch
	}
	return c.batch * s.imageTasks()
}

func (s *poolStep) imageTasks() int {
	if s.ref {
		return 1
	}
	per := channelsPerTask(s.win.C, s.win.OH*s.win.OW)
	return (s.win.C + per - 1) / per
}

// scratch is the floats of scratch a worker needs: a max pool's rows.
func (s *poolStep) scratch() int {
	if s.ref || !s.isMax {
		return 0
	}
	return poolScratch(&s.win)
}

func (s *poolStep) run(c *execCtx, worker, task int) {
	if s.ref {
		poolRef(&s.win, s.isMax, s.countPad, c.image(s.in, task), c.image(s.out, task))
		return
	}
	g := &s.win
	per := channelsPerTask(g.C, g.OH*g.OW)
	blocks := (g.C + per - 1) / per
	b, ch0 := task/blocks, task%blocks*per
	for ch := ch0; ch < min(g.C, ch0+per); ch++ {
		in := c.image(s.in, b)[ch*g.H*g.W : (ch+1)*g.H*g.W]
		out := c.image(s.out, b)[ch*g.OH*g.OW : (ch+1)*g.OH*g.OW]
		poolPlane(g, s.isMax, s.countPad, in, out, c.scratch[worker])
	}
}

// An fcStep is a fully connected layer. Tasks are blocks of output
// features, each for every image, so a weight row is read once per batch.
type fcStep struct {
	x, out  *tensor
	w, bias []float32 // w [m][k]; bias nil when none
	k, m    int
	blocks  int
	ref     bool
}

func (s *fcStep) tasks(c *execCtx) int {
	if s.ref {
		return c.batch
	}
	return s.blocks
}

// imageTasks is 0: a task computes its block of features for every image,
// so that each weight row is read once per batch.
func (s *fcStep) imageTasks() int { return 0 }

func (s *fcStep) run(c *execCtx, _, task int) {
	if s.ref {
		fcRef(s.w, s.bias, c.image(s.x, task), c.image(s.out, task))
		return
	}
	// Blocks start at multiples of four: fcRows sums rows four at a time
	// from lo with the instruction set's dot4, and a row's rounding must
	// not depend on the thread count's blocks.
	lo, hi := part(s.m, s.blocks, task)
	lo, hi = lo&^3, hi&^3
	if task == s.blocks-1 {
		hi = s.m
	}
	for b := range c.batch {
		fcRows(s.w[lo*s.k:hi*s.k], s.bias, c.image(s.x, b)[:s.k], c.image(s.out, b), lo, hi)
	}
}
