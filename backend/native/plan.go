package native

import (
	"fmt"
	"sort"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// A tensor is a node's output as the Program sees it: its shape and where
// its values live.
type tensor struct {
	name  string
	shape ir.Shape
	elems int     // per image
	off   int     // arena offset per image; -1-i for the program's input i
	buf   *buffer // nil for an input
	// A part of a concatenation written in place (concatInPlace) and a
	// Slice that is a view are strided: image b is at off·batch +
	// b·stride + shift (b·stride + shift of an input). 0 for the others,
	// whose images are elems apart.
	stride, shift int
}

// A buffer is a stretch of the arena shared by a tensor, the views of it
// and the in-place results computed over it.
type buffer struct {
	elems       int // per image
	first, last int // node indices: defined by first, last read by last
	off         int
	tensors     []*tensor
	merged      bool // moved into a concatenation's buffer: not planned
}

// alignment keeps every buffer on a 64-byte boundary (offsets per image
// are multiplied by the batch, which keeps them multiples of 16 floats).
const alignment = 16

type builder struct {
	p       *Program
	w       weights.Source
	opts    Options
	byNode  map[*ir.Node]*tensor
	lastUse []int  // per node index: the last node reading it
	reads   []int  // per node index: how many inputs and outputs name it
	byConvs []bool // per node index: read by convolutions only (not an output)
	bufs    []*buffer
	inputs  []*tensor
	// Bytes of parameters fetched since the last collection, and in all
	// (collect.go).
	fetched, fetchedAll int64
	store               paramStore // the large parameters (params.go)
}

func (c *builder) build(g *ir.Graph) error {
	c.lastUse = make([]int, len(g.Nodes))
	c.reads = make([]int, len(g.Nodes))
	c.byConvs = make([]bool, len(g.Nodes))
	for _, n := range g.Nodes {
		c.lastUse[n.ID] = n.ID
		c.byConvs[n.ID] = true
		for _, x := range n.Inputs {
			c.lastUse[x.ID] = max(c.lastUse[x.ID], n.ID)
			c.reads[x.ID]++
			c.byConvs[x.ID] = c.byConvs[x.ID] && n.Op == ir.OpConv
		}
	}
	for _, o := range g.Outputs {
		c.lastUse[o.Node.ID] = len(g.Nodes) // the outputs outlive every step
		c.reads[o.Node.ID]++
		c.byConvs[o.Node.ID] = false
	}
	for _, n := range g.Nodes {
		if err := c.node(n); err != nil {
			return fmt.Errorf("node %s (%s): %v", n.Name, n.Op, err)
		}
	}
	c.p.numInputs = len(c.inputs)
	for _, o := range g.Outputs {
		c.p.outs = append(c.p.outs, c.byNode[o.Node])
	}
	c.plan()
	return nil
}

// newTensor gives node n a tensor in a fresh buffer.
func (c *builder) newTensor(n *ir.Node) *tensor {
	t := &tensor{name: n.Name, shape: n.Shape, elems: int(n.Shape.Elems())}
	b := &buffer{elems: t.elems, first: n.ID, last: c.lastUse[n.ID], tensors: []*tensor{t}}
	t.buf = b
	c.bufs = append(c.bufs, b)
	c.byNode[n] = t
	return t
}

// alias gives node n a tensor over x's values: a view (Flatten, Dropout,
// DropPath) or an in-place result.
func (c *builder) alias(n *ir.Node, x *tensor) *tensor {
	t := &tensor{name: n.Name, shape: n.Shape, elems: int(n.Shape.Elems()), off: x.off, buf: x.buf}
	if b := x.buf; b != nil {
		b.tensors = append(b.tensors, t)
		b.last = max(b.last, c.lastUse[n.ID])
	}
	c.byNode[n] = t
	return t
}

// dies reports whether node n is the last reader of x's buffer, so that n
// may overwrite it. The program's inputs are never overwritten.
func (c *builder) dies(x *tensor, n *ir.Node) bool {
	return x.buf != nil && x.buf.last <= n.ID
}

// plan assigns buffer offsets: largest first, each at the lowest offset
// that no buffer live at the same time occupies.
func (c *builder) plan() {
	var order []*buffer
	for _, b := range c.bufs {
		if !b.merged {
			order = append(order, b)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].elems > order[j].elems })
	type span struct{ lo, hi int }
	var placed []*buffer
	var taken []span
	end := 0
	for _, b := range order {
		size := (b.elems + alignment - 1) / alignment * alignment
		taken = taken[:0]
		for _, q := range placed {
			if q.first <= b.last && b.first <= q.last {
				taken = append(taken, span{q.off, q.off + (q.elems+alignment-1)/alignment*alignment})
			}
		}
		sort.Slice(taken, func(i, j int) bool { return taken[i].lo < taken[j].lo })
		off := 0
		for _, s := range taken {
			if s.lo-off >= size {
				break
			}
			off = max(off, s.hi)
		}
		b.off = off
		end = max(end, off+size)
		placed = append(placed, b)
		for _, t := range b.tensors {
			t.off = off
		}
	}
	c.p.arena = end
}

