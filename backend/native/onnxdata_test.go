package native

import (
	"fmt"
	"github.com/resc-dev/resc/internal/testenv"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// onnxTestData is where Debian's libonnx-testdata installs ONNX's backend
// test data: one directory per case with model.onnx and
// test_data_set_0/{input,output}_*.pb.
const onnxTestData = "/usr/share/libonnx-testdata/data"

// onnxFamilies are the cases this backend must run: each case directory
// under node/ or pytorch-converted/ whose name matches.
var onnxFamilies = map[string]*regexp.Regexp{
	"node": regexp.MustCompile(`^test_(conv_|basic_conv_|maxpool_2d_|averagepool_2d_|globalaveragepool|globalmaxpool|` +
		`batchnorm_|relu|sigmoid|add|mul|gemm_|flatten_|softmax_|maxpool_with_argmax_2d_|` +
		// The ops of the language issue: their function bodies
		// (_expanded) are not single nodes.
		`concat_|hardswish$|leakyrelu|tanh|spacetodepth|upsample_nearest$|resize_upsample_scales_nearest$|` +
		`layer_normalization_(\dd_axis(\d|_negative_\d)(_epsilon)?|default_axis)$)`),
	"pytorch-converted": regexp.MustCompile(`^test_(Conv2d|AvgPool2d|BatchNorm2d_eval|LeakyReLU|Tanh)`),
}

// onnxExcluded are the cases of those families that need what ResNets never
// use, with the reason.
var onnxExcluded = map[string]string{
	"node/test_add_bcast":                                  "broadcasts a [5] over [3,4,5]; residual sums add equal shapes",
	"node/test_add_uint8":                                  "uint8 tensors; the IR is float32",
	"node/test_mul_bcast":                                  "broadcasts a [5] over the last axis; squeeze-and-excitation gates are [N,C,1,1]",
	"node/test_mul_uint8":                                  "uint8 tensors; the IR is float32",
	"node/test_maxpool_2d_uint8":                           "uint8 tensors; the IR is float32",
	"node/test_maxpool_with_argmax_2d_precomputed_pads":    "the Indices output",
	"node/test_maxpool_with_argmax_2d_precomputed_strides": "the Indices output",
	"node/test_batchnorm_epsilon_training_mode":            "training mode: batch statistics and running-statistics outputs",
	"node/test_batchnorm_example_training_mode":            "training mode: batch statistics and running-statistics outputs",
	"node/test_gemm_default_matrix_bias":                   "an [M,N] bias, one row per sample; a fully connected layer's bias is per output",
	"node/test_softmax_axis_0_expanded":                    "Softmax's function body (ReduceMax, Sub, Exp, ReduceSum, Div); the unexpanded case runs the same data",
	"node/test_softmax_axis_1_expanded":                    "Softmax's function body (ReduceMax, Sub, Exp, ReduceSum, Div); the unexpanded case runs the same data",
	"node/test_softmax_axis_2_expanded":                    "Softmax's function body (ReduceMax, Sub, Exp, ReduceSum, Div); the unexpanded case runs the same data",
	"node/test_softmax_default_axis_expanded":              "Softmax's function body (ReduceMax, Sub, Exp, ReduceSum, Div); the unexpanded case runs the same data",
	"node/test_softmax_example_expanded":                   "Softmax's function body (ReduceMax, Sub, Exp, ReduceSum, Div); the unexpanded case runs the same data",
	"node/test_softmax_large_number_expanded":              "Softmax's function body (ReduceMax, Sub, Exp, ReduceSum, Div); the unexpanded case runs the same data",
	"node/test_softmax_negative_axis_expanded":             "Softmax's function body (ReduceMax, Sub, Exp, ReduceSum, Div); the unexpanded case runs the same data",
}

// TestONNXBackendData runs ONNX's backend test cases for the operators
// ResNets use and those of the language issue's ops that the test data has
// (Concat along any axis, HardSwish, LeakyRelu, Tanh, LayerNormalization
// over any trailing axes, SpaceToDepth, nearest Upsample and Resize): each
// case's node becomes an IR graph, runs natively, and
// must match the expected output at ONNX's tolerances (rtol 1e-3, atol
// 1e-7). A case of the families that cannot run fails the test unless
// onnxExcluded names it.
func TestONNXBackendData(t *testing.T) {
	if _, err := os.Stat(onnxTestData); err != nil {
		testenv.Missing(t, "ONNX's backend test data is not at %s (Debian package libonnx-testdata)", onnxTestData)
	}
	var cases []string
	for dir, re := range onnxFamilies {
		entries, err := os.ReadDir(filepath.Join(onnxTestData, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if re.MatchString(e.Name()) {
				cases = append(cases, dir+"/"+e.Name())
			}
		}
	}
	sort.Strings(cases)
	seen := map[string]bool{}
	ran := 0
	for _, name := range cases {
		seen[name] = true
		if reason, ok := onnxExcluded[name]; ok {
			t.Logf("excluded %s: %s", name, reason)
			continue
		}
		t.Run(name, func(t *testing.T) {
			if err := runONNXCase(t, filepath.Join(onnxTestData, name)); err != nil {
				t.Fatal(err)
			}
		})
		ran++
	}
	for name := range onnxExcluded {
		if !seen[name] {
			t.Errorf("the exclusion list names %s, which is not a case of the families", name)
		}
	}
	t.Logf("ran %d ONNX test cases, excluded %d", ran, len(onnxExcluded))
	if ran < 120 {
		t.Errorf("ran only %d cases", ran)
	}
}

// An onnxCase is one case's model and first test data set.
type onnxCase struct {
	node    *onnxpb.NodeProto
	opset   int64
	values  map[string]*onnxpb.TensorProto // initializers and fed inputs by name
	want    *onnxpb.TensorProto
	g       *ir.Graph
	w       weights.Set
	feeds   [][]float32 // one per IR input node, in graph order
	batch   int
	reshape bool // the graph views the tensors in another shape
}

func runONNXCase(t *testing.T, dir string) error {
	m, err := onnx.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return err
	}
	if len(m.Graph.Node) != 1 {
		return fmt.Errorf("%d nodes; want one", len(m.Graph.Node))
	}
	oc := &onnxCase{node: m.Graph.Node[0], values: map[string]*onnxpb.TensorProto{}, w: weights.Set{}}
	for _, op := range m.OpsetImport {
		if op.GetDomain() == "" || op.GetDomain() == "ai.onnx" {
			oc.opset = op.GetVersion()
		}
	}
	inits := map[string]bool{}
	for _, x := range m.Graph.Initializer {
		oc.values[x.GetName()] = x
		inits[x.GetName()] = true
	}
	i := 0
	for _, v := range m.Graph.Input {
		if inits[v.GetName()] {
			continue
		}
		tp, err := readTensor(filepath.Join(dir, "test_data_set_0", fmt.Sprintf("input_%d.pb", i)))
		if err != nil {
			return err
		}
		oc.values[v.GetName()] = tp
		i++
	}
	// LayerNormalization's optional Mean and InvStdDev outputs are not
	// the IR op's; its Y is output 0.
	if len(m.Graph.Output) != 1 && oc.node.GetOpType() != "LayerNormalization" {
		return fmt.Errorf("%d outputs; want one", len(oc.node.Output))
	}
	if oc.want, err = readTensor(filepath.Join(dir, "test_data_set_0", "output_0.pb")); err != nil {
		return err
	}
	if err := oc.build(); err != nil {
		return err
	}
	p, err := compile(oc.g, oc.w, Options{Threads: 2})
	if err != nil {
		return err
	}
	want, err := onnx.Floats(oc.want)
	if err != nil {
		return err
	}
	got := make([]float32, oc.batch*int(oc.g.Outputs[0].Node.Shape.Elems()))
	if len(got) != len(want) {
		return fmt.Errorf("output %v of batch %d has %d values; ONNX expects %v", oc.g.Outputs[0].Node.Shape, oc.batch, len(got), oc.want.Dims)
	}
	if !oc.reshape && fmt.Sprint(p.OutputShape(oc.batch)) != fmt.Sprint(oc.want.Dims) {
		return fmt.Errorf("output shape %v; ONNX expects %v", p.OutputShape(oc.batch), oc.want.Dims)
	}
	p.runInputs(oc.feeds, oc.batch, got)
	bad := 0
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if !(d <= 1e-7+1e-3*math.Abs(float64(want[i]))) {
			if bad < 5 {
				t.Errorf("output %d: got %v, want %v", i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d outputs differ", bad, len(want))
	}
	t.Logf("%s %s: %d outputs match", oc.node.GetOpType(), oc.g.Outputs[0].Node.Shape, len(want))
	return nil
}

func readTensor(path string) (*onnxpb.TensorProto, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return onnx.ReadTensor(b)
}

// attrs of the case's node.
func (oc *onnxCase) attr(name string) *onnxpb.AttributeProto {
	for _, a := range oc.node.Attribute {
		if a.GetName() == name {
			return a
		}
	}
	return nil
}

func (oc *onnxCase) attrInt(name string, def int) int {
	if a := oc.attr(name); a != nil {
		return int(a.GetI())
	}
	return def
}

func (oc *onnxCase) attrFloat(name string, def float32) float32 {
	if a := oc.attr(name); a != nil {
		return a.GetF()
	}
	return def
}

func (oc *onnxCase) attrInts(name string, def ...int) []int {
	a := oc.attr(name)
	if a == nil {
		return def
	}
	out := make([]int, len(a.Ints))
	for i, v := range a.Ints {
		out[i] = int(v)
	}
	return out
}

// tensor i of the node: its dims and float values.
func (oc *onnxCase) tensor(i int) ([]int, []float32, error) {
	if i >= len(oc.node.Input) || oc.node.Input[i] == "" {
		return nil, nil, nil
	}
	tp := oc.values[oc.node.Input[i]]
	if tp == nil {
		return nil, nil, fmt.Errorf("input %s has no value", oc.node.Input[i])
	}
	v, err := onnx.Floats(tp)
	if err != nil {
		return nil, nil, err
	}
	dims := make([]int, len(tp.Dims))
	for j, d := range tp.Dims {
		dims[j] = int(d)
	}
	return dims, v, nil
}

// input adds an IR input node for a data tensor seen as view (whose first
// dimension is the batch) and feeds it.
func (oc *onnxCase) input(view []int, v []float32) (*ir.Node, error) {
	if oc.batch == 0 {
		oc.batch = view[0]
	} else if oc.batch != view[0] {
		return nil, fmt.Errorf("inputs with batches %d and %d", oc.batch, view[0])
	}
	shape := append(ir.Shape{ir.Batch}, view[1:]...)
	n, err := oc.g.Add(&ir.Node{Op: ir.OpInput, Name: fmt.Sprintf("input%d", len(oc.feeds)), Shape: shape})
	if err != nil {
		return nil, err
	}
	oc.feeds = append(oc.feeds, v)
	return n, nil
}

// param makes node input i a parameter of the given role and shape.
func (oc *onnxCase) param(name string, role ir.Role, v []float32, shape ...int) *ir.Param {
	oc.w[name] = v
	return &ir.Param{Name: name, Role: role, Shape: shape, Trainable: true}
}

// add appends the case's node to the graph as op and makes it the output.
func (oc *onnxCase) add(op ir.Op, in []*ir.Node, a ir.Attrs, ps ...*ir.Param) error {
	n, err := oc.g.Add(&ir.Node{Op: op, Name: "node", Inputs: in, Attrs: a, Params: ps})
	if err != nil {
		return err
	}
	oc.g.Outputs = []ir.Output{{Name: "y", Node: n}}
	return nil
}

func prod(d []int) int {
	p := 1
	for _, v := range d {
		p *= v
	}
	return p
}

// window reads a 2-D conv or pool's kernel, strides, dilations and pads,
// turning auto_pad into explicit pads as ONNX defines them.
func (oc *onnxCase) window(x []int, kernel []int) (ir.Attrs, error) {
	if len(kernel) != 2 || len(x) != 4 {
		return ir.Attrs{}, fmt.Errorf("not 2-D: kernel %v, input %v", kernel, x)
	}
	a := ir.Attrs{Kernel: [2]int{kernel[0], kernel[1]}}
	s := oc.attrInts("strides", 1, 1)
	d := oc.attrInts("dilations", 1, 1)
	p := oc.attrInts("pads", 0, 0, 0, 0)
	a.Strides, a.Dilations, a.Pads = [2]int{s[0], s[1]}, [2]int{d[0], d[1]}, [4]int{p[0], p[1], p[2], p[3]}
	mode := "NOTSET"
	if at := oc.attr("auto_pad"); at != nil {
		mode = string(at.S)
	}
	switch mode {
	case "NOTSET":
	case "VALID":
		a.Pads = [4]int{}
	case "SAME_UPPER", "SAME_LOWER":
		for i := 0; i < 2; i++ {
			out := (x[2+i] + s[i] - 1) / s[i]
			total := max(0, (out-1)*s[i]+(kernel[i]-1)*d[i]+1-x[2+i])
			small, big := total/2, total-total/2
			if mode == "SAME_UPPER" {
				a.Pads[i], a.Pads[i+2] = small, big
			} else {
				a.Pads[i], a.Pads[i+2] = big, small
			}
		}
	default:
		return ir.Attrs{}, fmt.Errorf("auto_pad %s", mode)
	}
	return a, nil
}

// build maps the case's node to an IR graph, weights and feeds.
func (oc *onnxCase) build() error {
	oc.g = &ir.Graph{Name: "case"}
	xd, xv, err := oc.tensor(0)
	if err != nil {
		return err
	}
	switch op := oc.node.GetOpType(); op {
	case "Conv":
		wd, wv, err := oc.tensor(1)
		if err != nil {
			return err
		}
		bd, bv, err := oc.tensor(2)
		if err != nil {
			return err
		}
		a, err := oc.window(xd, oc.attrInts("kernel_shape", wd[2:]...))
		if err != nil {
			return err
		}
		a.OutChannels, a.Groups = wd[0], oc.attrInt("group", 1)
		x, err := oc.input(xd, xv)
		if err != nil {
			return err
		}
		ps := []*ir.Param{oc.param("W", ir.RoleWeight, wv, wd...)}
		if bd != nil {
			a.Bias = true
			ps = append(ps, oc.param("B", ir.RoleBias, bv, bd...))
		}
		return oc.add(ir.OpConv, []*ir.Node{x}, a, ps...)

	case "MaxPool", "AveragePool":
		a, err := oc.window(xd, oc.attrInts("kernel_shape"))
		if err != nil {
			return err
		}
		a.CeilMode = oc.attrInt("ceil_mode", 0) != 0
		a.CountIncludePad = oc.attrInt("count_include_pad", 0) != 0
		x, err := oc.input(xd, xv)
		if err != nil {
			return err
		}
		if op == "MaxPool" {
			return oc.add(ir.OpMaxPool, []*ir.Node{x}, a)
		}
		return oc.add(ir.OpAvgPool, []*ir.Node{x}, a)

	case "GlobalAveragePool", "GlobalMaxPool", "Relu", "Sigmoid":
		x, err := oc.input(xd, xv)
		if err != nil {
			return err
		}
		ops := map[string]ir.Op{"GlobalAveragePool": ir.OpGlobalAvgPool, "GlobalMaxPool": ir.OpGlobalMaxPool,
			"Relu": ir.OpRelu, "Sigmoid": ir.OpSigmoid}
		return oc.add(ops[op], []*ir.Node{x}, ir.Attrs{})

	case "BatchNormalization":
		if oc.attrInt("training_mode", 0) != 0 || oc.attrInt("spatial", 1) != 1 {
			return fmt.Errorf("training or non-spatial batch norm")
		}
		var ps []*ir.Param
		for i, role := range []ir.Role{ir.RoleGamma, ir.RoleBeta, ir.RoleMean, ir.RoleVar} {
			d, v, err := oc.tensor(i + 1)
			if err != nil || d == nil {
				return fmt.Errorf("batch norm input %d: %v", i+1, err)
			}
			ps = append(ps, oc.param(role.String(), role, v, d...))
		}
		x, err := oc.input(xd, xv)
		if err != nil {
			return err
		}
		a := ir.Attrs{Epsilon: float64(oc.attrFloat("epsilon", 1e-5)), Scale: true, Center: true}
		return oc.add(ir.OpBatchNorm, []*ir.Node{x}, a, ps...)

	case "Add", "Mul":
		yd, yv, err := oc.tensor(1)
		if err != nil {
			return err
		}
		if fmt.Sprint(xd) != fmt.Sprint(yd) {
			return fmt.Errorf("broadcast of %v and %v", xd, yd)
		}
		view := xd
		if op == "Mul" {
			// Equal shapes as a gate: [N, rest, 1, 1] times [N, rest, 1, 1].
			oc.reshape = true
			view = []int{xd[0], prod(xd[1:]), 1, 1}
		}
		x, err := oc.input(view, xv)
		if err != nil {
			return err
		}
		y, err := oc.input(view, yv)
		if err != nil {
			return err
		}
		if op == "Mul" {
			return oc.add(ir.OpMul, []*ir.Node{x, y}, ir.Attrs{})
		}
		return oc.add(ir.OpAdd, []*ir.Node{x, y}, ir.Attrs{})

	case "Flatten":
		axis := oc.attrInt("axis", 1)
		if axis < 0 {
			axis += len(xd)
		}
		// [d0..d(axis-1)] become the batch; Flatten at axis 1 does the rest.
		oc.reshape = true
		x, err := oc.input(append([]int{prod(xd[:axis])}, xd[axis:]...), xv)
		if err != nil {
			return err
		}
		return oc.add(ir.OpFlatten, []*ir.Node{x}, ir.Attrs{})

	case "Softmax":
		axis := oc.attrInt("axis", map[bool]int{true: -1, false: 1}[oc.opset >= 13])
		if axis < 0 {
			axis += len(xd)
		}
		// Softmax over axis 1 of [outer, axis, inner] (before opset 13, of
		// the 2-D coercion [outer, rest]).
		oc.reshape = true
		view := []int{prod(xd[:axis]), xd[axis], prod(xd[axis+1:])}
		if oc.opset < 13 {
			view = []int{prod(xd[:axis]), prod(xd[axis:])}
		}
		x, err := oc.input(view, xv)
		if err != nil {
			return err
		}
		return oc.add(ir.OpSoftmax, []*ir.Node{x}, ir.Attrs{})

	case "Gemm":
		return oc.gemm(xd, xv)

	case "HardSwish", "LeakyRelu", "Tanh":
		x, err := oc.input(xd, xv)
		if err != nil {
			return err
		}
		ops := map[string]ir.Op{"HardSwish": ir.OpHardSwish, "LeakyRelu": ir.OpLeakyRelu, "Tanh": ir.OpTanh}
		return oc.add(ops[op], []*ir.Node{x}, ir.Attrs{Alpha: float64(oc.attrFloat("alpha", 0.01))})

	case "Concat":
		// Along any axis: each input seen as [before, axis, after] is a
		// concatenation of channels.
		axis := oc.attrInt("axis", 0)
		if axis < 0 {
			axis += len(xd)
		}
		oc.reshape = true
		var in []*ir.Node
		for i := range oc.node.Input {
			d, v, err := oc.tensor(i)
			if err != nil {
				return err
			}
			x, err := oc.input([]int{prod(d[:axis]), d[axis], prod(d[axis+1:])}, v)
			if err != nil {
				return err
			}
			in = append(in, x)
		}
		return oc.add(ir.OpConcat, in, ir.Attrs{})

	case "LayerNormalization":
		// Over the axes from axis on: the input seen as [before, after]
		// is normalised over its channels.
		axis := oc.attrInt("axis", -1)
		if axis < 0 {
			axis += len(xd)
		}
		c := prod(xd[axis:])
		oc.reshape = true
		x, err := oc.input([]int{prod(xd[:axis]), c}, xv)
		if err != nil {
			return err
		}
		a := ir.Attrs{Epsilon: float64(oc.attrFloat("epsilon", 1e-5)), Scale: true}
		_, wv, err := oc.tensor(1)
		if err != nil {
			return err
		}
		ps := []*ir.Param{oc.param("W", ir.RoleGamma, wv, c)}
		if _, bv, err := oc.tensor(2); err != nil {
			return err
		} else if bv != nil {
			a.Center = true
			ps = append(ps, oc.param("B", ir.RoleBeta, bv, c))
		}
		return oc.add(ir.OpLayerNorm, []*ir.Node{x}, a, ps...)

	case "SpaceToDepth":
		x, err := oc.input(xd, xv)
		if err != nil {
			return err
		}
		return oc.add(ir.OpSpaceToDepth, []*ir.Node{x}, ir.Attrs{Block: oc.attrInt("blocksize", 0)})

	case "Upsample", "Resize":
		// Nearest upsampling by integer factors of H and W. Resize's
		// default half_pixel coordinates with round_prefer_floor pick
		// the same pixels as Upsample's floor for integer factors.
		scales := 1
		if op == "Resize" {
			scales = 2
			for _, name := range []string{"coordinate_transformation_mode", "nearest_mode"} {
				if at := oc.attr(name); at != nil {
					return fmt.Errorf("Resize with %s %s", name, at.S)
				}
			}
		}
		if at := oc.attr("mode"); at == nil || string(at.S) != "nearest" {
			return fmt.Errorf("%s not in nearest mode", op)
		}
		_, sv, err := oc.tensor(scales)
		if err != nil {
			return err
		}
		if len(sv) != 4 || sv[0] != 1 || sv[1] != 1 || sv[2] != float32(int(sv[2])) || sv[3] != float32(int(sv[3])) {
			return fmt.Errorf("scales %v are not [1, 1, fh, fw] with integer factors", sv)
		}
		x, err := oc.input(xd, xv)
		if err != nil {
			return err
		}
		return oc.add(ir.OpUpsample, []*ir.Node{x}, ir.Attrs{Factor: [2]int{int(sv[2]), int(sv[3])}})
	}
	return fmt.Errorf("operator %s has no IR mapping", oc.node.GetOpType())
}

// gemm maps Gemm to a fully connected layer: W = alpha·op(B)ᵀ as [out, in],
// bias = beta·C broadcast to [out]. transA feeds Aᵀ, the layer's input.
func (oc *onnxCase) gemm(ad []int, av []float32) error {
	bd, bv, err := oc.tensor(1)
	if err != nil {
		return err
	}
	cd, cv, err := oc.tensor(2)
	if err != nil {
		return err
	}
	alpha, beta := oc.attrFloat("alpha", 1), oc.attrFloat("beta", 1)
	if oc.attrInt("transA", 0) != 0 {
		av = transpose(av, ad[0], ad[1])
		ad = []int{ad[1], ad[0]}
	}
	k := ad[1]
	if oc.attrInt("transB", 0) == 0 {
		bv = transpose(bv, bd[0], bd[1])
		bd = []int{bd[1], bd[0]}
	}
	out := bd[0]
	if bd[1] != k {
		return fmt.Errorf("A %v and B %v do not multiply", ad, bd)
	}
	w := make([]float32, len(bv))
	for i, v := range bv {
		w[i] = alpha * v
	}
	a := ir.Attrs{OutChannels: out}
	ps := []*ir.Param{oc.param("W", ir.RoleWeight, w, out, k)}
	if cd != nil {
		if len(cd) == 2 && cd[0] != 1 {
			return fmt.Errorf("C of shape %v is not a bias per output", cd)
		}
		b := make([]float32, out)
		for i := range b {
			b[i] = beta * cv[i%len(cv)]
		}
		a.Bias = true
		ps = append(ps, oc.param("B", ir.RoleBias, b, out))
	}
	x, err := oc.input(ad, av)
	if err != nil {
		return err
	}
	return oc.add(ir.OpGemm, []*ir.Node{x}, a, ps...)
}

// transpose is the [c, r] transpose of the row-major [r, c] matrix v.
func transpose(v []float32, r, c int) []float32 {
	out := make([]float32, len(v))
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out[j*r+i] = v[i*c+j]
		}
	}
	return out
}
