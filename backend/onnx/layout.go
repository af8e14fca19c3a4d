package onnx

import (
	"github.com/resc-dev/resc/ir"
)

// Ops that move values between channels and positions, or scale them.

// channelSlice takes channels [Begin, End) with Slice's starts, ends and
// axes inputs (opset 10 on).
func (e *exporter) channelSlice(n *ir.Node, x, out string) error {
	starts, err := e.ints(n.Name+"/starts", []int64{int64(n.Attrs.Begin)})
	if err != nil {
		return err
	}
	ends, err := e.ints(n.Name+"/ends", []int64{int64(n.Attrs.End)})
	if err != nil {
		return err
	}
	axes, err := e.ints(n.Name+"/axes", []int64{1})
	if err != nil {
		return err
	}
	e.emit("Slice", n.Name, []string{x, starts, ends, axes}, out)
	return nil
}

// upsample is nearest-neighbour Resize by integer scales. With
// coordinate_transformation_mode asymmetric and nearest_mode floor, output
// row y reads input row floor(y/f), exactly the IR's rule; roi is omitted
// (optional from opset 13).
//
// An Upsample to a size is Resize with its sizes input instead (the
// scales omitted): onnxruntime then reads output row y from input row
// floor(y / (out/in)), which agrees with torch's floor(y · (in/out)) on
// the FPN's sizes, where y·in/out is never an integer but at 0 (see
// TestResizeToSizeMatchesTorch).
func (e *exporter) upsample(n *ir.Node, x, out string) error {
	f := n.Attrs.Factor
	inputs := []string{x, ""}
	if sz := n.Attrs.Size; sz != [2]int{} {
		sizes, err := e.resizeSizes(n, x, sz)
		if err != nil {
			return err
		}
		inputs = append(inputs, "", sizes)
	} else {
		scales, err := e.constant(n.Name+"/scales", []int{4}, []float32{1, 1, float32(f[0]), float32(f[1])})
		if err != nil {
			return err
		}
		inputs = append(inputs, scales)
	}
	e.emit("Resize", n.Name, inputs, out,
		attrString("coordinate_transformation_mode", "asymmetric"),
		attrString("mode", "nearest"),
		attrString("nearest_mode", "floor"))
	return nil
}

// resizeSizes is the sizes input of an Upsample to a size: a constant
// [N, C, H, W] with a fixed batch; with a symbolic one, the first two
// dimensions of x's shape (Shape, then Slice: Shape's start and end
// attributes need opset 15) joined to [H, W], as torch.onnx writes
// F.interpolate(size=...).
func (e *exporter) resizeSizes(n *ir.Node, x string, sz [2]int) (string, error) {
	if e.opts.Batch > 0 {
		return e.ints(n.Name+"/sizes", []int64{int64(e.opts.Batch), int64(n.Shape[1]), int64(sz[0]), int64(sz[1])})
	}
	shape, err := e.temp(n, "/input_shape", "Shape", []string{x})
	if err != nil {
		return "", err
	}
	starts, err := e.ints(n.Name+"/batch_channels/starts", []int64{0})
	if err != nil {
		return "", err
	}
	ends, err := e.ints(n.Name+"/batch_channels/ends", []int64{2})
	if err != nil {
		return "", err
	}
	axes, err := e.ints(n.Name+"/batch_channels/axes", []int64{0})
	if err != nil {
		return "", err
	}
	nc, err := e.temp(n, "/batch_channels", "Slice", []string{shape, starts, ends, axes})
	if err != nil {
		return "", err
	}
	hw, err := e.ints(n.Name+"/spatial_size", []int64{int64(sz[0]), int64(sz[1])})
	if err != nil {
		return "", err
	}
	return e.temp(n, "/sizes", "Concat", []string{nc, hw}, attrInt("axis", 0))
}

// channelScale is a layer scale: Mul by gamma broadcast over channels.
func (e *exporter) channelScale(n *ir.Node, x, out string) error {
	p := n.Param(ir.RoleGamma)
	if p == nil {
		return errNoParam(n, ir.RoleGamma)
	}
	g, err := e.channelParam(n, p, "/gamma")
	if err != nil {
		return err
	}
	e.emit("Mul", n.Name, []string{x, g}, out)
	return nil
}

// radixSoftmax is split attention's softmax. Channel c = (gi·r + ri)·k + ki
// at spatial position s is element ((gi·r + ri)·k + ki)·HW + s, so a
// Reshape to [N, g, r, k·HW] puts it at (gi, ri, ki·HW + s) for [N,C] and
// [N,C,H,W] alike; Transpose [0,2,1,3] makes that (ri, gi, ki·HW + s),
// Softmax over axis 1 (one axis, opset 13 on) takes it over the radix, and
// a Reshape to the input's shape reads channel (ri·g + gi)·k + ki back, the
// radix-major order the IR specifies.
func (e *exporter) radixSoftmax(n *ir.Node, x, out string) error {
	a := &n.Attrs
	grouped, err := e.ints(n.Name+"/grouped_shape", []int64{0, int64(a.Groups), int64(a.Radix), -1})
	if err != nil {
		return err
	}
	shape, err := e.ints(n.Name+"/shape", shapeOf(n.Shape))
	if err != nil {
		return err
	}
	v, err := e.temp(n, "/grouped", "Reshape", []string{x, grouped})
	if err != nil {
		return err
	}
	if v, err = e.temp(n, "/radix_major", "Transpose", []string{v}, attrInts("perm", 0, 2, 1, 3)); err != nil {
		return err
	}
	if v, err = e.temp(n, "/softmax", "Softmax", []string{v}, attrInt("axis", 1)); err != nil {
		return err
	}
	e.emit("Reshape", n.Name, []string{v, shape}, out)
	return nil
}
