package onnx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// Import converts an ONNX model back into the IR: the operators Export
// writes (and the same operators written by other tools, with their
// defaults), one float input [N,C,H,W], one or more outputs (see
// importops.go for the newer operators and Identity). The multi-node forms
// Export uses for the option-A shortcut (Slice, Pad) and ECA's channel conv
// (Reshape, Conv, Reshape) are recognised and become one node again; a
// Mul or Add by a per-channel initializer (an -O2 export's unfolded scale
// and shift) becomes a ScaleShift, so that the passes rebuild an -O2
// graph from its export.
//
// A model is untrusted input: whatever it holds, Import returns an error
// or a graph that verifies, and never panics.
func Import(m *onnxpb.ModelProto) (*ir.Graph, weights.Set, error) {
	if m.GetGraph() == nil {
		return nil, nil, fmt.Errorf("not an ONNX model: no graph")
	}
	meta := Metadata(m)
	g := &ir.Graph{Name: m.Graph.GetName(), Naming: meta["naming"]}
	if name := meta["model"]; name != "" {
		g.Name = name
	}
	im := &importer{g: g, w: weights.Set{}, values: map[string]*ir.Node{}, inits: map[string]*onnxpb.TensorProto{},
		seq: map[string]*ir.Node{}, conv1d: map[string]pending{}, sliced: map[string]pending{}, outputs: map[string]bool{},
		shapes: map[string]shapeValue{}}
	for _, t := range m.Graph.Initializer {
		im.inits[t.GetName()] = t
	}
	var inputs []*onnxpb.ValueInfoProto
	for _, v := range m.Graph.Input {
		if v == nil || im.inits[v.GetName()] == nil {
			inputs = append(inputs, v)
		}
	}
	if len(inputs) != 1 || len(m.Graph.Output) == 0 {
		return nil, nil, fmt.Errorf("want one input and at least one output, have %d and %d", len(inputs), len(m.Graph.Output))
	}
	for _, o := range m.Graph.Output {
		im.outputs[o.GetName()] = true
	}
	shape, err := inputShape(inputs[0])
	if err != nil {
		return nil, nil, err
	}
	in, err := g.Add(&ir.Node{Op: ir.OpInput, Name: inputs[0].GetName(), Shape: shape})
	if err != nil {
		return nil, nil, err
	}
	im.values[inputs[0].GetName()] = in
	for i, n := range m.Graph.Node {
		if n == nil {
			return nil, nil, fmt.Errorf("graph entry %d holds no node", i)
		}
		if err := im.node(n); err != nil {
			return nil, nil, fmt.Errorf("node %s (%s): %v", n.GetName(), n.GetOpType(), err)
		}
	}
	for _, o := range m.Graph.Output {
		out := im.values[o.GetName()]
		if out == nil {
			return nil, nil, fmt.Errorf("output %s is not computed by a supported node", o.GetName())
		}
		g.Outputs = append(g.Outputs, ir.Output{Name: o.GetName(), Node: out})
	}
	if err := g.Verify(); err != nil {
		return nil, nil, err
	}
	return g, im.w, nil
}

func inputShape(v *onnxpb.ValueInfoProto) (ir.Shape, error) {
	tt := v.GetType().GetTensorType()
	if tt == nil || tt.GetElemType() != int32(onnxpb.TensorProto_FLOAT) {
		return nil, fmt.Errorf("input %s is not a float tensor", v.GetName())
	}
	var s ir.Shape
	for i, d := range tt.GetShape().GetDim() {
		switch {
		case i == 0:
			s = append(s, ir.Batch) // the batch, fixed or not
		case d.GetDimParam() != "" || d.GetDimValue() <= 0:
			return nil, fmt.Errorf("input %s: dimension %d is not fixed", v.GetName(), i)
		case d.GetDimValue() > ir.MaxDim:
			return nil, fmt.Errorf("input %s: dimension %d is too large (%d)", v.GetName(), i, d.GetDimValue())
		default:
			s = append(s, int(d.GetDimValue()))
		}
	}
	if len(s) != 4 {
		return nil, fmt.Errorf("input %s has rank %d, want [N,C,H,W]", v.GetName(), len(s))
	}
	return s, nil
}

