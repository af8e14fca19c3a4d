package onnx

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// emit appends one ONNX node.
func (e *exporter) emit(opType, name string, inputs []string, output string, attrs ...*onnxpb.AttributeProto) {
	e.nodes = append(e.nodes, &onnxpb.NodeProto{Name: proto.String(name), OpType: proto.String(opType), Input: inputs, Output: []string{output}, Attribute: attrs})
}

// node lowers one IR node to one or more ONNX nodes.
func (e *exporter) node(n *ir.Node) error {
	if n.Op == ir.OpInput {
		e.value[n] = InputName
		return e.claim(InputName)
	}
	out, isOut := e.outName[n]
	if !isOut {
		out = n.Name
	}
	if err := e.claim(out); err != nil {
		return err
	}
	e.value[n] = out
	if !isOut {
		e.infos = append(e.infos, e.valueInfo(out, n.Shape))
	}
	in := make([]string, len(n.Inputs))
	for i, x := range n.Inputs {
		in[i] = e.value[x]
	}
	if err := checkEpilogue(n); err != nil {
		return err
	}
	a := &n.Attrs
	switch n.Op {
	case ir.OpConv:
		return e.conv(n, in, out)
	case ir.OpScaleShift:
		return e.scaleShift(n, in, out)
	case ir.OpAdd:
		return e.sum(n, in, out)
	case ir.OpMul:
		return e.mul(n, in, out)
	case ir.OpBatchNorm:
		return e.batchNorm(n, in[0], out)
	case ir.OpRelu:
		e.emit("Relu", n.Name, in, out)
	case ir.OpSigmoid:
		e.emit("Sigmoid", n.Name, in, out)
	case ir.OpMaxPool, ir.OpAvgPool:
		if n.Op == ir.OpAvgPool && a.CountIncludePad && a.Pads != [4]int{} && !a.CeilMode {
			return e.paddedAvgPool(n, in[0], out)
		}
		// A pool reading an explicit zero Pad says auto_pad VALID rather
		// than pads 0, 0, 0, 0. Folding the Pad into the pool's padding
		// is wrong for max pooling (the pool pads with −∞, so a window
		// of negative values at the border gives its maximum instead of
		// 0) and for averages that exclude padding, yet onnxruntime's
		// PadFusion does it; a pool with auto_pad set is one it leaves
		// alone, as a correct rewrite must (its pads would have to
		// replace auto_pad). See docs/onnx.md.
		attrs := []*onnxpb.AttributeProto{attrInt("ceil_mode", boolInt(a.CeilMode))}
		opType := "MaxPool"
		if n.Op == ir.OpAvgPool {
			opType = "AveragePool"
			attrs = append(attrs, attrInt("count_include_pad", boolInt(a.CountIncludePad)))
		}
		attrs = append(attrs, attrInts("kernel_shape", a.Kernel[0], a.Kernel[1]))
		if n.Inputs[0].Op == ir.OpPad && a.Pads == [4]int{} {
			attrs = append(attrs, attrString("auto_pad", "VALID"))
		} else {
			attrs = append(attrs, attrInts("pads", a.Pads[0], a.Pads[1], a.Pads[2], a.Pads[3]))
		}
		attrs = append(attrs, attrInts("strides", a.Strides[0], a.Strides[1]))
		e.emit(opType, n.Name, in, out, attrs...)
	case ir.OpGlobalAvgPool:
		e.emit("GlobalAveragePool", n.Name, in, out)
	case ir.OpGlobalMaxPool:
		e.emit("GlobalMaxPool", n.Name, in, out)
	case ir.OpFlatten:
		e.emit("Flatten", n.Name, in, out, attrInt("axis", 1))
	case ir.OpGemm:
		ws, err := e.params(n)
		if err != nil {
			return err
		}
		e.emit("Gemm", n.Name, append(in, ws...), out, attrInt("transB", 1))
	case ir.OpSoftmax:
		e.emit("Softmax", n.Name, in, out, attrInt("axis", 1))
	case ir.OpPad:
		pads, err := e.ints(n.Name+"/pads", []int64{0, 0, int64(a.Pads[0]), int64(a.Pads[1]), 0, 0, int64(a.Pads[2]), int64(a.Pads[3])})
		if err != nil {
			return err
		}
		e.emit("Pad", n.Name, []string{in[0], pads}, out, attrString("mode", "constant"))
	case ir.OpSubsamplePad:
		return e.subsamplePad(n, in[0], out)
	case ir.OpChannelConv:
		return e.channelConv(n, in[0], out)
	case ir.OpDropout:
		ratio, err := e.constant(n.Name+"/ratio", nil, []float32{float32(a.Rate)})
		if err != nil {
			return err
		}
		e.emit("Dropout", n.Name, []string{in[0], ratio}, out)
	case ir.OpSilu, ir.OpHardSwish, ir.OpHardSigmoid, ir.OpRelu6, ir.OpGelu, ir.OpLeakyRelu, ir.OpTanh:
		return e.activationOp(n, in[0], out)
	case ir.OpConcat:
		e.emit("Concat", n.Name, in, out, attrInt("axis", 1))
	case ir.OpSlice:
		return e.channelSlice(n, in[0], out)
	case ir.OpLayerNorm:
		return e.layerNorm(n, in[0], out)
	case ir.OpGroupNorm:
		return e.groupNorm(n, in[0], out)
	case ir.OpUpsample:
		return e.upsample(n, in[0], out)
	case ir.OpChannelScale:
		return e.channelScale(n, in[0], out)
	case ir.OpDropPath:
		// Identity at inference; the node keeps the IR node's name.
		e.emit("Identity", n.Name, in, out)
	case ir.OpSpaceToDepth:
		e.emit("SpaceToDepth", n.Name, in, out, attrInt("blocksize", a.Block))
	case ir.OpRadixSoftmax:
		return e.radixSoftmax(n, in[0], out)
	default:
		return fmt.Errorf("op %s has no ONNX lowering", n.Op)
	}
	return nil
}

