package compiler

import (
	"math"
)

// builtinLayer is a primitive layer: its parameters and how it lowers to IR
// (layers.go).
type builtinLayer struct {
	name   string
	params []paramSpec
	lower  func(l *lowering) // builds the node(s)
	doc    string            // one line for the reader of this table
}

func req(name, typ string) paramSpec { return paramSpec{Name: name, Type: typ, Required: true} }
func opt(name, typ string, v Value) paramSpec {
	return paramSpec{Name: name, Type: typ, Value: v}
}

// builtinLayers are the primitive layers, by name.
var builtinLayers = map[string]*builtinLayer{}

func init() {
	for _, b := range []*builtinLayer{
		{name: "conv", lower: lowerConv, doc: "2-D convolution; pad defaults to dilation*(kernel-1)/2",
			params: []paramSpec{req("out", "int"), req("kernel", "int"), opt("stride", "int", int64(1)), opt("pad", "int", int64(-1)),
				opt("dilation", "int", int64(1)), opt("groups", "int", int64(1)), opt("bias", "bool", false)}},
		{name: "bn", lower: lowerBN, doc: "batch normalisation (inference: running statistics); frozen: scale and shift not trainable",
			params: []paramSpec{opt("eps", "float", 1e-5), opt("zero_init", "bool", false), opt("scale", "bool", true), opt("center", "bool", true),
				opt("frozen", "bool", false)}},
		{name: "relu", lower: lowerSimple, doc: "max(x, 0)"},
		{name: "sigmoid", lower: lowerSimple, doc: "1 / (1 + exp(-x))"},
		{name: "softmax", lower: lowerSimple, doc: "softmax over the class axis"},
		{name: "flatten", lower: lowerSimple, doc: "[N,C,H,W] to [N,C*H*W]"},
		{name: "gap", lower: lowerSimple, doc: "global average pool to [N,C,1,1]"},
		{name: "gmp", lower: lowerSimple, doc: "global max pool to [N,C,1,1]"},
		{name: "maxpool", lower: lowerPool, doc: "max pool; stride defaults to kernel",
			params: []paramSpec{req("kernel", "int"), opt("stride", "int", int64(0)), opt("pad", "int", int64(0)), opt("ceil", "bool", false)}},
		{name: "avgpool", lower: lowerPool, doc: "average pool; stride defaults to kernel",
			params: []paramSpec{req("kernel", "int"), opt("stride", "int", int64(0)), opt("pad", "int", int64(0)), opt("ceil", "bool", false),
				opt("count_include_pad", "bool", true)}},
		{name: "fc", lower: lowerFC, doc: "fully connected layer on [N,features]",
			params: []paramSpec{req("out", "int"), opt("bias", "bool", true)}},
		{name: "linear", lower: lowerLinear, doc: "nn.Linear on the channel axis: fc on [N,features], at every position of [N,C,H,W] (weight [out,in])",
			params: []paramSpec{req("out", "int"), opt("bias", "bool", true)}},
		{name: "zeropad", lower: lowerPad, doc: "symmetric spatial zero padding",
			params: []paramSpec{req("pad", "int")}},
		{name: "dropout", lower: lowerDropout, doc: "dropout (identity at inference)",
			params: []paramSpec{opt("rate", "float", 0.0)}},
		{name: "channel_conv", lower: lowerChannelConv, doc: "ECA: 1-D conv across the channels of [N,C,1,1], no bias",
			params: []paramSpec{req("kernel", "int")}},
		{name: "silu", lower: lowerSimple, doc: "x * sigmoid(x) (Swish)"},
		{name: "hardswish", lower: lowerSimple, doc: "x * relu6(x + 3) / 6"},
		{name: "hardsigmoid", lower: lowerSimple, doc: "relu6(x + 3) / 6 (PyTorch's)"},
		{name: "relu6", lower: lowerSimple, doc: "min(max(x, 0), 6)"},
		{name: "gelu", lower: lowerSimple, doc: "x * Phi(x), exact (erf)"},
		{name: "tanh", lower: lowerSimple, doc: "hyperbolic tangent"},
		{name: "leaky_relu", lower: lowerLeakyRelu, doc: "x < 0 ? alpha * x : x",
			params: []paramSpec{opt("alpha", "float", 0.01)}},
		{name: "layernorm", lower: lowerNorm, doc: "layer normalisation over the channels at each position (ConvNeXt's LayerNorm2d)",
			params: []paramSpec{opt("eps", "float", 1e-6), opt("scale", "bool", true), opt("center", "bool", true)}},
		{name: "groupnorm", lower: lowerNorm, doc: "group normalisation",
			params: []paramSpec{req("groups", "int"), opt("eps", "float", 1e-5), opt("scale", "bool", true), opt("center", "bool", true)}},
		{name: "upsample", lower: lowerUpsample, doc: "nearest-neighbour upsampling by an integer factor, or to a size [H, W] as torch's F.interpolate",
			params: []paramSpec{opt("scale", "int", int64(2)), opt("size", "list[int]", []Value{})}},
		{name: "layer_scale", lower: lowerLayerScale, doc: "x * gamma[c], gamma initialised to init",
			params: []paramSpec{opt("init", "float", 1e-6), opt("param", "string", "gamma"), opt("keep_dims", "bool", false)}},
		{name: "drop_path", lower: lowerDropPath, doc: "stochastic depth (identity at inference)",
			params: []paramSpec{opt("rate", "float", 0.0)}},
		{name: "space_to_depth", lower: lowerSpaceToDepth, doc: "blocks of block x block pixels moved into the channels",
			params: []paramSpec{opt("block", "int", int64(2))}},
		{name: "radix_softmax", lower: lowerRadixSoftmax, doc: "split attention's softmax over radix groups (sigmoid for radix 1)",
			params: []paramSpec{req("radix", "int"), opt("groups", "int", int64(1))}},
		{name: "pad_channels", lower: lowerPadChannels, doc: "zero channels added before and after",
			params: []paramSpec{req("after", "int"), opt("before", "int", int64(0))}},
	} {
		builtinLayers[b.name] = b
	}
}