// A pending multi-node form: the IR node it started from and what it has
// gathered so far.
type pending struct {
	from   *ir.Node
	weight *onnxpb.TensorProto
	kernel int
	stride int
}

type importer struct {
	g      *ir.Graph
	w      weights.Set
	values map[string]*ir.Node
	inits  map[string]*onnxpb.TensorProto
	seq    map[string]*ir.Node   // Reshape [0,1,-1] outputs: ECA's sequence view
	conv1d map[string]pending    // 1-D Conv outputs on such a view
	sliced map[string]pending    // strided Slice outputs: option A's subsample
	shapes map[string]shapeValue // an Upsample's sizes in the making (importresize.go)
	// outputs holds the graph outputs' names: an Identity named after the
	// output it writes is the second name of a value (see identity).
	outputs map[string]bool
}

type attrs map[string]*onnxpb.AttributeProto

func (a attrs) ints(name string, def ...int) []int {
	p := a[name]
	if p == nil {
		return def
	}
	out := make([]int, len(p.Ints))
	for i, v := range p.Ints {
		out[i] = int(v)
	}
	return out
}

func (a attrs) int(name string, def int) int {
	if p := a[name]; p != nil {
		return int(p.GetI())
	}
	return def
}

func (a attrs) float(name string, def float32) float32 {
	if p := a[name]; p != nil {
		return p.GetF()
	}
	return def
}

func (im *importer) input(n *onnxpb.NodeProto, i int) (*ir.Node, error) {
	if i >= len(n.Input) {
		return nil, fmt.Errorf("missing input %d", i)
	}
	x := im.values[n.Input[i]]
	if x == nil {
		return nil, fmt.Errorf("input %s is not a tensor computed by the graph", n.Input[i])
	}
	return x, nil
}

// param turns initializer input i into an IR parameter with the given role.
func (im *importer) param(n *onnxpb.NodeProto, i int, role ir.Role) (*ir.Param, error) {
	if i >= len(n.Input) || n.Input[i] == "" {
		return nil, nil
	}
	t := im.inits[n.Input[i]]
	if t == nil {
		return nil, fmt.Errorf("input %s must be an initializer", n.Input[i])
	}
	vals, err := Floats(t)
	if err != nil {
		return nil, err
	}
	if len(t.Dims) == 0 {
		return nil, fmt.Errorf("initializer %s is a scalar, not a weight tensor", t.GetName())
	}
	im.w[t.GetName()] = vals
	shape := make([]int, len(t.Dims))
	for j, d := range t.Dims {
		shape[j] = int(d)
	}
	return &ir.Param{Name: t.GetName(), Role: role, Shape: shape, Trainable: role != ir.RoleMean && role != ir.RoleVar}, nil
}

func (im *importer) intsInput(n *onnxpb.NodeProto, i int) ([]int64, error) {
	if i >= len(n.Input) || im.inits[n.Input[i]] == nil {
		return nil, fmt.Errorf("input %d must be an int64 initializer", i)
	}
	return Int64s(im.inits[n.Input[i]])
}

func (im *importer) add(n *onnxpb.NodeProto, op ir.Op, in []*ir.Node, a ir.Attrs, params ...*ir.Param) error {
	var ps []*ir.Param
	for _, p := range params {
		if p != nil {
			ps = append(ps, p)
		}
	}
	name := n.GetName()
	if name == "" {
		name = n.Output[0]
	}
	node, err := im.g.Add(&ir.Node{Op: op, Name: name, Inputs: in, Attrs: a, Params: ps})
	if err != nil {
		return err
	}
	im.values[n.Output[0]] = node
	return nil
}

// pair reads a 2-D attribute: two values, one for H and one for W.
func pair(name string, v []int) ([2]int, error) {
	if len(v) != 2 {
		return [2]int{}, fmt.Errorf("%s %v: want 2 values, one for H and one for W", name, v)
	}
	return [2]int{v[0], v[1]}, nil
}

