package onnx

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// validNewOpsModel uses every newer operator Import recognises, and the
// Identity forms: a DropPath, a second name for an output, the input as an
// output.
func validNewOpsModel() *onnxpb.ModelProto {
	scalar := func(name string, v float32) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), FloatData: []float32{v}}
	}
	vector := func(name string, v ...float32) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Dims: []int64{int64(len(v))}, FloatData: v}
	}
	g := &onnxpb.GraphProto{
		Name:   proto.String("newops"),
		Input:  []*onnxpb.ValueInfoProto{tensorInfo("x", 1, 4, 6, 6)},
		Output: []*onnxpb.ValueInfoProto{tensorInfo("drop", 1, 40, 6, 6), tensorInfo("second", 1, 40, 6, 6), tensorInfo("image", 1, 4, 6, 6)},
		Initializer: []*onnxpb.TensorProto{
			scalar("r6.min", 0), scalar("r6.max", 6),
			int64s("sl.starts", 1), int64s("sl.ends", 3), int64s("sl.axes", 1),
			vector("up.scales", 1, 1, 2, 2),
		},
		Node: []*onnxpb.NodeProto{
			op("Tanh", "t", []string{"x"}),
			op("LeakyRelu", "lr", []string{"t"}, attrFloat("alpha", 0.1)),
			op("Clip", "r6", []string{"lr", "r6.min", "r6.max"}),
			op("HardSigmoid", "hs", []string{"r6"}, attrFloat("alpha", 1.0/6), attrFloat("beta", 0.5)),
			op("HardSwish", "hw", []string{"hs"}),
			op("Slice", "sl", []string{"hw", "sl.starts", "sl.ends", "sl.axes"}),
			op("Concat", "cat", []string{"hw", "sl", "x"}, attrInt("axis", 1)),
			op("SpaceToDepth", "s2d", []string{"cat"}, attrInt("blocksize", 2)),
			op("Resize", "up", []string{"s2d", "", "up.scales"}, attrString("coordinate_transformation_mode", "asymmetric"),
				attrString("mode", "nearest"), attrString("nearest_mode", "floor")),
			op("Gelu", "ge", []string{"up"}),
			// A DropPath that is an output: named after the IR node,
			// its value after the output.
			{OpType: proto.String("Identity"), Name: proto.String("dp"), Input: []string{"ge"}, Output: []string{"drop"}},
			op("Identity", "second", []string{"drop"}),
			op("Identity", "image", []string{"x"}),
		},
	}
	return &onnxpb.ModelProto{IrVersion: proto.Int64(9), Graph: g}
}

