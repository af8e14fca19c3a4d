package ir

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Dump writes the graph as stable text for golden tests and `resc ir`:
//
//	graph resnet50 naming=torch
//	%0 input = Input() : [N,3,224,224]
//	%1 conv1 = Conv(%0) out=64 kernel=7x7 stride=2x2 pads=3,3,3,3 : [N,64,112,112]
//	    conv1.weight [64,3,7,7] kaiming_fan_out
//
// Positions are left out so that moving source text does not churn goldens.
func (g *Graph) Dump(w io.Writer) {
	s := g.Stats()
	fmt.Fprintf(w, "graph %s naming=%s params=%d total=%d macs=%d\n", g.Name, g.Naming, s.Trainable, s.Total, s.MACs)
	for _, n := range g.Nodes {
		fmt.Fprintln(w, n.String())
		for _, p := range n.Params {
			fixed := ""
			if !p.Trainable {
				fixed = " buffer"
			}
			if p.Derived != nil {
				fmt.Fprintf(w, "    %s %s = %s%s\n", p.Name, Shape(p.Shape).plain(), p.Derived.Doc, fixed)
				continue
			}
			fmt.Fprintf(w, "    %s %s %s%s\n", p.Name, Shape(p.Shape).plain(), p.Init, fixed)
		}
	}
	for _, o := range g.Outputs {
		fmt.Fprintf(w, "output %s %%%d\n", o.Name, o.Node.ID)
	}
}

// String renders the node as one line of the dump, parameters excluded.
func (n *Node) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%%%d %s = %s(", n.ID, n.Name, n.Op)
	for i, x := range n.Inputs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%%%d", x.ID)
	}
	b.WriteString(")")
	for _, kv := range n.attrText() {
		b.WriteString(" ")
		b.WriteString(kv)
	}
	b.WriteString(" : ")
	b.WriteString(n.Shape.String())
	return b.String()
}

func (s Shape) plain() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func pair(p [2]int) string { return fmt.Sprintf("%dx%d", p[0], p[1]) }

// attrText lists the attributes that matter for the node's op, omitting
// values at their defaults.
func (n *Node) attrText() []string {
	a := &n.Attrs
	var out []string
	add := func(k, v string) { out = append(out, k+"="+v) }
	window := func() {
		add("kernel", pair(a.Kernel))
		if a.Strides != [2]int{1, 1} {
			add("stride", pair(a.Strides))
		}
		if a.Dilations != [2]int{1, 1} {
			add("dilation", pair(a.Dilations))
		}
		if a.Pads != [4]int{} {
			add("pads", fmt.Sprintf("%d,%d,%d,%d", a.Pads[0], a.Pads[1], a.Pads[2], a.Pads[3]))
		}
		if a.CeilMode {
			add("ceil", "true")
		}
	}
	switch n.Op {
	case OpConv:
		add("out", strconv.Itoa(a.OutChannels))
		window()
		if a.Groups != 1 {
			add("groups", strconv.Itoa(a.Groups))
		}
		if a.Bias {
			add("bias", "true")
		}
	case OpMaxPool:
		window()
	case OpAvgPool:
		window()
		if !a.CountIncludePad {
			add("count_include_pad", "false")
		}
	case OpBatchNorm, OpLayerNorm, OpGroupNorm:
		if n.Op == OpGroupNorm {
			add("groups", strconv.Itoa(a.Groups))
		}
		add("eps", strconv.FormatFloat(a.Epsilon, 'g', -1, 64))
		if !a.Scale {
			add("scale", "false")
		}
		if !a.Center {
			add("center", "false")
		}
	case OpGemm:
		add("out", strconv.Itoa(a.OutChannels))
		if !a.Bias {
			add("bias", "false")
		}
	case OpPad:
		add("pads", fmt.Sprintf("%d,%d,%d,%d", a.Pads[0], a.Pads[1], a.Pads[2], a.Pads[3]))
	case OpSubsamplePad:
		add("stride", pair(a.Strides))
		add("channel_pads", fmt.Sprintf("%d,%d", a.ChannelPads[0], a.ChannelPads[1]))
	case OpChannelConv:
		add("kernel", strconv.Itoa(a.Kernel[0]))
	case OpDropout, OpDropPath:
		add("rate", strconv.FormatFloat(a.Rate, 'g', -1, 64))
	case OpLeakyRelu:
		add("alpha", strconv.FormatFloat(a.Alpha, 'g', -1, 64))
	case OpSlice:
		add("channels", fmt.Sprintf("%d:%d", a.Begin, a.End))
	case OpUpsample:
		if a.Size != [2]int{} {
			add("size", pair(a.Size))
		} else {
			add("scale", pair(a.Factor))
		}
	case OpSpaceToDepth:
		add("block", strconv.Itoa(a.Block))
	case OpRadixSoftmax:
		add("radix", strconv.Itoa(a.Radix))
		add("groups", strconv.Itoa(a.Groups))
	}
	if a.Residual {
		add("residual", fmt.Sprintf("%%%d", n.Inputs[len(n.Inputs)-1].ID))
	}
	if a.PostAffine {
		add("post_affine", "true")
	}
	if a.Act != ActNone {
		add("act", a.Act.String())
	}
	if a.Act == ActLeakyRelu || n.Op == OpLeakyRelu {
		add("alpha", strconv.FormatFloat(a.Alpha, 'g', -1, 64))
	}
	return out
}
