package ir

import (
	"fmt"
	"math"
)

// Representation limits. With every dimension and window attribute at most
// MaxDim (2^31-1, what ONNX runtimes index with in places), the shape
// rules' sums stay far inside int64, products (element counts, sizes,
// MACs) saturate (MulSat), and MaxElems keeps a tensor's elements per image (and its bytes) from
// overflowing wherever they are counted. They bound what the IR can
// represent, not what a machine can run: front ends check resources
// against their own, smaller budgets.
const (
	MaxDim   = 1<<31 - 1
	MaxElems = 1 << 40
)

// A TooLargeError is a shape past what the IR represents: a dimension
// over MaxDim or more than MaxElems elements per image. Front ends tell it
// apart to report it in the words of their own resource limits.
type TooLargeError struct{ Shape Shape }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("tensor %v is too large: the IR allows dimensions up to %d and %d elements per image", e.Shape, MaxDim, int64(MaxElems))
}

// checkShape checks a node's shape: a batch dimension, symbolic or
// positive, then dimensions in [1, MaxDim], at most MaxElems
// elements per image.
func checkShape(s Shape) error {
	if len(s) < 1 {
		return fmt.Errorf("a shape needs at least the batch dimension")
	}
	if s[0] != Batch && (s[0] < 1 || s[0] > MaxDim) {
		return fmt.Errorf("batch %d in %v is not positive and at most %d", s[0], s, MaxDim)
	}
	n := int64(1)
	for _, d := range s[1:] {
		if d <= 0 {
			return fmt.Errorf("non-positive dimension in %v", s)
		}
		if d > MaxDim || n > MaxElems/int64(d) {
			return &TooLargeError{Shape: s}
		}
		n *= int64(d)
	}
	return nil
}

// checkNode checks what Add and Verify both require of a node on its own:
// a known op, its inputs present and as many as the op takes, an epilogue
// its backends implement, and attribute values in range.
func checkNode(n *Node) error {
	if n.Op >= numOps {
		return fmt.Errorf("unknown op %d", n.Op)
	}
	for i, x := range n.Inputs {
		if x == nil {
			return fmt.Errorf("%s: input %d is missing", n.Op, i)
		}
	}
	if err := checkArity(n); err != nil {
		return err
	}
	if err := checkEpilogue(n); err != nil {
		return err
	}
	return checkAttrValues(n)
}

// checkAttrValues checks the attributes that backends use and shape rules
// do not: the shape rules themselves range-check kernels, strides,
// dilations, padding, groups and channel counts (inRange) before any
// arithmetic.
func checkAttrValues(n *Node) error {
	a := &n.Attrs
	switch n.Op {
	case OpBatchNorm:
		if !(a.Epsilon > 0) || math.IsInf(a.Epsilon, 1) {
			return fmt.Errorf("batch norm epsilon must be positive and finite, is %g", a.Epsilon)
		}
	case OpChannelConv:
		if a.Kernel[0] < 1 || a.Kernel[0]%2 == 0 || a.Kernel[0] > MaxDim {
			return fmt.Errorf("channel conv kernel must be odd, positive and at most %d, is %d", MaxDim, a.Kernel[0])
		}
	case OpDropout, OpDropPath:
		if !(a.Rate >= 0 && a.Rate < 1) {
			return fmt.Errorf("%s rate must be in [0, 1), is %g", n.Op, a.Rate)
		}
	case OpLayerNorm, OpGroupNorm:
		if !(a.Epsilon > 0) || math.IsInf(a.Epsilon, 1) {
			return fmt.Errorf("%s epsilon must be positive and finite, is %g", n.Op, a.Epsilon)
		}
	case OpLeakyRelu:
		if math.IsNaN(a.Alpha) || math.IsInf(a.Alpha, 0) {
			return fmt.Errorf("leaky relu slope must be finite, is %g", a.Alpha)
		}
	}
	return nil
}
