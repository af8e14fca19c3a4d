package onnx

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
)

// Hostile models, written with onnxpb so that each differs from a valid one
// in one way: Import must answer every one with an error, never a panic.

// tensorInfo is a float tensor's ValueInfoProto with fixed dimensions.
func tensorInfo(name string, dims ...int64) *onnxpb.ValueInfoProto {
	s := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		s.Dim = append(s.Dim, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d}})
	}
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
		TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Shape: s},
	}}}
}

// floats is a float initializer of the given shape, filled with 0.1.
func floats(name string, dims ...int64) *onnxpb.TensorProto {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = 0.1
	}
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: dims, FloatData: v}
}

func int64s(name string, v ...int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_INT64)), Dims: []int64{int64(len(v))}, Int64Data: v}
}

func op(opType, name string, in []string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	return &onnxpb.NodeProto{OpType: proto.String(opType), Name: proto.String(name), Input: in, Output: []string{name}, Attribute: attrs}
}

// validModel uses every operator and multi-node form Import recognises:
// conv, batch norm, pools, option A's Slice and Pad, per-channel Mul and
// Add, Pad, ECA's Reshape–Conv–Reshape, a gate, Gemm, Dropout, Softmax.
func validModel() *onnxpb.ModelProto {
	g := &onnxpb.GraphProto{
		Name:   proto.String("hostile"),
		Input:  []*onnxpb.ValueInfoProto{tensorInfo("x", 1, 3, 8, 8)},
		Output: []*onnxpb.ValueInfoProto{tensorInfo("out", 1, 10)},
		Initializer: []*onnxpb.TensorProto{
			floats("c1.w", 4, 3, 3, 3), floats("c1.b", 4),
			floats("bn.g", 4), floats("bn.b", 4), floats("bn.m", 4), floats("bn.v", 4),
			int64s("sl.starts", 0, 0), int64s("sl.ends", math.MaxInt64, math.MaxInt64), int64s("sl.axes", 2, 3), int64s("sl.steps", 2, 2),
			int64s("sp.pads", 0, 2, 0, 0, 0, 2, 0, 0),
			floats("c2.w", 8, 4, 1, 1),
			floats("ms.s", 8, 1, 1), floats("as.s", 8, 1, 1),
			int64s("pd.pads", 0, 0, 1, 1, 0, 0, 1, 1),
			int64s("seq.shape", 0, 1, -1), floats("c1d.w", 1, 1, 3), int64s("eca.shape", 0, -1, 1, 1),
			floats("fc.w", 10, 8), floats("fc.b", 10),
		},
		Node: []*onnxpb.NodeProto{
			op("Conv", "c1", []string{"x", "c1.w", "c1.b"}, attrInts("pads", 1, 1, 1, 1), attrInts("strides", 1, 1), attrInts("dilations", 1, 1), attrInt("group", 1), attrInts("kernel_shape", 3, 3)),
			op("BatchNormalization", "bn", []string{"c1", "bn.g", "bn.b", "bn.m", "bn.v"}, attrFloat("epsilon", 1e-5)),
			op("Relu", "r", []string{"bn"}),
			op("MaxPool", "p", []string{"r"}, attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2)),
			op("Slice", "sl", []string{"p", "sl.starts", "sl.ends", "sl.axes", "sl.steps"}),
			op("Pad", "sp", []string{"sl", "sp.pads"}),
			op("Conv", "c2", []string{"p", "c2.w"}, attrInts("strides", 2, 2)),
			op("Add", "a", []string{"c2", "sp"}),
			op("Mul", "ms", []string{"a", "ms.s"}),
			op("Add", "as", []string{"ms", "as.s"}),
			op("Pad", "pd", []string{"as", "pd.pads"}, attrString("mode", "constant")),
			op("AveragePool", "ap", []string{"pd"}, attrInts("kernel_shape", 3, 3)),
			op("GlobalAveragePool", "gp", []string{"ap"}),
			op("Reshape", "seq", []string{"gp", "seq.shape"}),
			op("Conv", "c1d", []string{"seq", "c1d.w"}, attrInts("pads", 1, 1)),
			op("Reshape", "eca", []string{"c1d", "eca.shape"}),
			op("Sigmoid", "sg", []string{"eca"}),
			op("Mul", "gated", []string{"ap", "sg"}),
			op("GlobalMaxPool", "gm", []string{"gated"}),
			op("Flatten", "f", []string{"gm"}),
			op("Gemm", "fc", []string{"f", "fc.w", "fc.b"}, attrInt("transB", 1)),
			op("Dropout", "d", []string{"fc"}),
			op("Softmax", "out", []string{"d"}, attrInt("axis", 1)),
		},
	}
	return &onnxpb.ModelProto{IrVersion: proto.Int64(8), Graph: g}
}

