package compiler

import (
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
)

// shortcut builds the shortcut path of a residual statement. x is the
// block's raw input, pre its pre-activated input (x itself without a
// preact), out the branch output whose shape the shortcut must reach.
// Parameter-free shortcuts read x; projections read pre, as the
// pre-activation references do, unless source says otherwise.
func (e *elab) shortcut(f frame, k *ShortcutKind, label string, pos diag.Pos, x, pre, out *ir.Node) *ir.Node {
	if k.Kind == "auto" {
		if x.Shape.Equal(out.Shape) {
			return x
		}
		k = k.Inner
	}
	sf := f.sub(label)
	arg := func(name string) Value {
		if v, ok := k.Args[name]; ok {
			return v
		}
		for _, p := range shortcutParams[k.Kind] {
			if p.Name == name {
				return p.Value
			}
		}
		return nil
	}
	str := func(name string) string { s, _ := arg(name).(string); return s }
	flag := func(name string) bool { b, _ := arg(name).(bool); return b }
	src := x
	switch k.Kind {
	case "identity":
		return x
	case "projection", "avg_projection":
		switch str("source") {
		case "auto", "preact":
			src = pre
		case "input":
		default:
			e.errorf(pos, "source of %s must be \"auto\", \"preact\" or \"input\", got %q", k.Kind, str("source"))
			return nil
		}
	}
	if len(src.Shape) != 4 || len(out.Shape) != 4 {
		e.errorf(pos, "a %s shortcut needs [N,C,H,W] tensors, got %v and %v", k.Kind, src.Shape, out.Shape)
		return nil
	}
	stride, ok := spatialStride(src.Shape, out.Shape)
	if !ok {
		e.errorf(pos, "no %s shortcut maps %v to the branch output %v: the spatial sizes are not related by a stride", k.Kind, src.Shape, out.Shape)
		return nil
	}
	names := e.style.shortcuts
	if k.Kind == "avg_projection" {
		names = e.style.avgShortcut
	}
	partName := func(part string) string {
		if n := str(part + "_name"); n != "" {
			return e.style.join(sf.scope, n)
		}
		return e.style.join(sf.scope, names[part])
	}
	apply := func(b string, name string, in *ir.Node, args map[string]Value) *ir.Node {
		bl := builtinLayers[b]
		full := map[string]Value{}
		for _, p := range bl.params {
			full[p.Name] = p.Value
		}
		for k, v := range args {
			full[k] = v
		}
		lw := &lowering{e: e, b: bl, scope: sf.scope, name: name, args: full, x: in, pos: pos}
		before := len(e.g.Nodes)
		bl.lower(lw)
		if len(e.g.Nodes) == before {
			return nil
		}
		return e.g.Nodes[len(e.g.Nodes)-1]
	}
	switch k.Kind {
	case "projection", "avg_projection":
		convStride := stride
		if d, _ := arg("dilation").(int64); k.Kind == "avg_projection" && stride == 1 && d > 1 {
			// timm's AvgPool2dSame: TF "same" padding puts the one extra
			// row and column at the end.
			src = e.node(ir.OpAvgPool, sf.scope, partName("pool"), []*ir.Node{src}, ir.Attrs{Kernel: [2]int{2, 2}, Strides: [2]int{1, 1},
				Dilations: [2]int{1, 1}, Pads: [4]int{0, 0, 1, 1}, CeilMode: true}, nil, pos)
			if src == nil {
				return nil
			}
		} else if k.Kind == "avg_projection" && stride > 1 {
			src = apply("avgpool", partName("pool"), src, map[string]Value{
				"kernel": int64(stride), "stride": int64(stride), "ceil": true, "count_include_pad": false})
			if src == nil {
				return nil
			}
			convStride = 1
		}
		y := apply("conv", partName("conv"), src, map[string]Value{
			"out": int64(out.Shape[1]), "kernel": int64(1), "stride": int64(convStride), "pad": int64(0), "bias": flag("bias")})
		if y == nil || !flag("bn") {
			return y
		}
		return apply("bn", partName("bn"), y, map[string]Value{"eps": arg("eps"), "frozen": flag("frozen_bn")})
	case "pad_shortcut":
		extra := out.Shape[1] - x.Shape[1]
		if extra < 0 {
			e.errorf(pos, "pad_shortcut cannot reduce channels from %d to %d", x.Shape[1], out.Shape[1])
			return nil
		}
		return e.node(ir.OpSubsamplePad, sf.scope, e.style.join(sf.scope, "shortcut"), []*ir.Node{x},
			ir.Attrs{Strides: [2]int{stride, stride}, ChannelPads: [2]int{extra / 2, extra - extra/2}}, nil, pos)
	case "pool_shortcut":
		return apply("maxpool", e.style.join(sf.scope, "shortcut"), x, map[string]Value{"kernel": int64(1), "stride": int64(stride)})
	}
	e.errorf(pos, "unknown shortcut kind %s", k.Kind)
	return nil
}

// spatialStride finds the stride s with ceil(in/s) == out in both spatial
// dimensions, as a 1x1 window with stride s produces.
func spatialStride(in, out ir.Shape) (int, bool) {
	if out[2] <= 0 || out[3] <= 0 {
		return 0, false
	}
	s := (in[2] + out[2] - 1) / out[2]
	if s < 1 {
		return 0, false
	}
	for i := 2; i < 4; i++ {
		if (in[i]+s-1)/s != out[i] {
			return 0, false
		}
	}
	return s, true
}
