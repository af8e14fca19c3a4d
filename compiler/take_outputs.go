package compiler

// take_outputs() lets a block feed a backbone's feature maps to another
// block: it returns, in order, the tensors that output statements have
// named in the current block body so far (the blocks it applied included:
// a features_only backbone's layer1 ... layer4), and withdraws them from
// the network's outputs. An FPN on a ResNet is
//
//	body: resnet(bottleneck, [3, 4, 6, 3], features_only: true, out_indices: [1, 2, 3, 4])
//	fpn: fpn(take_outputs(), 256)
//
// Only the outputs of the body it is called in are taken, never those of
// an enclosing block, so a block builds the same thing wherever it is
// applied.
func init() {
	f := &Func{Name: "take_outputs", MinArgs: 0, MaxArgs: 0, Builtin: builtinTakeOutputs}
	builtinEnv.vars[f.Name] = f
}

func builtinTakeOutputs(c *callCtx, _ []Value) Value {
	el := c.ev.ts.el
	if el == nil {
		return c.errorf("take_outputs takes the outputs of a block body: it works only in a block or network body")
	}
	taken := el.outputs[el.outputMark:]
	out := make([]Value, len(taken))
	for i, o := range taken {
		out[i] = o.node
	}
	el.outputs = el.outputs[:el.outputMark:el.outputMark]
	return out
}