// decimal widens a float32 attribute to the float64 written the same way
// (1e-05, not 9.999999747378752e-06), the value the source had.
func decimal(f float32) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	return v
}

// window reads kernel, strides, dilations and pads of a 2-D conv or pool.
func window(a attrs, kernel []int) (ir.Attrs, error) {
	if len(kernel) != 2 {
		return ir.Attrs{}, fmt.Errorf("only 2-D windows are supported, kernel_shape is %v", kernel)
	}
	if p := a["auto_pad"]; p != nil && string(p.S) != "NOTSET" && string(p.S) != "VALID" {
		return ir.Attrs{}, fmt.Errorf("auto_pad %s is not supported", p.S)
	}
	pads := a.ints("pads", 0, 0, 0, 0)
	if len(pads) != 4 {
		return ir.Attrs{}, fmt.Errorf("pads %v: want 4 values", pads)
	}
	at := ir.Attrs{Pads: [4]int{pads[0], pads[1], pads[2], pads[3]}}
	var errs [3]error
	at.Kernel, errs[0] = pair("kernel_shape", kernel)
	at.Strides, errs[1] = pair("strides", a.ints("strides", 1, 1))
	at.Dilations, errs[2] = pair("dilations", a.ints("dilations", 1, 1))
	for _, err := range errs {
		if err != nil {
			return ir.Attrs{}, err
		}
	}
	return at, nil
}

