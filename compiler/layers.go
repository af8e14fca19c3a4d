package compiler

import (
	"math"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
)

// A lowering is one application of a builtin layer being turned into IR.
type lowering struct {
	e     *elab
	b     *builtinLayer
	scope []string // the label scope the layer is applied in
	name  string   // the layer's full reference name
	args  map[string]Value
	given map[string]Value // the arguments the program gave, without defaults
	x     *ir.Node
	pos   diag.Pos
}

func (l *lowering) int(name string) int {
	v, _ := l.args[name].(int64)
	return int(v)
}

func (l *lowering) bool(name string) bool { b, _ := l.args[name].(bool); return b }

func (l *lowering) float(name string) float64 { f, _ := toFloat(l.args[name]); return f }

// positive checks that the named int arguments are positive dimensions.
func (l *lowering) positive(names ...string) bool {
	ok := true
	for _, n := range names {
		if v := l.int(n); v <= 0 {
			l.e.errorf(l.pos, "%s of %s must be positive, got %d", n, l.b.name, v)
			ok = false
		}
	}
	return ok
}

func (l *lowering) emit(op ir.Op, attrs ir.Attrs, params ...*ir.Param) *ir.Node {
	return l.e.node(op, l.scope, l.name, []*ir.Node{l.x}, attrs, params, l.pos)
}

func (l *lowering) param(op ir.Op, role ir.Role, shape []int, init ir.Init) *ir.Param {
	trainable := role != ir.RoleMean && role != ir.RoleVar
	return &ir.Param{Name: l.e.style.param(l.name, op, role), Role: role, Shape: shape, Trainable: trainable, Init: init}
}

func lowerSimple(l *lowering) {
	op := map[string]ir.Op{"relu": ir.OpRelu, "sigmoid": ir.OpSigmoid, "softmax": ir.OpSoftmax, "flatten": ir.OpFlatten,
		"gap": ir.OpGlobalAvgPool, "gmp": ir.OpGlobalMaxPool, "silu": ir.OpSilu, "hardswish": ir.OpHardSwish,
		"hardsigmoid": ir.OpHardSigmoid, "relu6": ir.OpRelu6, "gelu": ir.OpGelu, "tanh": ir.OpTanh}[l.b.name]
	l.emit(op, ir.Attrs{})
}

func lowerConv(l *lowering) {
	if !l.positive("out", "kernel", "stride", "dilation", "groups") {
		return
	}
	k, d := l.int("kernel"), l.int("dilation")
	pad := l.int("pad")
	if pad < -1 {
		l.e.errorf(l.pos, "pad of conv must be -1 (same) or at least 0, got %d", pad)
		return
	}
	if pad == -1 {
		pad = d * (k - 1) / 2
	}
	out, groups := l.int("out"), l.int("groups")
	a := ir.Attrs{OutChannels: out, Kernel: [2]int{k, k}, Strides: [2]int{l.int("stride"), l.int("stride")},
		Dilations: [2]int{d, d}, Pads: [4]int{pad, pad, pad, pad}, Groups: groups, Bias: l.bool("bias")}
	in := 0
	if len(l.x.Shape) == 4 {
		in = l.x.Shape[1]
	}
	params := []*ir.Param{l.param(ir.OpConv, ir.RoleWeight, []int{out, in / groups, k, k}, ir.InitKaimingFanOut)}
	if a.Bias {
		params = append(params, l.param(ir.OpConv, ir.RoleBias, []int{out}, ir.InitZeros))
	}
	l.emit(ir.OpConv, a, params...)
}

func lowerBN(l *lowering) {
	if len(l.x.Shape) < 2 {
		l.e.errorf(l.pos, "bn needs a tensor with channels, got %v", l.x.Shape)
		return
	}
	eps := l.float("eps")
	if !(eps > 0) || math.IsInf(eps, 1) {
		l.e.errorf(l.pos, "eps of bn must be positive and finite, got %g", eps)
		return
	}
	c := l.x.Shape[1]
	a := ir.Attrs{Epsilon: eps, Scale: l.bool("scale"), Center: l.bool("center")}
	var params []*ir.Param
	if a.Scale {
		init := ir.InitOnes
		if l.bool("zero_init") {
			init = ir.InitZeros
		}
		params = append(params, l.param(ir.OpBatchNorm, ir.RoleGamma, []int{c}, init))
	}
	if a.Center {
		params = append(params, l.param(ir.OpBatchNorm, ir.RoleBeta, []int{c}, ir.InitZeros))
	}
	if l.bool("frozen") {
		// torchvision's FrozenBatchNorm2d keeps its scale and shift as
		// buffers: the same state_dict names, no trainable values.
		for _, p := range params {
			p.Trainable = false
		}
	}
	params = append(params,
		l.param(ir.OpBatchNorm, ir.RoleMean, []int{c}, ir.InitZeros),
		l.param(ir.OpBatchNorm, ir.RoleVar, []int{c}, ir.InitOnes))
	l.emit(ir.OpBatchNorm, a, params...)
}