// params fetches node n's parameters by role, checking their sizes. The
// steps copy or pack what they keep: the source's slices are not retained.
func (c *builder) params(n *ir.Node) (map[ir.Role][]float32, error) {
	out := map[ir.Role][]float32{}
	for _, p := range n.Params {
		v := c.w.Values(p)
		if v == nil {
			if err := weights.Err(c.w); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("no values for parameter %s", p.Name)
		}
		if int64(len(v)) != p.Size() {
			return nil, fmt.Errorf("parameter %s has %d values, want %d for shape %v", p.Name, len(v), p.Size(), p.Shape)
		}
		out[p.Role] = v
		c.collect(int64(len(v)) * 4)
	}
	return out, nil
}

// node compiles one node: its tensor and, unless it is a view, its step.
func (c *builder) node(n *ir.Node) error {
	in := make([]*tensor, len(n.Inputs))
	for i, x := range n.Inputs {
		in[i] = c.byNode[x]
	}
	switch n.Op {
	case ir.OpInput:
		t := &tensor{name: n.Name, shape: n.Shape, elems: int(n.Shape.Elems()), off: -1 - len(c.inputs)}
		c.inputs = append(c.inputs, t)
		c.byNode[n] = t
		return nil
	case ir.OpFlatten, ir.OpDropout, ir.OpDropPath:
		c.alias(n, in[0])
		return nil
	case ir.OpSlice:
		// A slice that only convolutions read is a view: they address
		// it an image at a time, image b being channels [Begin, End)
		// of the input's image b.
		if x := in[0]; c.byConvs[n.ID] && x.stride == 0 && len(x.shape) > 1 {
			t := c.alias(n, x)
			t.stride, t.shift = x.elems, n.Attrs.Begin*(x.elems/x.shape[1])
			return nil
		}
	}
	ps, err := c.params(n)
	if err != nil {
		return err
	}
	out := c.inPlace(n, in)
	if out == nil && c.residualInPlace(n, in) {
		out = c.alias(n, in[len(in)-1])
	}
	if out == nil {
		out = c.newTensor(n)
	}
	if n.Op == ir.OpConcat {
		c.concatInPlace(n, out)
	}
	s, err := c.step(n, in, out, ps)
	if err != nil {
		return err
	}
	if !c.opts.smallPages {
		c.collect(c.store.adopt(s))
	}
	c.p.steps = append(c.p.steps, s)
	c.p.info = append(c.p.info, newStepInfo(n))
	c.p.batchMajor = append(c.p.batchMajor, batchMajor(n, in, out))
	return nil
}