func (im *importer) node(n *onnxpb.NodeProto) error {
	if len(n.Output) == 0 || len(n.Output) != 1 && n.GetOpType() != "Dropout" && n.GetOpType() != "MaxPool" && n.GetOpType() != "BatchNormalization" {
		return fmt.Errorf("want one output, have %d", len(n.Output))
	}
	if n.GetDomain() != "" && n.GetDomain() != "ai.onnx" {
		return fmt.Errorf("operator domain %q is not supported", n.GetDomain())
	}
	a := attrs{}
	for _, p := range n.Attribute {
		a[p.GetName()] = p
	}
	switch n.GetOpType() {
	case "Reshape":
		return im.reshape(n)
	case "Slice":
		return im.slice(n)
	}
	x, err := im.input(n, 0)
	if err != nil {
		if len(n.Input) == 0 {
			return err
		}
		if n.GetOpType() == "Conv" && im.seq[n.Input[0]] != nil {
			return im.conv1D(n, a)
		}
		if s, ok := im.shapes[n.Input[0]]; ok && n.GetOpType() == "Concat" {
			return im.shapeConcat(n, a, s)
		}
		if n.GetOpType() == "Pad" {
			if p, ok := im.sliced[n.Input[0]]; ok {
				return im.channelPad(n, p)
			}
		}
		return err
	}
	switch n.GetOpType() {
	case "Conv":
		w, err := im.param(n, 1, ir.RoleWeight)
		if err != nil || w == nil {
			return fmt.Errorf("conv weight: %v", err)
		}
		if len(w.Shape) != 4 {
			return fmt.Errorf("conv weight of shape %v: only 2-D convolutions are supported", w.Shape)
		}
		b, err := im.param(n, 2, ir.RoleBias)
		if err != nil {
			return err
		}
		at, err := window(a, a.ints("kernel_shape", w.Shape[2], w.Shape[3]))
		if err != nil {
			return err
		}
		at.OutChannels, at.Groups, at.Bias = w.Shape[0], a.int("group", 1), b != nil
		return im.add(n, ir.OpConv, []*ir.Node{x}, at, w, b)
	case "BatchNormalization":
		at := ir.Attrs{Epsilon: decimal(a.float("epsilon", 1e-5)), Scale: true, Center: true}
		if a.int("training_mode", 0) != 0 {
			return fmt.Errorf("training mode is not supported")
		}
		var ps []*ir.Param
		for i, role := range []ir.Role{ir.RoleGamma, ir.RoleBeta, ir.RoleMean, ir.RoleVar} {
			p, err := im.param(n, i+1, role)
			if err != nil || p == nil {
				return fmt.Errorf("batch norm input %d: %v", i+1, err)
			}
			// Export's stand-ins for a missing scale or centre.
			switch {
			case strings.HasSuffix(p.Name, "/constant_scale"):
				at.Scale = false
				delete(im.w, p.Name)
				continue
			case strings.HasSuffix(p.Name, "/constant_bias"):
				at.Center = false
				delete(im.w, p.Name)
				continue
			}
			ps = append(ps, p)
		}
		n.Output = n.Output[:1]
		return im.add(n, ir.OpBatchNorm, []*ir.Node{x}, at, ps...)
	case "Relu":
		return im.add(n, ir.OpRelu, []*ir.Node{x}, ir.Attrs{})
	case "Sigmoid":
		return im.add(n, ir.OpSigmoid, []*ir.Node{x}, ir.Attrs{})
	case "Add", "Sum", "Mul":
		if len(n.Input) == 2 && im.inits[n.Input[1]] != nil && n.GetOpType() != "Sum" {
			return im.perChannel(n, x)
		}
		in := []*ir.Node{x}
		for i := 1; i < len(n.Input); i++ {
			y, err := im.input(n, i)
			if err != nil {
				return err
			}
			in = append(in, y)
		}
		if n.GetOpType() == "Mul" {
			if len(in) == 2 && isGate(in[0].Shape) && !isGate(in[1].Shape) {
				// The exporter writes a squeeze-excitation gate first
				// (exporter.mul); the IR takes it second.
				in[0], in[1] = in[1], in[0]
			}
			return im.add(n, ir.OpMul, in, ir.Attrs{})
		}
		return im.add(n, ir.OpAdd, in, ir.Attrs{})
	case "MaxPool", "AveragePool":
		if len(n.Output) > 1 && n.Output[1] != "" {
			return fmt.Errorf("the Indices output is not supported")
		}
		n.Output = n.Output[:1]
		at, err := window(a, a.ints("kernel_shape"))
		if err != nil {
			return err
		}
		at.CeilMode = a.int("ceil_mode", 0) != 0
		op := ir.OpMaxPool
		if n.GetOpType() == "AveragePool" {
			op = ir.OpAvgPool
			at.CountIncludePad = a.int("count_include_pad", 0) != 0
		}
		return im.add(n, op, []*ir.Node{x}, at)
	case "GlobalAveragePool":
		return im.add(n, ir.OpGlobalAvgPool, []*ir.Node{x}, ir.Attrs{})
	case "GlobalMaxPool":
		return im.add(n, ir.OpGlobalMaxPool, []*ir.Node{x}, ir.Attrs{})
	case "Flatten":
		if a.int("axis", 1) != 1 {
			return fmt.Errorf("only axis 1 is supported")
		}
		return im.add(n, ir.OpFlatten, []*ir.Node{x}, ir.Attrs{})
	case "Gemm":
		if a.float("alpha", 1) != 1 || a.float("beta", 1) != 1 || a.int("transA", 0) != 0 || a.int("transB", 0) != 1 {
			return fmt.Errorf("only Gemm with alpha=beta=1, transA=0, transB=1 is supported")
		}
		w, err := im.param(n, 1, ir.RoleWeight)
		if err != nil || w == nil {
			return fmt.Errorf("gemm weight: %v", err)
		}
		if len(w.Shape) != 2 {
			return fmt.Errorf("gemm weight of shape %v: want [out, in]", w.Shape)
		}
		b, err := im.param(n, 2, ir.RoleBias)
		if err != nil {
			return err
		}
		return im.add(n, ir.OpGemm, []*ir.Node{x}, ir.Attrs{OutChannels: w.Shape[0], Bias: b != nil}, w, b)
	case "Softmax":
		if axis := a.int("axis", -1); axis != 1 && !(axis == -1 && len(x.Shape) == 2) {
			return fmt.Errorf("only softmax over axis 1 of [N,classes] is supported")
		}
		return im.add(n, ir.OpSoftmax, []*ir.Node{x}, ir.Attrs{})
	case "Pad":
		pads, err := im.intsInput(n, 1)
		if err != nil {
			return err
		}
		if mode := a["mode"]; mode != nil && string(mode.S) != "constant" || len(pads) != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 {
			return fmt.Errorf("only constant zero padding of H and W is supported, pads %v", pads)
		}
		if err := im.zeroPadValue(n); err != nil {
			return err
		}
		return im.add(n, ir.OpPad, []*ir.Node{x}, ir.Attrs{Pads: [4]int{int(pads[2]), int(pads[3]), int(pads[6]), int(pads[7])}})
	case "Dropout":
		n.Output = n.Output[:1]
		rate := 0.5
		if len(n.Input) > 1 && n.Input[1] != "" {
			t := im.inits[n.Input[1]]
			if t == nil {
				return fmt.Errorf("ratio must be an initializer")
			}
			v, err := Floats(t)
			if err != nil || len(v) != 1 {
				return fmt.Errorf("ratio: %v", err)
			}
			rate = float64(v[0])
		}
		return im.add(n, ir.OpDropout, []*ir.Node{x}, ir.Attrs{Rate: rate})
	}
	if ok, err := im.newerOp(n, a, x); ok {
		return err
	}
	return fmt.Errorf("operator %s is not supported", n.GetOpType())
}