func lowerPool(l *lowering) {
	if !l.positive("kernel") {
		return
	}
	k, s, p := l.int("kernel"), l.int("stride"), l.int("pad")
	if s == 0 {
		s = k
	}
	if s < 0 || p < 0 {
		l.e.errorf(l.pos, "stride and pad of %s must not be negative", l.b.name)
		return
	}
	if 2*p > k {
		l.e.errorf(l.pos, "pad of %s must be at most half the kernel, got pad %d for kernel %d", l.b.name, p, k)
		return
	}
	a := ir.Attrs{Kernel: [2]int{k, k}, Strides: [2]int{s, s}, Dilations: [2]int{1, 1}, Pads: [4]int{p, p, p, p}, CeilMode: l.bool("ceil")}
	op := ir.OpMaxPool
	if l.b.name == "avgpool" {
		op = ir.OpAvgPool
		a.CountIncludePad = l.bool("count_include_pad")
	}
	l.emit(op, a)
}

func lowerFC(l *lowering) {
	if !l.positive("out") {
		return
	}
	out := l.int("out")
	in := 0
	if len(l.x.Shape) == 2 {
		in = l.x.Shape[1]
	}
	a := ir.Attrs{OutChannels: out, Bias: l.bool("bias")}
	params := []*ir.Param{l.param(ir.OpGemm, ir.RoleWeight, []int{out, in}, ir.InitNormal001)}
	if a.Bias {
		params = append(params, l.param(ir.OpGemm, ir.RoleBias, []int{out}, ir.InitZeros))
	}
	l.emit(ir.OpGemm, a, params...)
}

// lowerLinear is nn.Linear (Keras's Dense) on the channel axis: on
// [N,features] it is fc; on [N,C,H,W] it applies the same [out,in] weight
// at every position, which is a 1×1 convolution whose weight keeps
// nn.Linear's shape (ir.LinearWeight), so torch's state_dict loads by
// name and the backends run it as the convolution it is.
func lowerLinear(l *lowering) {
	switch len(l.x.Shape) {
	case 2:
		lowerFC(l)
		return
	case 4:
	default:
		l.e.errorf(l.pos, "linear needs [N,features] or [N,C,H,W], got %v", l.x.Shape)
		return
	}
	if !l.positive("out") {
		return
	}
	out, in := l.int("out"), l.x.Shape[1]
	a := ir.Attrs{OutChannels: out, Kernel: [2]int{1, 1}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: 1, Bias: l.bool("bias")}
	params := []*ir.Param{l.param(ir.OpConv, ir.RoleWeight, []int{out, in}, ir.InitNormal001)}
	if a.Bias {
		params = append(params, l.param(ir.OpConv, ir.RoleBias, []int{out}, ir.InitZeros))
	}
	l.emit(ir.OpConv, a, params...)
}

func lowerPad(l *lowering) {
	p := l.int("pad")
	if p < 0 {
		l.e.errorf(l.pos, "pad of zeropad must not be negative, got %d", p)
		return
	}
	l.emit(ir.OpPad, ir.Attrs{Pads: [4]int{p, p, p, p}})
}

func lowerDropout(l *lowering) {
	r := l.float("rate")
	if !(r >= 0 && r < 1) { // NaN too
		l.e.errorf(l.pos, "rate of dropout must be in [0, 1), got %g", r)
		return
	}
	l.emit(ir.OpDropout, ir.Attrs{Rate: r})
}

func lowerChannelConv(l *lowering) {
	k := l.int("kernel")
	if k < 1 || k%2 == 0 {
		l.e.errorf(l.pos, "kernel of channel_conv must be odd and positive, got %d", k)
		return
	}
	l.emit(ir.OpChannelConv, ir.Attrs{Kernel: [2]int{k, 1}},
		l.param(ir.OpChannelConv, ir.RoleWeight, []int{1, 1, k}, ir.InitKaimingFanOut))
}

func lowerLeakyRelu(l *lowering) {
	a := l.float("alpha")
	if math.IsNaN(a) || math.IsInf(a, 0) {
		l.e.errorf(l.pos, "alpha of leaky_relu must be finite, got %g", a)
		return
	}
	l.emit(ir.OpLeakyRelu, ir.Attrs{Alpha: a})
}