// malformedNewOps differ from validNewOpsModel in one way each.
var malformedNewOps = []malformed{
	{"hardsigmoid with ONNX's default slope", func(m *onnxpb.ModelProto) { setAttr(m, "hs", attrFloat("alpha", 0.2)) }, "alpha 1/6"},
	{"hardsigmoid offset 0.6", func(m *onnxpb.ModelProto) { setAttr(m, "hs", attrFloat("beta", 0.6)) }, "alpha 1/6"},
	{"clip to 5", func(m *onnxpb.ModelProto) { findInit(m, "r6.max").FloatData = []float32{5} }, "[0, 6]"},
	{"clip without max", func(m *onnxpb.ModelProto) { n := findNode(m, "r6"); n.Input = n.Input[:2] }, "both bounds"},
	{"clip bound computed", func(m *onnxpb.ModelProto) { findNode(m, "r6").Input[2] = "t" }, "both bounds"},
	{"clip bound of two values", func(m *onnxpb.ModelProto) { findInit(m, "r6.max").FloatData = []float32{6, 6} }, "values for shape"},
	{"concat along axis 0", func(m *onnxpb.ModelProto) { setAttr(m, "cat", attrInt("axis", 0)) }, "axis 1"},
	{"concat along axis 2", func(m *onnxpb.ModelProto) { setAttr(m, "cat", attrInt("axis", 2)) }, "axis 1"},
	{"concat of one input", func(m *onnxpb.ModelProto) { findNode(m, "cat").Input = []string{"hw"} }, "two or more"},
	{"concat of an initializer", func(m *onnxpb.ModelProto) { findNode(m, "cat").Input[2] = "up.scales" }, "not a tensor computed"},
	{"slice along H", func(m *onnxpb.ModelProto) { findInit(m, "sl.axes").Int64Data = []int64{2} }, "supported"},
	{"slice with step 2", func(m *onnxpb.ModelProto) {
		m.Graph.Initializer = append(m.Graph.Initializer, int64s("sl.steps", 2))
		n := findNode(m, "sl")
		n.Input = append(n.Input, "sl.steps")
	}, "step 1"},
	{"slice of no channels", func(m *onnxpb.ModelProto) { findInit(m, "sl.ends").Int64Data = []int64{1} }, "non-empty range"},
	{"slice of two ranges", func(m *onnxpb.ModelProto) { findInit(m, "sl.starts").Int64Data = []int64{1, 1} }, "step 1"},
	{"slice starts computed", func(m *onnxpb.ModelProto) { findNode(m, "sl").Input[1] = "t" }, "int64 initializer"},
	{"space to depth by 4", func(m *onnxpb.ModelProto) { setAttr(m, "s2d", attrInt("blocksize", 4)) }, "must divide"},
	{"space to depth by 0", func(m *onnxpb.ModelProto) { setAttr(m, "s2d", attrInt("blocksize", 0)) }, "blocksize"},
	{"space to depth by 2^40", func(m *onnxpb.ModelProto) { setAttr(m, "s2d", attrInt("blocksize", 1<<40)) }, "blocksize"},
	{"resize linear", func(m *onnxpb.ModelProto) { setAttr(m, "up", attrString("mode", "linear")) }, "mode nearest"},
	{"resize half_pixel", func(m *onnxpb.ModelProto) {
		setAttr(m, "up", attrString("coordinate_transformation_mode", "half_pixel"))
	}, "asymmetric"},
	{"resize rounding to nearest", func(m *onnxpb.ModelProto) {
		setAttr(m, "up", attrString("nearest_mode", "round_prefer_floor"))
	}, "nearest_mode floor"},
	{"resize with axes", func(m *onnxpb.ModelProto) { setAttr(m, "up", attrInts("axes", 2, 3)) }, "supported"},
	{"resize by 1.5", func(m *onnxpb.ModelProto) { findInit(m, "up.scales").FloatData = []float32{1, 1, 1.5, 2} }, "integer factors"},
	{"resize by 0", func(m *onnxpb.ModelProto) { findInit(m, "up.scales").FloatData = []float32{1, 1, 0, 2} }, "integer factors"},
	{"resize by NaN", func(m *onnxpb.ModelProto) {
		findInit(m, "up.scales").FloatData = []float32{1, 1, float32(nan()), 2}
	}, "integer factors"},
	{"resize by 2^30", func(m *onnxpb.ModelProto) { findInit(m, "up.scales").FloatData = []float32{1, 1, 1 << 30, 2} }, "too large"},
	{"resize by 2^40", func(m *onnxpb.ModelProto) { findInit(m, "up.scales").FloatData = []float32{1, 1, 1 << 40, 2} }, "integer factors"},
	{"resize of the batch", func(m *onnxpb.ModelProto) { findInit(m, "up.scales").FloatData = []float32{2, 1, 2, 2} }, "H and W"},
	{"resize by three scales", func(m *onnxpb.ModelProto) { findInit(m, "up.scales").FloatData = []float32{1, 2, 2} }, "values for shape"},
	{"resize to sizes", func(m *onnxpb.ModelProto) { n := findNode(m, "up"); n.Input = append(n.Input, "sl.starts") }, "not both"},
	{"resize scales computed", func(m *onnxpb.ModelProto) { findNode(m, "up").Input[2] = "t" }, "initializer"},
	{"resize with a region", func(m *onnxpb.ModelProto) { findNode(m, "up").Input[1] = "up.scales" }, "region of interest"},
	{"gelu approximated", func(m *onnxpb.ModelProto) { setAttr(m, "ge", attrString("approximate", "tanh")) }, "exact Gelu"},
	{"leaky relu of two inputs", func(m *onnxpb.ModelProto) { n := findNode(m, "lr"); n.Input = append(n.Input, "x") }, "one input"},
	{"identity of two inputs", func(m *onnxpb.ModelProto) { n := findNode(m, "dp"); n.Input = append(n.Input, "x") }, "one input"},
	{"output computed twice", func(m *onnxpb.ModelProto) {
		m.Graph.Node = append(m.Graph.Node, op("Identity", "second", []string{"t"}))
	}, "computed twice"},
	{"output of nothing", func(m *onnxpb.ModelProto) { m.Graph.Output[1].Name = proto.String("nowhere") }, "not computed"},
	{"two outputs of one name", func(m *onnxpb.ModelProto) { m.Graph.Output[1].Name = proto.String("drop") }, "not unique"},
	{"operator of the decomposed layer norm", func(m *onnxpb.ModelProto) {
		findNode(m, "t").OpType = proto.String("ReduceMean")
	}, "ReduceMean is not supported"},
}