// shortcutParams are the parameters of each builtin shortcut kind.
var shortcutParams = map[string][]paramSpec{
	"identity": nil,
	"projection": {opt("bias", "bool", false), opt("bn", "bool", true), opt("eps", "float", 1e-5),
		opt("conv_name", "string", ""), opt("bn_name", "string", ""), opt("source", "string", "auto"), opt("frozen_bn", "bool", false)},
	"avg_projection": {opt("bias", "bool", false), opt("bn", "bool", true), opt("eps", "float", 1e-5),
		opt("pool_name", "string", ""), opt("conv_name", "string", ""), opt("bn_name", "string", ""), opt("source", "string", "auto"),
		opt("dilation", "int", int64(1)), opt("frozen_bn", "bool", false)},
	"pad_shortcut":  nil,
	"pool_shortcut": nil,
}

var builtinFuncs = []*Func{
	{Name: "min", MinArgs: 1, MaxArgs: -1, Builtin: func(c *callCtx, a []Value) Value { return extreme(c, a, -1) }},
	{Name: "max", MinArgs: 1, MaxArgs: -1, Builtin: func(c *callCtx, a []Value) Value { return extreme(c, a, 1) }},
	{Name: "abs", MinArgs: 1, MaxArgs: 1, Builtin: func(c *callCtx, a []Value) Value {
		switch x := a[0].(type) {
		case int64:
			if x == math.MinInt64 {
				return c.errorf("integer overflow: abs(%d) is out of the int range", x)
			}
			if x < 0 {
				return -x
			}
			return x
		case float64:
			return math.Abs(x)
		}
		return c.errorf("abs needs a number, got %s %s", typeName(a[0]), show(a[0]))
	}},
	{Name: "floor", MinArgs: 1, MaxArgs: 1, Builtin: rounding("floor", math.Floor)},
	{Name: "ceil", MinArgs: 1, MaxArgs: 1, Builtin: rounding("ceil", math.Ceil)},
	{Name: "round", MinArgs: 1, MaxArgs: 1, Builtin: rounding("round", math.RoundToEven)},
	{Name: "int", MinArgs: 1, MaxArgs: 1, Builtin: rounding("int", math.Trunc)},
	{Name: "float", MinArgs: 1, MaxArgs: 1, Builtin: func(c *callCtx, a []Value) Value {
		if f, ok := toFloat(a[0]); ok {
			return f
		}
		return c.errorf("float needs a number, got %s %s", typeName(a[0]), show(a[0]))
	}},
	{Name: "log2", MinArgs: 1, MaxArgs: 1, Builtin: func(c *callCtx, a []Value) Value {
		if f, ok := toFloat(a[0]); ok && f > 0 {
			return math.Log2(f)
		}
		return c.errorf("log2 needs a positive number, got %s", show(a[0]))
	}},
	{Name: "len", MinArgs: 1, MaxArgs: 1, Builtin: func(c *callCtx, a []Value) Value {
		if l, ok := a[0].([]Value); ok {
			return int64(len(l))
		}
		return c.errorf("len needs a list, got %s %s", typeName(a[0]), show(a[0]))
	}},
	{Name: "split", MinArgs: 2, MaxArgs: 2, Builtin: builtinSplit},
	{Name: "concat", MinArgs: 1, MaxArgs: -1, Builtin: builtinConcat},
	{Name: "sum", MinArgs: 1, MaxArgs: -1, Builtin: builtinSum},
	{Name: "shape", MinArgs: 1, MaxArgs: 1, Builtin: builtinShape},
	{Name: "auto", MinArgs: 1, MaxArgs: 1, Builtin: func(c *callCtx, a []Value) Value {
		k, ok := a[0].(*ShortcutKind)
		if !ok || k.Kind == "auto" {
			return c.errorf("auto needs a shortcut kind such as projection(), got %s", show(a[0]))
		}
		return &ShortcutKind{Kind: "auto", Inner: k}
	}},
}

