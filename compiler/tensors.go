package compiler

import (
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/lang"
)

// Tensors are values: `current` is the tensor a statement applies to,
// split, concat and sum build tensors from tensors, and + and * add and
// multiply them. A tensor value is the *ir.Node that computes it. Nodes
// made by expressions are named after their op in the scope of the
// statement that evaluates them.

// currentTensor is what the predeclared name `current` is bound to; the
// evaluator replaces it by the statement's current tensor.
type currentTensor struct{}

// tensorScope is where a statement's expressions build tensors: the
// current tensor and the label scope. Outside a block body (constants,
// fn calls from a constant) el is nil and tensors are unavailable.
type tensorScope struct {
	el    *elab
	cur   *ir.Node
	scope []string
}

func (ev *evaluator) current(pos diag.Pos) Value {
	if ev.ts.el == nil {
		return ev.errorf(pos, "current is the tensor a statement applies to: it exists only in a block or network body")
	}
	if ev.ts.cur == nil {
		return ev.errorf(pos, "no current tensor yet: a network starts with input(channels, height, width)")
	}
	return ev.ts.cur
}

// tensorNode adds a node computed by an expression.
func (c *callCtx) tensorNode(op ir.Op, name string, in []*ir.Node, a ir.Attrs) Value {
	el := c.ev.ts.el
	if el == nil {
		return c.errorf("%s builds a tensor: it works only in a block or network body", name)
	}
	n := el.node(op, c.ev.ts.scope, el.style.join(c.ev.ts.scope, name), in, a, nil, c.pos)
	if n == nil {
		return poison{}
	}
	return n
}

func asTensor(v Value) (*ir.Node, bool) { n, ok := v.(*ir.Node); return n, ok }

// tensorList reads a list of tensors, or the tensors given as arguments.
func tensorList(c *callCtx, fn string, a []Value) ([]*ir.Node, bool) {
	if len(a) == 1 {
		if l, ok := a[0].([]Value); ok {
			a = l
		}
	}
	if len(a) == 0 {
		c.errorf("%s needs tensors, got none", fn)
		return nil, false
	}
	out := make([]*ir.Node, len(a))
	for i, v := range a {
		t, ok := asTensor(v)
		if !ok {
			c.errorf("%s needs tensors (or a list of them), got %s %s", fn, typeName(v), show(v))
			return nil, false
		}
		out[i] = t
	}
	return out, true
}

func channelsOf(t *ir.Node) int {
	if len(t.Shape) < 2 {
		return 0
	}
	return t.Shape[1]
}

// builtinSplit is split(t, n) into n equal chunks of channels, or
// split(t, [c1, c2, ...]) into chunks of those sizes.
func builtinSplit(c *callCtx, a []Value) Value {
	t, ok := asTensor(a[0])
	if !ok || len(t.Shape) < 2 {
		return c.errorf("split needs a tensor with channels first, got %s %s", typeName(a[0]), show(a[0]))
	}
	ch := channelsOf(t)
	var sizes []int
	switch n := a[1].(type) {
	case int64:
		if n < 1 || int64(ch)%n != 0 {
			return c.errorf("split of %d channels into %d equal chunks: the count must divide the channels", ch, n)
		}
		for range n {
			sizes = append(sizes, ch/int(n))
		}
	case []Value:
		total := int64(0)
		for _, v := range n {
			s, ok := v.(int64)
			if !ok || s < 1 {
				return c.errorf("split sizes must be positive ints, got %s", show(a[1]))
			}
			total += s
			if total > int64(ch) {
				break
			}
			sizes = append(sizes, int(s))
		}
		if total != int64(ch) {
			return c.errorf("split sizes %s add up to %d, not the %d channels of %v", show(a[1]), total, ch, t.Shape)
		}
	default:
		return c.errorf("split needs a chunk count or a list of sizes, got %s %s", typeName(a[1]), show(a[1]))
	}
	if len(sizes) == 1 {
		return []Value{t}
	}
	out := make([]Value, len(sizes))
	begin := 0
	for i, s := range sizes {
		v := c.tensorNode(ir.OpSlice, "split", []*ir.Node{t}, ir.Attrs{Begin: begin, End: begin + s})
		if isPoison(v) {
			return v
		}
		out[i] = v
		begin += s
	}
	return out
}

