package onnx

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// Helpers for IR nodes that lower to several ONNX nodes whose values are
// not all the same shape (so that epilogue.go's chain, which describes
// every stage with the node's shape, does not fit): intermediate values
// are named after the IR node ("ln1/mean") and carry no value_info; the
// last node is renamed to the IR node's name and value by finish.

// temp emits a node producing the intermediate value n.Name+suffix.
func (e *exporter) temp(n *ir.Node, suffix, op string, inputs []string, attrs ...*onnxpb.AttributeProto) (string, error) {
	name := n.Name + suffix
	if err := e.claim(name); err != nil {
		return "", err
	}
	e.emit(op, name, inputs, name, attrs...)
	return name, nil
}

// finish makes the last emitted node, a temp, the one that stands for n:
// named after it and producing out.
func (e *exporter) finish(n *ir.Node, out string) {
	last := e.nodes[len(e.nodes)-1]
	delete(e.names, last.GetOutput()[0])
	last.Name = proto.String(n.Name)
	last.Output[0] = out
}

// scalar adds a float scalar constant of n's lowering.
func (e *exporter) scalar(n *ir.Node, suffix string, v float32) (string, error) {
	return e.constant(n.Name+suffix, nil, []float32{v})
}

// filled adds a constant vector of size c holding v.
func (e *exporter) filled(n *ir.Node, suffix string, c int, v float32) (string, error) {
	vals := make([]float32, c)
	for i := range vals {
		vals[i] = v
	}
	return e.constant(n.Name+suffix, []int{c}, vals)
}

// shapeOf is an int64 Reshape target for s with the batch as 0 (copy the
// input's), so that the symbolic batch needs no Shape node.
func shapeOf(s ir.Shape) []int64 {
	out := make([]int64, len(s))
	for i, d := range s[1:] {
		out[i+1] = int64(d)
	}
	return out
}

// channelParam adds the per-channel parameter p of n under its reference
// name and shape (so that --weights model.onnx finds it again) and
// returns a value that broadcasts along axis 1 of n's output: the
// initializer itself where its shape already does ([C] for [N,C], [C,1,1]
// for NCHW), else a Reshape of it to that shape.
func (e *exporter) channelParam(n *ir.Node, p *ir.Param, suffix string) (string, error) {
	name, err := e.param(p)
	if err != nil {
		return "", err
	}
	want := channelDims(&ir.Param{Shape: []int{n.Shape[1]}}, len(n.Shape))
	if ir.Shape(p.Shape).Equal(want) {
		return name, nil
	}
	dims := make([]int64, len(want))
	for i, d := range want {
		dims[i] = int64(d)
	}
	shape, err := e.ints(n.Name+suffix+"_shape", dims)
	if err != nil {
		return "", err
	}
	return e.temp(n, suffix, "Reshape", []string{name, shape})
}

// affineTail multiplies y by n's gamma and adds its beta, over channels,
// each where n has it, and finishes n. Without either, y's node is n's.
func (e *exporter) affineTail(n *ir.Node, y, out string) error {
	if p := n.Param(ir.RoleGamma); p != nil {
		g, err := e.channelParam(n, p, "/gamma")
		if err != nil {
			return err
		}
		if y, err = e.temp(n, "/scaled", "Mul", []string{y, g}); err != nil {
			return err
		}
	}
	if p := n.Param(ir.RoleBeta); p != nil {
		b, err := e.channelParam(n, p, "/beta")
		if err != nil {
			return err
		}
		if _, err = e.temp(n, "/shifted", "Add", []string{y, b}); err != nil {
			return err
		}
	}
	e.finish(n, out)
	return nil
}

func errNoParam(n *ir.Node, r ir.Role) error {
	return fmt.Errorf("%s has no %s parameter", n.Op, r)
}