func nan() float64 { var z float64; return z / z }

func TestImportValidNewOpsModel(t *testing.T) {
	g, _, err := Import(validNewOpsModel())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range g.Outputs {
		got = append(got, fmt.Sprintf("%s=%s%v", o.Name, o.Node.Name, o.Node.Shape))
	}
	if want := "[drop=dp[N,40,6,6] second=dp[N,40,6,6] image=x[N,4,6,6]]"; fmt.Sprint(got) != want {
		t.Errorf("outputs %v, want %s", got, want)
	}
	var ops []string
	for _, n := range g.Nodes {
		ops = append(ops, n.Op.String())
	}
	if want := "Input Tanh LeakyRelu Relu6 HardSigmoid HardSwish Slice Concat SpaceToDepth Upsample Gelu DropPath"; strings.Join(ops, " ") != want {
		t.Errorf("ops %v, want %s", ops, want)
	}
}

func TestImportMalformedNewOps(t *testing.T) {
	checkMalformed(t, validNewOpsModel, malformedNewOps)
}

// TestImportRoundTripNewOps exports graphs of the newer ops Import
// recognises, imports them and exports again: the bytes must be the
// same, at each opset whose lowering of them differs.
func TestImportRoundTripNewOps(t *testing.T) {
	for _, opset := range []int{14, 17, 20, 21} {
		o := newOpGraph(uint64(opset))
		x := o.input(5, 6, 4)
		v := o.unary(ir.OpTanh, x)
		v = o.add(ir.OpLeakyRelu, ir.Attrs{Alpha: 0.07}, nil, v)
		v = o.unary(ir.OpRelu6, v)
		hs := o.unary(ir.OpHardSigmoid, v)
		v = o.unary(ir.OpHardSwish, hs)
		s := o.add(ir.OpSlice, ir.Attrs{Begin: 1, End: 4}, nil, v)
		v = o.add(ir.OpConcat, ir.Attrs{}, nil, s, x, hs)
		v = o.add(ir.OpSpaceToDepth, ir.Attrs{Block: 2}, nil, v)
		v = o.add(ir.OpUpsample, ir.Attrs{Factor: [2]int{3, 2}}, nil, v)
		v = o.add(ir.OpDropPath, ir.Attrs{}, nil, v)
		if opset >= 20 {
			v = o.unary(ir.OpGelu, v)
		}
		g, w := o.graph(v, x, v, s)
		b1, err := Export(g, w, Options{Opset: opset})
		if err != nil {
			t.Fatal(err)
		}
		m, err := Read(b1)
		if err != nil {
			t.Fatal(err)
		}
		g2, w2, err := Import(m)
		if err != nil {
			t.Fatalf("opset %d: %v", opset, err)
		}
		b2, err := Export(g2, w2, Options{Opset: opset})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Errorf("opset %d: the export of the imported graph differs (%d bytes, %d before)", opset, len(b2), len(b1))
		}
	}
}