// reshape recognises the two Reshapes around ECA's 1-D conv.
func (im *importer) reshape(n *onnxpb.NodeProto) error {
	shape, err := im.intsInput(n, 1)
	if err != nil {
		return err
	}
	if x := im.values[n.Input[0]]; x != nil && fmt.Sprint(shape) == "[0 1 -1]" {
		im.seq[n.Output[0]] = x
		return nil
	}
	if p, ok := im.conv1d[n.Input[0]]; ok && fmt.Sprint(shape) == "[0 -1 1 1]" {
		vals, err := Floats(p.weight)
		if err != nil {
			return err
		}
		im.w[p.weight.GetName()] = vals
		w := &ir.Param{Name: p.weight.GetName(), Role: ir.RoleWeight, Shape: []int{1, 1, p.kernel}, Trainable: true}
		return im.add(n, ir.OpChannelConv, []*ir.Node{p.from}, ir.Attrs{Kernel: [2]int{p.kernel, 1}}, w)
	}
	return fmt.Errorf("only the reshapes around a channel conv are supported, shape %v", shape)
}

func (im *importer) conv1D(n *onnxpb.NodeProto, a attrs) error {
	from := im.seq[n.Input[0]]
	if len(n.Input) != 2 || im.inits[n.Input[1]] == nil {
		return fmt.Errorf("a channel conv has a weight and no bias")
	}
	w := im.inits[n.Input[1]]
	if len(w.Dims) != 3 || w.Dims[0] != 1 || w.Dims[1] != 1 {
		return fmt.Errorf("channel conv weight of shape %v", w.Dims)
	}
	k := int(w.Dims[2])
	if pads := a.ints("pads", 0, 0); len(pads) != 2 || pads[0] != (k-1)/2 || pads[1] != (k-1)/2 || a.int("group", 1) != 1 {
		return fmt.Errorf("a channel conv pads by (k-1)/2 on both sides")
	}
	im.conv1d[n.Output[0]] = pending{from: from, weight: w, kernel: k}
	return nil
}

// slice recognises option A's subsample (starts 0, ends past the end,
// axes H and W, equal steps) and a slice of channels (axis 1, step 1).
func (im *importer) slice(n *onnxpb.NodeProto) error {
	if len(n.Input) > 0 {
		if s, ok := im.shapes[n.Input[0]]; ok {
			return im.shapeSlice(n, s)
		}
	}
	x, err := im.input(n, 0)
	if err != nil {
		return err
	}
	var parts [4][]int64
	for i := range parts {
		if i == 3 && len(n.Input) == 4 {
			break // steps omitted: all 1
		}
		if parts[i], err = im.intsInput(n, i+1); err != nil {
			return err
		}
	}
	starts, ends, axes, steps := parts[0], parts[1], parts[2], parts[3]
	if len(axes) == 1 && (axes[0] == 1 || axes[0] == int64(1-len(x.Shape))) {
		return im.channelSlice(n, x, starts, ends, steps)
	}
	if fmt.Sprint(starts) != "[0 0]" || fmt.Sprint(axes) != "[2 3]" || len(steps) != 2 || steps[0] != steps[1] || steps[0] < 1 ||
		len(ends) != 2 || len(x.Shape) != 4 || ends[0] < int64(x.Shape[2]) || ends[1] < int64(x.Shape[3]) {
		return fmt.Errorf("only a strided subsample of H and W is supported")
	}
	im.sliced[n.Output[0]] = pending{from: x, stride: int(steps[0])}
	return nil
}