// lowerNorm lowers layernorm and groupnorm: a normalisation with a
// per-channel scale and shift, named as batch norm's.
func lowerNorm(l *lowering) {
	if len(l.x.Shape) < 2 {
		l.e.errorf(l.pos, "%s needs a tensor with channels, got %v", l.b.name, l.x.Shape)
		return
	}
	eps := l.float("eps")
	if !(eps > 0) || math.IsInf(eps, 1) {
		l.e.errorf(l.pos, "eps of %s must be positive and finite, got %g", l.b.name, eps)
		return
	}
	op := ir.OpLayerNorm
	a := ir.Attrs{Epsilon: eps, Scale: l.bool("scale"), Center: l.bool("center")}
	if l.b.name == "groupnorm" {
		op = ir.OpGroupNorm
		if !l.positive("groups") {
			return
		}
		a.Groups = l.int("groups")
	}
	c := l.x.Shape[1]
	var params []*ir.Param
	if a.Scale {
		params = append(params, l.param(op, ir.RoleGamma, []int{c}, ir.InitOnes))
	}
	if a.Center {
		params = append(params, l.param(op, ir.RoleBeta, []int{c}, ir.InitZeros))
	}
	l.emit(op, a, params...)
}

func lowerUpsample(l *lowering) {
	if size, _ := l.args["size"].([]Value); len(size) > 0 {
		lowerResize(l, size)
		return
	}
	if !l.positive("scale") {
		return
	}
	s := l.int("scale")
	l.emit(ir.OpUpsample, ir.Attrs{Factor: [2]int{s, s}})
}

// lowerLayerScale multiplies each channel by a learnt factor. Its
// parameter is named LAYER.PARAM (timm's ls1.gamma), or LAYER itself with
// param: "" (torchvision's ConvNeXt stores block.layer_scale), of shape
// [C], or [C,1,1] with keep_dims.
func lowerLayerScale(l *lowering) {
	if len(l.x.Shape) < 2 {
		l.e.errorf(l.pos, "layer_scale needs a tensor with channels, got %v", l.x.Shape)
		return
	}
	init := l.float("init")
	if math.IsNaN(init) || math.IsInf(init, 0) {
		l.e.errorf(l.pos, "init of layer_scale must be finite, got %g", init)
		return
	}
	c := l.x.Shape[1]
	shape := []int{c}
	if l.bool("keep_dims") {
		shape = []int{c, 1, 1}
	}
	name, _ := l.args["param"].(string)
	if name != "" {
		name = l.name + l.e.style.paramSep + name
	} else {
		name = l.name
	}
	p := &ir.Param{Name: name, Role: ir.RoleGamma, Shape: shape, Trainable: true, Init: ir.InitConst, InitValue: init}
	node := l.name
	if name == l.name {
		// ONNX names values and weights alike: the product takes another.
		node = l.e.style.join([]string{l.name}, "mul")
	}
	l.e.node(ir.OpChannelScale, l.scope, node, []*ir.Node{l.x}, ir.Attrs{}, []*ir.Param{p}, l.pos)
}

func lowerDropPath(l *lowering) {
	r := l.float("rate")
	if !(r >= 0 && r < 1) {
		l.e.errorf(l.pos, "rate of drop_path must be in [0, 1), got %g", r)
		return
	}
	l.emit(ir.OpDropPath, ir.Attrs{Rate: r})
}

func lowerSpaceToDepth(l *lowering) {
	if !l.positive("block") {
		return
	}
	l.emit(ir.OpSpaceToDepth, ir.Attrs{Block: l.int("block")})
}

// lowerRadixSoftmax is timm's rSoftMax: a softmax across the radix splits
// of each group, or a sigmoid for radix 1.
func lowerRadixSoftmax(l *lowering) {
	if !l.positive("radix", "groups") {
		return
	}
	if l.int("radix") == 1 {
		l.emit(ir.OpSigmoid, ir.Attrs{})
		return
	}
	l.emit(ir.OpRadixSoftmax, ir.Attrs{Radix: l.int("radix"), Groups: l.int("groups")})
}

// lowerPadChannels appends (and prepends) zero channels: PyramidNet's
// shortcut. It is a stride-1 option-A shortcut.
func lowerPadChannels(l *lowering) {
	a, b := l.int("after"), l.int("before")
	if a < 0 || b < 0 {
		l.e.errorf(l.pos, "pad_channels needs non-negative counts, got before %d and after %d", b, a)
		return
	}
	l.emit(ir.OpSubsamplePad, ir.Attrs{Strides: [2]int{1, 1}, ChannelPads: [2]int{b, a}})
}