func findNode(m *onnxpb.ModelProto, name string) *onnxpb.NodeProto {
	for _, n := range m.Graph.Node {
		if n.GetName() == name {
			return n
		}
	}
	panic("no node " + name)
}

func findInit(m *onnxpb.ModelProto, name string) *onnxpb.TensorProto {
	for _, t := range m.Graph.Initializer {
		if t.GetName() == name {
			return t
		}
	}
	panic("no initializer " + name)
}

// setAttr replaces or adds an attribute of node name.
func setAttr(m *onnxpb.ModelProto, name string, a *onnxpb.AttributeProto) {
	n := findNode(m, name)
	for i, b := range n.Attribute {
		if b.Name == a.Name {
			n.Attribute[i] = a
			return
		}
	}
	n.Attribute = append(n.Attribute, a)
}

func setDim(m *onnxpb.ModelProto, i int, d *onnxpb.TensorShapeProto_Dimension) {
	m.Graph.Input[0].Type.GetTensorType().Shape.Dim[i] = d
}

func dimValue(v int64) *onnxpb.TensorShapeProto_Dimension {
	return &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: v}}
}

// A malformed model: how it differs from validModel, and a part of the
// error it must give.
type malformed struct {
	name   string
	change func(m *onnxpb.ModelProto)
	want   string
}