func builtinConcat(c *callCtx, a []Value) Value {
	ts, ok := tensorList(c, "concat", a)
	if !ok {
		return poison{}
	}
	if len(ts) == 1 {
		return ts[0]
	}
	return c.tensorNode(ir.OpConcat, "concat", ts, ir.Attrs{})
}

func builtinSum(c *callCtx, a []Value) Value {
	ts, ok := tensorList(c, "sum", a)
	if !ok {
		return poison{}
	}
	if len(ts) == 1 {
		return ts[0]
	}
	for _, t := range ts[1:] {
		if !t.Shape.Equal(ts[0].Shape) {
			return c.errorf("sum of tensors of different shapes %v and %v", ts[0].Shape, t.Shape)
		}
	}
	return c.tensorNode(ir.OpAdd, "add", ts, ir.Attrs{})
}

// builtinShape is a tensor's shape without the batch: [C, H, W].
func builtinShape(c *callCtx, a []Value) Value {
	t, ok := asTensor(a[0])
	if !ok {
		return c.errorf("shape needs a tensor, got %s %s", typeName(a[0]), show(a[0]))
	}
	out := make([]Value, len(t.Shape)-1)
	for i, d := range t.Shape[1:] {
		out[i] = int64(d)
	}
	return out
}

// tensorBinary is x + y (same shapes) and x * y (same shapes, or one of
// them [N,C,1,1] and broadcast over the other's space) on tensors.
func (ev *evaluator) tensorBinary(e *lang.BinaryExpr, x, y Value) Value {
	a, ok1 := asTensor(x)
	b, ok2 := asTensor(y)
	c := &callCtx{ev: ev, pos: opPos0(e)}
	if !ok1 || !ok2 || (e.Op != "+" && e.Op != "*") {
		return ev.errorf(opPos0(e), "operator %s does not apply to %s %s and %s %s (tensors take + and *)", e.Op, typeName(x), show(x), typeName(y), show(y))
	}
	if e.Op == "+" {
		if !a.Shape.Equal(b.Shape) {
			return c.errorf("cannot add tensors of shapes %v and %v", a.Shape, b.Shape)
		}
		return c.tensorNode(ir.OpAdd, "add", []*ir.Node{a, b}, ir.Attrs{})
	}
	if !a.Shape.Equal(b.Shape) && len(a.Shape) == 4 && a.Shape[2] == 1 && a.Shape[3] == 1 {
		a, b = b, a // the gate second
	}
	return c.tensorNode(ir.OpMul, "mul", []*ir.Node{a, b}, ir.Attrs{})
}

// slice is x[lo:hi] of a list; missing bounds are the ends.
func (ev *evaluator) slice(e *lang.SliceExpr, en *env) Value {
	x := ev.eval(e.X, en)
	if isPoison(x) {
		return x
	}
	l, ok := x.([]Value)
	if !ok {
		return ev.errorf(e.X.Pos(), "cannot slice %s %s", typeName(x), show(x))
	}
	lo, hi := int64(0), int64(len(l))
	for i, b := range []lang.Expr{e.Lo, e.Hi} {
		if b == nil {
			continue
		}
		v := ev.eval(b, en)
		n, ok := v.(int64)
		if !ok {
			if !isPoison(v) {
				ev.errorf(b.Pos(), "slice bound must be an int, got %s %s", typeName(v), show(v))
			}
			return poison{}
		}
		if n < 0 || n > int64(len(l)) {
			return ev.errorf(b.Pos(), "slice bound %d out of range for a list of %d", n, len(l))
		}
		if i == 0 {
			lo = n
		} else {
			hi = n
		}
	}
	if lo > hi {
		return ev.errorf(e.P, "slice [%d:%d] has its start after its end", lo, hi)
	}
	return append([]Value(nil), l[lo:hi]...)
}