func rounding(name string, f func(float64) float64) func(*callCtx, []Value) Value {
	return func(c *callCtx, a []Value) Value {
		x, ok := toFloat(a[0])
		if !ok {
			return c.errorf("needs a number, got %s %s", typeName(a[0]), show(a[0]))
		}
		if _, isInt := a[0].(int64); isInt {
			return a[0]
		}
		n, ok := floatToInt(f(x))
		if !ok {
			return c.errorf("%s of %s is out of the int range", name, show(a[0]))
		}
		return n
	}
}

func extreme(c *callCtx, a []Value, sign float64) Value {
	if len(a) == 1 {
		if l, ok := a[0].([]Value); ok {
			if len(l) == 0 {
				return c.errorf("min/max of an empty list")
			}
			a = l
		}
	}
	best := a[0]
	bf, ok := toFloat(best)
	if !ok {
		return c.errorf("min/max need numbers, got %s %s", typeName(best), show(best))
	}
	for _, v := range a[1:] {
		f, ok := toFloat(v)
		if !ok {
			return c.errorf("min/max need numbers, got %s %s", typeName(v), show(v))
		}
		if sign*(f-bf) > 0 {
			best, bf = v, f
		}
	}
	return best
}

// builtinEnv is the outermost scope: builtin layers, shortcut kinds and functions.
var builtinEnv = newEnv(nil)

func init() {
	for name, b := range builtinLayers {
		builtinEnv.vars[name] = &Layer{Name: name, Builtin: b, Params: b.params}
	}
	for name := range shortcutParams {
		builtinEnv.vars[name] = &ShortcutKind{Kind: name}
	}
	for _, f := range builtinFuncs {
		builtinEnv.vars[f.Name] = f
	}
	builtinEnv.vars["current"] = currentTensor{}
}

func isBuiltinName(name string) bool {
	_, ok := builtinEnv.vars[name]
	return ok
}