var malformedModels = []malformed{
	// The graph's interface.
	{"no graph", func(m *onnxpb.ModelProto) { m.Graph = nil }, "no graph"},
	{"no inputs", func(m *onnxpb.ModelProto) { m.Graph.Input = nil }, "one input"},
	{"no outputs", func(m *onnxpb.ModelProto) { m.Graph.Output = nil }, "one output"},
	{"two inputs", func(m *onnxpb.ModelProto) { m.Graph.Input = append(m.Graph.Input, tensorInfo("y", 1, 3, 8, 8)) }, "one input"},
	{"no output", func(m *onnxpb.ModelProto) { m.Graph.Output = nil }, "at least one output"},
	{"second output of nothing", func(m *onnxpb.ModelProto) { m.Graph.Output = append(m.Graph.Output, tensorInfo("nowhere", 1, 10)) }, "not computed"},
	{"nil input", func(m *onnxpb.ModelProto) { m.Graph.Input[0] = nil }, "not a float tensor"},
	{"input without type", func(m *onnxpb.ModelProto) { m.Graph.Input[0].Type = nil }, "not a float tensor"},
	{"int64 input", func(m *onnxpb.ModelProto) {
		m.Graph.Input[0].Type.GetTensorType().ElemType = proto.Int32(int32(onnxpb.TensorProto_INT64))
	}, "not a float tensor"},
	{"input of rank 3", func(m *onnxpb.ModelProto) {
		tt := m.Graph.Input[0].Type.GetTensorType()
		tt.Shape.Dim = tt.Shape.Dim[:3]
	}, "rank 3"},
	{"input without shape", func(m *onnxpb.ModelProto) { m.Graph.Input[0].Type.GetTensorType().Shape = nil }, "rank 0"},
	{"zero channels", func(m *onnxpb.ModelProto) { setDim(m, 1, dimValue(0)) }, "not fixed"},
	{"symbolic height", func(m *onnxpb.ModelProto) {
		setDim(m, 2, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "h"}})
	}, "not fixed"},
	{"huge height", func(m *onnxpb.ModelProto) { setDim(m, 2, dimValue(1<<62)) }, "too large"},
	{"input elements overflow", func(m *onnxpb.ModelProto) {
		setDim(m, 1, dimValue(1<<30))
		setDim(m, 2, dimValue(1<<30))
		setDim(m, 3, dimValue(1<<30))
	}, "too large"},
	{"output not computed", func(m *onnxpb.ModelProto) { m.Graph.Output[0].Name = proto.String("nowhere") }, "output nowhere"},
	{"nil node", func(m *onnxpb.ModelProto) { m.Graph.Node[3] = nil }, "no node"},
	{"node without outputs", func(m *onnxpb.ModelProto) { findNode(m, "r").Output = nil }, "want one output"},
	{"dropout without outputs", func(m *onnxpb.ModelProto) { findNode(m, "d").Output = nil }, "want one output"},
	{"batch norm without outputs", func(m *onnxpb.ModelProto) { findNode(m, "bn").Output = nil }, "want one output"},
	{"node without inputs", func(m *onnxpb.ModelProto) { findNode(m, "c1").Input = nil }, "missing input"},
	{"unknown input", func(m *onnxpb.ModelProto) { findNode(m, "r").Input[0] = "ghost" }, "ghost"},
	{"node reads its own output", func(m *onnxpb.ModelProto) { findNode(m, "r").Input[0] = "r" }, "not a tensor computed"},
	{"unknown operator", func(m *onnxpb.ModelProto) { findNode(m, "r").OpType = proto.String("Erf") }, "Erf is not supported"},
	{"custom domain", func(m *onnxpb.ModelProto) { findNode(m, "r").Domain = proto.String("com.example") }, "domain"},
	{"two nodes of one name", func(m *onnxpb.ModelProto) { findNode(m, "r").Name = proto.String("c1") }, "not unique"},
	{"unnamed node with empty output", func(m *onnxpb.ModelProto) { n := findNode(m, "out"); n.Name, n.Output[0] = proto.String(""), "" }, "output out"},

	// Conv.
	{"conv without weight", func(m *onnxpb.ModelProto) { findNode(m, "c1").Input = []string{"x"} }, "conv weight"},
	{"conv weight not an initializer", func(m *onnxpb.ModelProto) { findNode(m, "c1").Input[1] = "x" }, "initializer"},
	{"conv weight of rank 3", func(m *onnxpb.ModelProto) { findInit(m, "c1.w").Dims = []int64{4, 3, 9} }, "2-D"},
	{"conv weight of int64", func(m *onnxpb.ModelProto) {
		findInit(m, "c1.w").DataType = proto.Int32(int32(onnxpb.TensorProto_INT64))
	}, "not FLOAT"},
	{"conv weight short of data", func(m *onnxpb.ModelProto) { t := findInit(m, "c1.w"); t.FloatData = t.FloatData[1:] }, "values for shape"},
	{"conv weight raw data short", func(m *onnxpb.ModelProto) { t := findInit(m, "c1.w"); t.FloatData, t.RawData = nil, make([]byte, 7) }, "bytes of data"},
	{"conv weight dims overflow", func(m *onnxpb.ModelProto) {
		t := findInit(m, "c1.w")
		t.Dims, t.FloatData = []int64{1 << 32, 1 << 32, 1, 1}, nil
	}, "too large"},
	{"conv weight negative dims", func(m *onnxpb.ModelProto) { findInit(m, "c1.w").Dims = []int64{-4, -3, 3, 3} }, "negative"},
	{"conv weight in-channels", func(m *onnxpb.ModelProto) {
		t := findInit(m, "c1.w")
		t.Dims = []int64{4, 2, 3, 3}
		t.FloatData = t.FloatData[:72]
	}, "shape"},
	{"conv one-element strides", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("strides", 2)) }, "strides"},
	{"conv empty dilations", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("dilations")) }, "dilations"},
	{"conv zero strides", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("strides", 0, 0)) }, "stride"},
	{"conv negative strides", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("strides", -1, -1)) }, "stride"},
	{"conv zero dilations", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("dilations", 0, 0)) }, "dilation"},
	{"conv huge dilations", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("dilations", 1<<62, 1<<62)) }, "dilation"},
	{"conv group 0", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInt("group", 0)) }, "group"},
	{"conv negative group", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInt("group", -3)) }, "group"},
	{"conv group not dividing", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInt("group", 2)) }, "groups=2"},
	{"conv group beyond int", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInt("group", 1<<40)) }, "group"},
	{"conv kernel_shape disagrees", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("kernel_shape", 5, 5)) }, "shape"},
	{"conv kernel_shape of rank 3", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("kernel_shape", 3, 3, 3)) }, "2-D"},
	{"conv two pads", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("pads", 1, 1)) }, "pads"},
	{"conv negative pads", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("pads", -1, -1, -1, -1)) }, "pad"},
	{"conv huge pads", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("pads", 1<<62, 1<<62, 1<<62, 1<<62)) }, "pad"},
	{"conv pads making a huge output", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrInts("pads", 1<<30, 1<<30, 1<<30, 1<<30)) }, "too large"},
	{"conv auto_pad", func(m *onnxpb.ModelProto) { setAttr(m, "c1", attrString("auto_pad", "SAME_UPPER")) }, "auto_pad"},
	{"conv kernel larger than input", func(m *onnxpb.ModelProto) {
		t := findInit(m, "c1.w")
		t.Dims, t.FloatData = []int64{4, 3, 11, 11}, make([]float32, 4*3*11*11)
		setAttr(m, "c1", attrInts("kernel_shape", 11, 11))
	}, "larger than"},

	// Batch norm.
	{"batch norm missing variance", func(m *onnxpb.ModelProto) { n := findNode(m, "bn"); n.Input = n.Input[:4] }, "batch norm input 4"},
	{"batch norm training", func(m *onnxpb.ModelProto) { setAttr(m, "bn", attrInt("training_mode", 1)) }, "training"},
	{"batch norm zero epsilon", func(m *onnxpb.ModelProto) { setAttr(m, "bn", attrFloat("epsilon", 0)) }, "epsilon"},
	{"batch norm NaN epsilon", func(m *onnxpb.ModelProto) { setAttr(m, "bn", attrFloat("epsilon", float32(math.NaN()))) }, "epsilon"},
	{"batch norm wrong channels", func(m *onnxpb.ModelProto) { findInit(m, "bn.v").Dims = []int64{2, 2} }, "shape"},

	// Pools.
	{"max pool without kernel", func(m *onnxpb.ModelProto) { findNode(m, "p").Attribute = nil }, "kernel_shape"},
	{"max pool indices", func(m *onnxpb.ModelProto) { n := findNode(m, "p"); n.Output = append(n.Output, "idx") }, "Indices"},
	{"max pool zero strides", func(m *onnxpb.ModelProto) { setAttr(m, "p", attrInts("strides", 0, 0)) }, "stride"},
	{"max pool zero kernel", func(m *onnxpb.ModelProto) { setAttr(m, "p", attrInts("kernel_shape", 0, 0)) }, "kernel"},
	{"avg pool one-element kernel", func(m *onnxpb.ModelProto) { setAttr(m, "ap", attrInts("kernel_shape", 3)) }, "2-D"},

	// Option A's Slice and Pad.
	{"slice without ends", func(m *onnxpb.ModelProto) { n := findNode(m, "sl"); n.Input = n.Input[:2] }, "input 2"},
	{"slice with one end", func(m *onnxpb.ModelProto) { *findInit(m, "sl.ends") = *int64s("sl.ends", 8) }, "subsample"},
	{"slice with empty ends", func(m *onnxpb.ModelProto) { *findInit(m, "sl.ends") = *int64s("sl.ends") }, "subsample"},
	{"slice step 0", func(m *onnxpb.ModelProto) { *findInit(m, "sl.steps") = *int64s("sl.steps", 0, 0) }, "subsample"},
	{"slice step beyond int32", func(m *onnxpb.ModelProto) { *findInit(m, "sl.steps") = *int64s("sl.steps", 1<<40, 1<<40) }, "stride"},
	{"slice of a flattened tensor", func(m *onnxpb.ModelProto) {
		m.Graph.Node = append(m.Graph.Node, op("Slice", "sl2", []string{"f", "sl.starts", "sl.ends", "sl.axes", "sl.steps"}))
	}, "subsample"},
	{"slice of unknown tensor", func(m *onnxpb.ModelProto) { findNode(m, "sl").Input[0] = "ghost" }, "ghost"},
	{"slice int64 raw data ragged", func(m *onnxpb.ModelProto) { t := findInit(m, "sl.axes"); t.Int64Data, t.RawData = nil, make([]byte, 9) }, "whole number"},
	{"slice ends of float", func(m *onnxpb.ModelProto) {
		findInit(m, "sl.ends").DataType = proto.Int32(int32(onnxpb.TensorProto_FLOAT))
	}, "not INT64"},
	{"channel pad of H", func(m *onnxpb.ModelProto) { *findInit(m, "sp.pads") = *int64s("sp.pads", 0, 2, 1, 0, 0, 2, 0, 0) }, "pads channels only"},
	{"channel pad negative", func(m *onnxpb.ModelProto) { *findInit(m, "sp.pads") = *int64s("sp.pads", 0, -2, 0, 0, 0, -2, 0, 0) }, "pad"},
	{"channel pad huge", func(m *onnxpb.ModelProto) {
		*findInit(m, "sp.pads") = *int64s("sp.pads", 0, 1<<62, 0, 0, 0, 1<<62, 0, 0)
	}, "pad"},
	{"channel pad short", func(m *onnxpb.ModelProto) { *findInit(m, "sp.pads") = *int64s("sp.pads", 0, 2) }, "pads channels only"},
	{"channel pad without pads", func(m *onnxpb.ModelProto) { findNode(m, "sp").Input = []string{"sl"} }, "input 1"},

	// Pad, per-channel Mul and Add, Add.
	{"pad reflect", func(m *onnxpb.ModelProto) { setAttr(m, "pd", attrString("mode", "reflect")) }, "constant zero padding"},
	{"pad of channels", func(m *onnxpb.ModelProto) { *findInit(m, "pd.pads") = *int64s("pd.pads", 0, 1, 1, 1, 0, 0, 1, 1) }, "constant zero padding"},
	{"pad negative", func(m *onnxpb.ModelProto) { *findInit(m, "pd.pads") = *int64s("pd.pads", 0, 0, -1, -1, 0, 0, -1, -1) }, "pad"},
	{"pad huge", func(m *onnxpb.ModelProto) {
		*findInit(m, "pd.pads") = *int64s("pd.pads", 0, 0, 1<<62, 1, 0, 0, 1<<62, 1)
	}, "pad"},
	{"pad short", func(m *onnxpb.ModelProto) { *findInit(m, "pd.pads") = *int64s("pd.pads", 1, 1) }, "constant zero padding"},
	{"mul by a whole tensor", func(m *onnxpb.ModelProto) { findInit(m, "ms.s").Dims = []int64{8, 1} }, "per-channel"},
	{"add by wrong channels", func(m *onnxpb.ModelProto) { *findInit(m, "as.s") = *floats("as.s", 4, 1, 1) }, "per-channel"},
	{"add of one input", func(m *onnxpb.ModelProto) { findNode(m, "a").Input = []string{"c2"} }, "inputs"},
	{"add of different shapes", func(m *onnxpb.ModelProto) { findNode(m, "a").Input[1] = "p" }, "different shapes"},
	{"gate of wrong shape", func(m *onnxpb.ModelProto) { findNode(m, "gated").Input[1] = "pd" }, "gate"},

	// ECA's channel conv.
	{"reshape to another shape", func(m *onnxpb.ModelProto) { *findInit(m, "seq.shape") = *int64s("seq.shape", 0, -1) }, "reshapes"},
	{"reshape without shape", func(m *onnxpb.ModelProto) { findNode(m, "seq").Input = []string{"gp"} }, "input 1"},
	{"reshape without inputs", func(m *onnxpb.ModelProto) { findNode(m, "seq").Input = nil }, "input 1"},
	{"channel conv weight shape", func(m *onnxpb.ModelProto) { *findInit(m, "c1d.w") = *floats("c1d.w", 2, 1, 3) }, "channel conv weight"},
	{"channel conv even kernel", func(m *onnxpb.ModelProto) {
		*findInit(m, "c1d.w") = *floats("c1d.w", 1, 1, 2)
		setAttr(m, "c1d", attrInts("pads", 0, 0))
	}, "odd"},
	{"channel conv empty kernel", func(m *onnxpb.ModelProto) {
		*findInit(m, "c1d.w") = *floats("c1d.w", 1, 1, 0)
		setAttr(m, "c1d", attrInts("pads", 0, 0))
	}, "kernel"},
	{"channel conv huge kernel", func(m *onnxpb.ModelProto) {
		t := findInit(m, "c1d.w")
		t.Dims, t.FloatData = []int64{1, 1, 1<<40 + 1}, nil
		setAttr(m, "c1d", attrInts("pads", 1<<39, 1<<39))
	}, "c1d.w"},
	{"channel conv with bias", func(m *onnxpb.ModelProto) { n := findNode(m, "c1d"); n.Input = append(n.Input, "fc.b") }, "no bias"},
	{"channel conv weight of int64", func(m *onnxpb.ModelProto) {
		findInit(m, "c1d.w").DataType = proto.Int32(int32(onnxpb.TensorProto_INT64))
	}, "not FLOAT"},
	{"channel conv one pad", func(m *onnxpb.ModelProto) { setAttr(m, "c1d", attrInts("pads", 1)) }, "pads"},

	// The head.
	{"flatten axis 2", func(m *onnxpb.ModelProto) { setAttr(m, "f", attrInt("axis", 2)) }, "axis 1"},
	{"gemm transB 0", func(m *onnxpb.ModelProto) { setAttr(m, "fc", attrInt("transB", 0)) }, "transB=1"},
	{"gemm scalar weight", func(m *onnxpb.ModelProto) { *findInit(m, "fc.w") = *floats("fc.w") }, "gemm weight"},
	{"gemm weight of wrong features", func(m *onnxpb.ModelProto) { *findInit(m, "fc.w") = *floats("fc.w", 10, 7) }, "shape"},
	{"gemm bias of wrong size", func(m *onnxpb.ModelProto) { *findInit(m, "fc.b") = *floats("fc.b", 3) }, "shape"},
	{"gemm on a 4-D input", func(m *onnxpb.ModelProto) { findNode(m, "fc").Input[0] = "gm" }, "flatten first"},
	{"dropout ratio not an initializer", func(m *onnxpb.ModelProto) { n := findNode(m, "d"); n.Input = append(n.Input, "fc") }, "ratio"},
	{"dropout ratio of two values", func(m *onnxpb.ModelProto) { n := findNode(m, "d"); n.Input = append(n.Input, "sl.steps") }, "ratio"},
	{"softmax axis 0", func(m *onnxpb.ModelProto) { setAttr(m, "out", attrInt("axis", 0)) }, "axis 1"},
}