// params adds the node's parameters as initializers, in the IR's order
// (weight, then bias), which is ONNX's input order for Conv and Gemm.
func (e *exporter) params(n *ir.Node) ([]string, error) {
	var names []string
	for _, p := range n.Params {
		name, err := e.param(p)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// batchNorm emits BatchNormalization in inference form. A batch norm
// without scale or centre (classification_models' bn_data) gets constant
// ones or zeros in their place.
func (e *exporter) batchNorm(n *ir.Node, x, out string) error {
	byRole := map[ir.Role]*ir.Param{}
	for _, p := range n.Params {
		byRole[p.Role] = p
	}
	c := n.Shape[1]
	input := func(role ir.Role, suffix string, fill float32) (string, error) {
		if p := byRole[role]; p != nil {
			return e.param(p)
		}
		vals := make([]float32, c)
		for i := range vals {
			vals[i] = fill
		}
		return e.constant(n.Name+"/"+suffix, []int{c}, vals)
	}
	scale, err := input(ir.RoleGamma, "constant_scale", 1)
	if err != nil {
		return err
	}
	bias, err := input(ir.RoleBeta, "constant_bias", 0)
	if err != nil {
		return err
	}
	mean, err := input(ir.RoleMean, "constant_mean", 0)
	if err != nil {
		return err
	}
	variance, err := input(ir.RoleVar, "constant_var", 1)
	if err != nil {
		return err
	}
	e.emit("BatchNormalization", n.Name, []string{x, scale, bias, mean, variance}, out,
		attrFloat("epsilon", float32(n.Attrs.Epsilon)))
	return nil
}

// subsamplePad is the option-A shortcut: Slice with steps takes every s-th
// row and column, then Pad adds zero channels.
func (e *exporter) subsamplePad(n *ir.Node, x, out string) error {
	a := &n.Attrs
	starts, err := e.ints(n.Name+"/starts", []int64{0, 0})
	if err != nil {
		return err
	}
	ends, err := e.ints(n.Name+"/ends", []int64{math.MaxInt64, math.MaxInt64})
	if err != nil {
		return err
	}
	axes, err := e.ints(n.Name+"/axes", []int64{2, 3})
	if err != nil {
		return err
	}
	steps, err := e.ints(n.Name+"/steps", []int64{int64(a.Strides[0]), int64(a.Strides[1])})
	if err != nil {
		return err
	}
	pads, err := e.ints(n.Name+"/pads", []int64{0, int64(a.ChannelPads[0]), 0, 0, 0, int64(a.ChannelPads[1]), 0, 0})
	if err != nil {
		return err
	}
	sliced := n.Name + "/subsample"
	if err := e.claim(sliced); err != nil {
		return err
	}
	e.emit("Slice", sliced, []string{x, starts, ends, axes, steps}, sliced)
	e.emit("Pad", n.Name, []string{sliced, pads}, out, attrString("mode", "constant"))
	return nil
}

// channelConv is ECA's 1-D convolution across channels: reshape [N,C,1,1]
// to [N,1,C] (0 copies the batch dimension, so no Shape op is needed), a
// 1-D Conv with "same" padding, and back to [N,C,1,1].
func (e *exporter) channelConv(n *ir.Node, x, out string) error {
	k := n.Attrs.Kernel[0]
	toSeq, err := e.ints(n.Name+"/sequence_shape", []int64{0, 1, -1})
	if err != nil {
		return err
	}
	toMap, err := e.ints(n.Name+"/map_shape", []int64{0, -1, 1, 1})
	if err != nil {
		return err
	}
	ws, err := e.params(n)
	if err != nil {
		return err
	}
	seq, conv := n.Name+"/sequence", n.Name+"/conv"
	for _, name := range []string{seq, conv} {
		if err := e.claim(name); err != nil {
			return err
		}
	}
	e.emit("Reshape", seq, []string{x, toSeq}, seq)
	e.emit("Conv", conv, append([]string{seq}, ws...), conv,
		attrInts("dilations", 1), attrInt("group", 1), attrInts("kernel_shape", k),
		attrInts("pads", (k-1)/2, (k-1)/2), attrInts("strides", 1))
	e.emit("Reshape", n.Name, []string{conv, toMap}, out)
	return nil
}

// outputs lists the graph outputs. An output whose node already gives
// another output its value, or that is the graph input, is an Identity of
// that value: ONNX names each output's value after the output.
func (e *exporter) outputs() ([]*onnxpb.ValueInfoProto, error) {
	var out []*onnxpb.ValueInfoProto
	for _, o := range e.g.Outputs {
		if v := e.value[o.Node]; v != o.Name {
			if err := e.claim(o.Name); err != nil {
				return nil, err
			}
			e.emit("Identity", o.Name, []string{v}, o.Name)
		}
		out = append(out, e.valueInfo(o.Name, o.Node.Shape))
	}
	return out, nil
}

// paddedAvgPool writes an average pool that counts its zero padding as an
// explicit Pad and an unpadded AveragePool (auto_pad VALID, for the reason
// the pool case gives): the same values, since a window then averages its
// kernel's area of the padded input, and a form OpenCV 4.6 reads right. It
// ignores count_include_pad = 1 and divides by the unpadded count instead
// (Res2Net's and ResNeSt's AvgPool2d(3, stride, padding 1)). With
// ceil_mode a window can reach past the padding and ONNX then divides by
// less than the kernel area, so those pools keep their own padding.
func (e *exporter) paddedAvgPool(n *ir.Node, x, out string) error {
	a := &n.Attrs
	pads, err := e.ints(n.Name+"/pad/pads", []int64{0, 0, int64(a.Pads[0]), int64(a.Pads[1]), 0, 0, int64(a.Pads[2]), int64(a.Pads[3])})
	if err != nil {
		return err
	}
	padded := n.Name + "/pad"
	if err := e.claim(padded); err != nil {
		return err
	}
	e.emit("Pad", padded, []string{x, pads}, padded, attrString("mode", "constant"))
	e.emit("AveragePool", n.Name, []string{padded}, out,
		attrInt("ceil_mode", 0), attrInt("count_include_pad", 1), attrInts("kernel_shape", a.Kernel[0], a.Kernel[1]),
		attrString("auto_pad", "VALID"), attrInts("strides", a.Strides[0], a.Strides[1]))
	return nil
}
