package onnx

import (
	"github.com/resc-dev/resc/ir"
)

// layerNorm normalises over the channel axis at each position. ONNX's
// LayerNormalization (opset 17) normalises trailing axes, so an NCHW
// tensor goes to NHWC and back around it; an [N,C] one needs no
// transpose. Below opset 17 it is the decomposition
// (x − mean)/√(var + ε) with ReduceMean over axis 1 (an attribute up to
// opset 17), then gamma and beta.
func (e *exporter) layerNorm(n *ir.Node, x, out string) error {
	if e.opts.Opset < 17 {
		return e.layerNormDecomposed(n, x, out)
	}
	eps := attrFloat("epsilon", float32(n.Attrs.Epsilon))
	axis := attrInt("axis", -1)
	v := x
	var err error
	if len(n.Shape) > 2 {
		if v, err = e.temp(n, "/channels_last", "Transpose", []string{x}, attrInts("perm", 0, 2, 3, 1)); err != nil {
			return err
		}
	}
	// Scale is a required input: a layer norm without gamma gets ones.
	var scale string
	if p := n.Param(ir.RoleGamma); p != nil {
		scale, err = e.param(p)
	} else {
		scale, err = e.filled(n, "/constant_scale", n.Shape[1], 1)
	}
	if err != nil {
		return err
	}
	inputs := []string{v, scale}
	if p := n.Param(ir.RoleBeta); p != nil {
		b, err := e.param(p)
		if err != nil {
			return err
		}
		inputs = append(inputs, b)
	}
	if len(n.Shape) == 2 {
		e.emit("LayerNormalization", n.Name, inputs, out, axis, eps)
		return nil
	}
	if v, err = e.temp(n, "/normalized", "LayerNormalization", inputs, axis, eps); err != nil {
		return err
	}
	e.emit("Transpose", n.Name, []string{v}, out, attrInts("perm", 0, 3, 1, 2))
	return nil
}

func (e *exporter) layerNormDecomposed(n *ir.Node, x, out string) error {
	axes, keep := attrInts("axes", 1), attrInt("keepdims", 1)
	eps, err := e.scalar(n, "/epsilon", float32(n.Attrs.Epsilon))
	if err != nil {
		return err
	}
	mean, err := e.temp(n, "/mean", "ReduceMean", []string{x}, axes, keep)
	if err != nil {
		return err
	}
	d, err := e.temp(n, "/centered", "Sub", []string{x, mean})
	if err != nil {
		return err
	}
	sq, err := e.temp(n, "/squared", "Mul", []string{d, d})
	if err != nil {
		return err
	}
	v, err := e.temp(n, "/variance", "ReduceMean", []string{sq}, axes, keep)
	if err != nil {
		return err
	}
	if v, err = e.temp(n, "/variance_eps", "Add", []string{v, eps}); err != nil {
		return err
	}
	if v, err = e.temp(n, "/std", "Sqrt", []string{v}); err != nil {
		return err
	}
	if v, err = e.temp(n, "/normalized", "Div", []string{d, v}); err != nil {
		return err
	}
	return e.affineTail(n, v, out)
}

// groupNorm is torch.nn.GroupNorm. GroupNormalization's scale and bias
// changed meaning between opsets 18 and 21 (per group, then per channel),
// so every opset gets the same standard form: Reshape to [N, G, −1],
// InstanceNormalization with unit scale and zero bias per group, Reshape
// back, then the per-channel gamma and beta.
func (e *exporter) groupNorm(n *ir.Node, x, out string) error {
	g := n.Attrs.Groups
	grouped, err := e.ints(n.Name+"/grouped_shape", []int64{0, int64(g), -1})
	if err != nil {
		return err
	}
	ones, err := e.filled(n, "/instance_scale", g, 1)
	if err != nil {
		return err
	}
	zeros, err := e.filled(n, "/instance_bias", g, 0)
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
	if v, err = e.temp(n, "/normalized", "InstanceNormalization", []string{v, ones, zeros}, attrFloat("epsilon", float32(n.Attrs.Epsilon))); err != nil {
		return err
	}
	if v, err = e.temp(n, "/ungrouped", "Reshape", []string{v, shape}); err != nil {
		return err
	}
	return e.affineTail(n, v, out)
}