func TestImportValidModel(t *testing.T) {
	g, w, err := Import(validModel())
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(g.Outputs[0].Node.Shape); got != "[N,10]" {
		t.Errorf("output shape %s, want [N,10]", got)
	}
	if len(w) == 0 {
		t.Error("no weights")
	}
}

// TestImportMalformed checks that every malformed model gives an error
// that says what is wrong, both as a ModelProto and through its bytes.
func TestImportMalformed(t *testing.T) {
	checkMalformed(t, validModel, malformedModels)
}

// checkMalformed imports each case's change of valid().
func checkMalformed(t *testing.T, valid func() *onnxpb.ModelProto, cases []malformed) {
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("case %q twice", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := valid()
			c.change(m)
			err := importNoPanic(t, m)
			if err == nil {
				t.Fatal("imported without error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if m.Graph == nil || hasNil(m) {
				return // proto.Marshal cannot encode a nil element
			}
			b, err := proto.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := readImport(b); err == nil {
				t.Error("its bytes imported without error")
			}
		})
	}
}

func hasNil(m *onnxpb.ModelProto) bool {
	for _, v := range m.Graph.Input {
		if v == nil {
			return true
		}
	}
	for _, n := range m.Graph.Node {
		if n == nil {
			return true
		}
	}
	return false
}

func importNoPanic(t *testing.T, m *onnxpb.ModelProto) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Import panicked: %v", r)
		}
	}()
	_, _, err = Import(m)
	return err
}
