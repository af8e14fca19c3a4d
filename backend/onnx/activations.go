package onnx

import (
	"fmt"
	"math"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// Activations beyond Relu and Sigmoid. Each is the standard operator
// where the opset being written has one with the IR's meaning, and an
// exact composition of older operators below that.

// hardSigmoid is PyTorch's hardsigmoid, relu6(x+3)/6, as ONNX
// HardSigmoid: ONNX's default slope is 0.2, not 1/6, so both attributes
// are always written.
func hardSigmoid() []*onnxpb.AttributeProto {
	return []*onnxpb.AttributeProto{attrFloat("alpha", 1.0/6), attrFloat("beta", 0.5)}
}

// activationOp lowers the elementwise activations of one input.
func (e *exporter) activationOp(n *ir.Node, x, out string) error {
	switch n.Op {
	case ir.OpTanh:
		e.emit("Tanh", n.Name, []string{x}, out)
	case ir.OpLeakyRelu:
		e.emit("LeakyRelu", n.Name, []string{x}, out, attrFloat("alpha", float32(n.Attrs.Alpha)))
	case ir.OpHardSigmoid:
		e.emit("HardSigmoid", n.Name, []string{x}, out, hardSigmoid()...)
	case ir.OpHardSwish:
		// HardSwish (opset 14) is x·HardSigmoid(x) with slope 1/6.
		if e.opts.Opset >= 14 {
			e.emit("HardSwish", n.Name, []string{x}, out)
			return nil
		}
		hs, err := e.temp(n, "/hardsigmoid", "HardSigmoid", []string{x}, hardSigmoid()...)
		if err != nil {
			return err
		}
		e.emit("Mul", n.Name, []string{x, hs}, out)
	case ir.OpSilu:
		s, err := e.temp(n, "/sigmoid", "Sigmoid", []string{x})
		if err != nil {
			return err
		}
		e.emit("Mul", n.Name, []string{x, s}, out)
	case ir.OpRelu6:
		// Clip's bounds are inputs since opset 11.
		lo, err := e.scalar(n, "/min", 0)
		if err != nil {
			return err
		}
		hi, err := e.scalar(n, "/max", 6)
		if err != nil {
			return err
		}
		e.emit("Clip", n.Name, []string{x, lo, hi}, out)
	case ir.OpGelu:
		return e.gelu(n, x, out)
	default:
		return fmt.Errorf("op %s is not an activation", n.Op)
	}
	return nil
}

// gelu is the exact (erf) GELU: the Gelu operator from opset 20, whose
// approximate attribute defaults to "none", and below it
// x·0.5·(1 + Erf(x/√2)), the form torch.onnx writes.
func (e *exporter) gelu(n *ir.Node, x, out string) error {
	if e.opts.Opset >= 20 {
		e.emit("Gelu", n.Name, []string{x}, out)
		return nil
	}
	sqrt2, err := e.scalar(n, "/sqrt2", math.Sqrt2)
	if err != nil {
		return err
	}
	one, err := e.scalar(n, "/one", 1)
	if err != nil {
		return err
	}
	half, err := e.scalar(n, "/half", 0.5)
	if err != nil {
		return err
	}
	v, err := e.temp(n, "/scaled", "Div", []string{x, sqrt2})
	if err != nil {
		return err
	}
	if v, err = e.temp(n, "/erf", "Erf", []string{v}); err != nil {
		return err
	}
	if v, err = e.temp(n, "/plus_one", "Add", []string{v, one}); err != nil {
		return err
	}
	if v, err = e.temp(n, "/times_x", "Mul", []string{x, v}); err != nil {
		return err
	}
	if _, err = e.temp(n, "/halved", "Mul", []string{v, half}); err != nil {
		return err
	}
	e.finish(n, out)
	return nil
}