// inPlace gives an elementwise node n a tensor over an input that dies
// with it, or returns nil. Each value of those steps' results depends
// only on the inputs' values at the same index, read before it is
// written; a Mul's gate, one value per row, is never overwritten. Nothing
// else writes in place but the convolutions of residualInPlace: a
// convolution's GEMM otherwise overwrites its output before the epilogue
// reads the residual, and im2col reads the input throughout (the planner
// keeps buffers live at the same node apart).
func (c *builder) inPlace(n *ir.Node, in []*tensor) *tensor {
	var cands []*tensor
	switch n.Op {
	case ir.OpRelu, ir.OpSigmoid, ir.OpSilu, ir.OpHardSwish, ir.OpHardSigmoid, ir.OpRelu6, ir.OpGelu, ir.OpLeakyRelu, ir.OpTanh,
		ir.OpBatchNorm, ir.OpScaleShift, ir.OpChannelScale:
		cands = in[:1]
	case ir.OpLayerNorm, ir.OpGroupNorm:
		// Each task reads all of its values for the statistics before it
		// writes any, and tasks cover disjoint values.
		cands = in[:1]
	case ir.OpAdd:
		cands = in
	case ir.OpMul:
		cands = []*tensor{in[0]}
		if n.Attrs.Residual {
			cands = append(cands, in[2])
		}
	}
	for _, x := range cands {
		if c.dies(x, n) && (n.Op != ir.OpMul || x.buf != in[1].buf) {
			return c.alias(n, x)
		}
	}
	return nil
}

// residualInPlace reports whether convolution n may write its result over
// its residual, the last of in: the residual dies with it, is a buffer of
// its own (not an input, a view or the convolution's input), and n runs
// as a GEMM of one k-block whose kernel finishes each tile in registers
// with the epilogue (kernelAVX512Res), reading a tile's residual just
// before writing the tile over it. Otherwise the output is a buffer of
// its own: the GEMM writes it before the epilogue reads the residual.
//
// Written over its residual, a bottleneck's last convolution reads and
// writes one buffer where it read one and wrote another: less memory
// traffic (no line of a second buffer fetched to be written), no pass of
// the epilogue over the result, and a smaller arena (resnet50's 7.2 MB
// became 5.2). In-process A/B against a buffer of its own, median of
// pair ratios: resnet50 0.970–0.976 on one thread, 0.954 on two, 0.960
// at batch 8; resnext50_32x4d 0.981; keras_resnet50v2 0.994.
func (c *builder) residualInPlace(n *ir.Node, in []*tensor) bool {
	a := &n.Attrs
	if n.Op != ir.OpConv || !a.Residual || len(in) < 2 || active.gemm.res == nil || c.opts.reference {
		return false
	}
	res, x := in[len(in)-1], in[0]
	if !c.dies(res, n) || res.stride != 0 || res.shift != 0 || res.buf == x.buf || len(x.shape) != 4 {
		return false
	}
	if a.PostAffine || a.Act != ir.ActNone && a.Act != ir.ActRelu {
		return false
	}
	win := windowOf(x.shape, n.Shape, a)
	return win.G == 1 && win.C/win.G*win.KH*win.KW <= kcMax && chooseConvPath(&win, false, c.opts.winograd) == pathGemm
}

// concatInPlace has the convolutions whose only reader is concatenation n
// write straight into their part of its output, out, instead of into a
// buffer of their own that the concatenation would copy: their tensors
// become strided parts of out's buffer (image b of part i at out's image
// b plus the channels before it), which then lives from the first of
// them on. Only convolutions qualify: every convolution step addresses
// its output an image at a time (execCtx.image), never as one stretch
// for the whole batch (execCtx.data). A part that is also an output, is
// read twice, or shares its buffer (a view, an in-place result) keeps its
// copy.
func (c *builder) concatInPlace(n *ir.Node, out *tensor) {
	shift := 0
	for _, x := range n.Inputs {
		t := c.byNode[x]
		if x.Op == ir.OpConv && c.reads[x.ID] == 1 && t.buf != nil && len(t.buf.tensors) == 1 && !t.buf.merged {
			t.buf.merged = true
			out.buf.first = min(out.buf.first, t.buf.first)
			t.buf, t.stride, t.shift = out.buf, out.elems, shift
			out.buf.tensors = append(out.buf.tensors, t)
		}
		shift += t.elems
	}
}

// needScratch records that a step needs floats of scratch per worker.
func (c *builder) needScratch(floats int) {
	c.p.scratch = max(c.p.scratch, floats)
}