func (im *importer) channelPad(n *onnxpb.NodeProto, p pending) error {
	pads, err := im.intsInput(n, 1)
	if err != nil {
		return err
	}
	if len(pads) != 8 || pads[0] != 0 || pads[2] != 0 || pads[3] != 0 || pads[4] != 0 || pads[6] != 0 || pads[7] != 0 {
		return fmt.Errorf("option A pads channels only, pads %v", pads)
	}
	return im.add(n, ir.OpSubsamplePad, []*ir.Node{p.from}, ir.Attrs{Strides: [2]int{p.stride, p.stride}, ChannelPads: [2]int{int(pads[1]), int(pads[5])}})
}

// perChannel imports Mul or Add by a per-channel initializer — [C,1,1]
// against [N,C,H,W], [C] against [N,C] — as a ScaleShift, the form Export
// gives a scale and shift that it could not fold: the scale's or shift's
// missing half becomes a constant of ones or zeros.
func (im *importer) perChannel(n *onnxpb.NodeProto, x *ir.Node) error {
	t := im.inits[n.Input[1]]
	c := x.Shape[1]
	want := []int64{int64(c)}
	for range len(x.Shape) - 2 {
		want = append(want, 1)
	}
	if len(t.Dims) != len(want) {
		return fmt.Errorf("%s of %v by an initializer of shape %v: only per-channel constants are supported", n.GetOpType(), x.Shape, t.Dims)
	}
	for i, d := range want {
		if t.Dims[i] != d {
			return fmt.Errorf("%s of %v by an initializer of shape %v: only per-channel constants are supported", n.GetOpType(), x.Shape, t.Dims)
		}
	}
	vals, err := Floats(t)
	if err != nil {
		return err
	}
	name := n.GetName()
	if name == "" {
		name = n.Output[0]
	}
	given := &ir.Param{Name: t.GetName(), Shape: []int{c}, Trainable: true}
	im.w[t.GetName()] = vals
	fill, fillName := float32(0), name+"/zeros"
	if n.GetOpType() == "Add" {
		fill, fillName = 1, name+"/ones"
	}
	other := &ir.Param{Name: fillName, Shape: []int{c}}
	filled := make([]float32, c)
	for i := range filled {
		filled[i] = fill
	}
	im.w[fillName] = filled
	scale, shift := given, other
	if n.GetOpType() == "Add" {
		scale, shift = other, given
	}
	scale.Role, shift.Role = ir.RoleScale, ir.RoleShift
	return im.add(n, ir.OpScaleShift, []*ir.Node{x}, ir.Attrs{}, scale, shift)
}

// zeroPadValue checks that a Pad's optional constant_value input, if
// given, is an initializer holding 0: the IR's Pad pads with zeros.
func (im *importer) zeroPadValue(n *onnxpb.NodeProto) error {
	if len(n.Input) < 3 || n.Input[2] == "" {
		return nil
	}
	t := im.inits[n.Input[2]]
	if t == nil {
		return fmt.Errorf("constant_value must be an initializer")
	}
	v, err := Floats(t)
	if err != nil {
		return fmt.Errorf("constant_value: %v", err)
	}
	if len(v) != 1 || v[0] != 0 {
		return fmt.Errorf("only zero padding is supported, constant_value is %v", v)
	}
	return nil
}

// isGate reports whether a shape is [N,C,1,1], a per-channel gate.
func isGate(s ir.Shape) bool { return len(s) == 4 && s[2] == 1 && s[3] == 1 }
