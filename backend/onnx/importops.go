package onnx

import (
	"fmt"
	"math"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// Import of the newer single-node operators Export writes, and of the
// Identity it adds for a second name of a value. The multi-node forms of
// LayerNorm, GroupNorm, RadixSoftmax, Silu, the decomposed Gelu and the
// opset-13 HardSwish are not recognised: they are rejected operator by
// operator (ReduceMean, Transpose, InstanceNormalization, Erf, ...) like
// anything else Import cannot represent.

// newerOp imports n if it is one of these operators; ok says whether it
// was.
func (im *importer) newerOp(n *onnxpb.NodeProto, a attrs, x *ir.Node) (ok bool, err error) {
	unary := func(op ir.Op, at ir.Attrs) error {
		if len(n.Input) != 1 {
			return fmt.Errorf("want one input, have %d", len(n.Input))
		}
		return im.add(n, op, []*ir.Node{x}, at)
	}
	switch n.GetOpType() {
	case "Tanh":
		return true, unary(ir.OpTanh, ir.Attrs{})
	case "LeakyRelu":
		return true, unary(ir.OpLeakyRelu, ir.Attrs{Alpha: decimal(a.float("alpha", 0.01))})
	case "HardSigmoid":
		if a.float("alpha", 0.2) != float32(1.0/6) || a.float("beta", 0.5) != 0.5 {
			return true, fmt.Errorf("only PyTorch's hardsigmoid (alpha 1/6, beta 0.5) is supported, have alpha %g, beta %g", a.float("alpha", 0.2), a.float("beta", 0.5))
		}
		return true, unary(ir.OpHardSigmoid, ir.Attrs{})
	case "HardSwish":
		return true, unary(ir.OpHardSwish, ir.Attrs{})
	case "Gelu":
		if p := a["approximate"]; p != nil && string(p.S) != "none" {
			return true, fmt.Errorf("only the exact Gelu is supported, approximate is %q", p.S)
		}
		return true, unary(ir.OpGelu, ir.Attrs{})
	case "Clip":
		return true, im.relu6(n, x)
	case "Concat":
		return true, im.concat(n, a, x)
	case "SpaceToDepth":
		b := a.int("blocksize", 0)
		if b < 1 || b > ir.MaxDim {
			return true, fmt.Errorf("blocksize %d", b)
		}
		return true, unary(ir.OpSpaceToDepth, ir.Attrs{Block: b})
	case "Resize":
		return true, im.resize(n, a, x)
	case "Shape":
		return true, im.shapeOf(n, a, x)
	case "Identity":
		return true, im.identity(n, x)
	}
	return false, nil
}

// relu6 imports Clip with initializer bounds 0 and 6.
func (im *importer) relu6(n *onnxpb.NodeProto, x *ir.Node) error {
	var bounds [2]float32
	for i := range bounds {
		if len(n.Input) <= i+1 || n.Input[i+1] == "" || im.inits[n.Input[i+1]] == nil {
			return fmt.Errorf("only Clip to [0, 6] with both bounds given as initializers is supported")
		}
		v, err := Floats(im.inits[n.Input[i+1]])
		if err != nil {
			return err
		}
		if len(v) != 1 {
			return fmt.Errorf("clip bound %s has %d values, want 1", n.Input[i+1], len(v))
		}
		bounds[i] = v[0]
	}
	if len(n.Input) > 3 || bounds != [2]float32{0, 6} {
		return fmt.Errorf("only Clip to [0, 6] (relu6) is supported, have [%g, %g]", bounds[0], bounds[1])
	}
	return im.add(n, ir.OpRelu6, []*ir.Node{x}, ir.Attrs{})
}

// concat imports a Concat of computed tensors along the channels.
func (im *importer) concat(n *onnxpb.NodeProto, a attrs, x *ir.Node) error {
	if axis := a.int("axis", 0); axis != 1 && axis != 1-len(x.Shape) {
		return fmt.Errorf("only concatenation along the channels (axis 1) is supported, axis is %d", axis)
	}
	if len(n.Input) < 2 {
		return fmt.Errorf("a concat of %d inputs: want two or more", len(n.Input))
	}
	in := []*ir.Node{x}
	for i := 1; i < len(n.Input); i++ {
		y, err := im.input(n, i)
		if err != nil {
			return err
		}
		in = append(in, y)
	}
	return im.add(n, ir.OpConcat, in, ir.Attrs{})
}

// channelSlice imports Slice on axis 1 with step 1; starts and ends are
// read as ONNX does (negative from the end, clamped to the channels).
func (im *importer) channelSlice(n *onnxpb.NodeProto, x *ir.Node, starts, ends, steps []int64) error {
	if len(starts) != 1 || len(ends) != 1 || steps != nil && (len(steps) != 1 || steps[0] != 1) {
		return fmt.Errorf("only a slice of channels with step 1 is supported")
	}
	c := int64(x.Shape[1])
	clamp := func(v int64) int {
		if v < 0 {
			v += c
		}
		return int(min(max(v, 0), c))
	}
	return im.add(n, ir.OpSlice, []*ir.Node{x}, ir.Attrs{Begin: clamp(starts[0]), End: clamp(ends[0])})
}

// resize imports nearest-neighbour Resize by integer scales in the form
// that samples input row floor(y/f): asymmetric coordinates, floor; or to
// sizes (resizeToSize).
func (im *importer) resize(n *onnxpb.NodeProto, a attrs, x *ir.Node) error {
	str := func(name, def string) string {
		if p := a[name]; p != nil {
			return string(p.S)
		}
		return def
	}
	if str("mode", "nearest") != "nearest" || str("coordinate_transformation_mode", "half_pixel") != "asymmetric" ||
		str("nearest_mode", "round_prefer_floor") != "floor" || a["axes"] != nil {
		return fmt.Errorf("only Resize with mode nearest, coordinate_transformation_mode asymmetric and nearest_mode floor is supported")
	}
	if len(n.Input) == 4 && (n.Input[1] == "" || im.inits[n.Input[1]] != nil) {
		if err := im.noROI(n); err != nil {
			return err
		}
		return im.resizeToSize(n, x)
	}
	if len(n.Input) != 3 || n.Input[1] != "" && im.inits[n.Input[1]] == nil || im.inits[n.Input[2]] == nil {
		return fmt.Errorf("only Resize by scales given as an initializer, or to sizes, is supported")
	}
	if err := im.noROI(n); err != nil {
		return err
	}
	scales, err := Floats(im.inits[n.Input[2]])
	if err != nil {
		return err
	}
	if len(scales) != 4 || scales[0] != 1 || scales[1] != 1 {
		return fmt.Errorf("scales %v: only upsampling of H and W is supported", scales)
	}
	var f [2]int
	for i, s := range scales[2:] {
		if !(s >= 1 && s <= ir.MaxDim) || s != float32(math.Trunc(float64(s))) {
			return fmt.Errorf("scales %v: only integer factors are supported", scales)
		}
		f[i] = int(s)
	}
	return im.add(n, ir.OpUpsample, []*ir.Node{x}, ir.Attrs{Factor: f})
}

// identity imports an Identity. One named after the graph output it
// writes is the second name Export gives a value that is already an
// output, or the input, under another name: the output is that value.
// Any other is a DropPath (whose rate the file does not keep).
func (im *importer) identity(n *onnxpb.NodeProto, x *ir.Node) error {
	if len(n.Input) != 1 {
		return fmt.Errorf("want one input, have %d", len(n.Input))
	}
	if out := n.Output[0]; im.outputs[out] && n.GetName() == out && out != n.Input[0] {
		if im.values[out] != nil {
			return fmt.Errorf("value %s is computed twice", out)
		}
		im.values[out] = x
		return nil
	}
	return im.add(n, ir.OpDropPath, []*ir.Node{x}, ir.Attrs{})
}

// noROI checks that a Resize's roi input is absent or empty.
func (im *importer) noROI(n *onnxpb.NodeProto) error {
	if n.Input[1] != "" {
		if roi, err := Floats(im.inits[n.Input[1]]); err != nil || len(roi) != 0 {
			return fmt.Errorf("a region of interest is not supported")
		}
	}
	return nil
}
