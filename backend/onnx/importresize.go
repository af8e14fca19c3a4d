package onnx

import (
	"fmt"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// The sizes of an Upsample to a size, as Export writes them with a
// symbolic batch: Shape(x), Slice [0:2] of it (the batch and channels),
// Concat with the constant [H, W]. Each step is a shapeValue until the
// Resize that reads the last one becomes the Upsample.

// A shapeValue is an int64 value computed from a tensor's shape.
type shapeValue struct {
	from *ir.Node
	part int    // shapeFull, shapeBatchChannels or shapeSizes
	size [2]int // shapeSizes: the H and W
}

const (
	shapeFull = iota
	shapeBatchChannels
	shapeSizes
)

// shapeOf records a Shape node (no start or end attributes).
func (im *importer) shapeOf(n *onnxpb.NodeProto, a attrs, x *ir.Node) error {
	if a["start"] != nil || a["end"] != nil {
		return fmt.Errorf("only Shape of the whole shape is supported")
	}
	im.shapes[n.Output[0]] = shapeValue{from: x, part: shapeFull}
	return nil
}

// shapeSlice records Slice [0:2] on axis 0 of a whole shape.
func (im *importer) shapeSlice(n *onnxpb.NodeProto, s shapeValue) error {
	var parts [4][]int64
	for i := range parts {
		if i == 3 && len(n.Input) == 4 {
			break // steps omitted: all 1
		}
		var err error
		if parts[i], err = im.intsInput(n, i+1); err != nil {
			return err
		}
	}
	starts, ends, axes, steps := parts[0], parts[1], parts[2], parts[3]
	if s.part != shapeFull || fmt.Sprint(starts, ends, axes) != "[0] [2] [0]" || steps != nil && fmt.Sprint(steps) != "[1]" {
		return fmt.Errorf("only the batch and channels of a shape (Slice [0:2] on axis 0) are supported")
	}
	im.shapes[n.Output[0]] = shapeValue{from: s.from, part: shapeBatchChannels}
	return nil
}

// shapeConcat records Concat of a tensor's batch and channels with a
// constant [H, W]: an Upsample's sizes.
func (im *importer) shapeConcat(n *onnxpb.NodeProto, a attrs, s shapeValue) error {
	if s.part != shapeBatchChannels || len(n.Input) != 2 || a.int("axis", -1) != 0 {
		return fmt.Errorf("only sizes made of a shape's batch and channels and a constant [H, W] are supported")
	}
	hw, err := im.intsInput(n, 1)
	if err != nil {
		return err
	}
	size, err := spatialSize(hw)
	if err != nil {
		return err
	}
	im.shapes[n.Output[0]] = shapeValue{from: s.from, part: shapeSizes, size: size}
	return nil
}

func spatialSize(hw []int64) ([2]int, error) {
	if len(hw) != 2 || hw[0] < 1 || hw[0] > ir.MaxDim || hw[1] < 1 || hw[1] > ir.MaxDim {
		return [2]int{}, fmt.Errorf("sizes %v: want a positive height and width", hw)
	}
	return [2]int{int(hw[0]), int(hw[1])}, nil
}

// resizeToSize imports a Resize whose sizes input is given: computed from
// x's own shape as above, or a constant [N, C, H, W] keeping the batch and
// channels (N is the exported fixed batch; the input's batch decides).
func (im *importer) resizeToSize(n *onnxpb.NodeProto, x *ir.Node) error {
	if n.Input[2] != "" {
		return fmt.Errorf("a Resize takes scales or sizes, not both")
	}
	var size [2]int
	if s, ok := im.shapes[n.Input[3]]; ok {
		if s.part != shapeSizes || s.from != x {
			return fmt.Errorf("sizes computed from another tensor's shape are not supported")
		}
		size = s.size
	} else {
		sizes, err := im.intsInput(n, 3)
		if err != nil {
			return err
		}
		if len(sizes) != 4 || sizes[0] < 1 || sizes[1] != int64(x.Shape[1]) {
			return fmt.Errorf("sizes %v: only resizing of H and W is supported", sizes)
		}
		if size, err = spatialSize(sizes[2:]); err != nil {
			return err
		}
	}
	return im.add(n, ir.OpUpsample, []*ir.Node{x}, ir.Attrs{Size: size})
}
