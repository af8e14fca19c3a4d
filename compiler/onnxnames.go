package compiler

import (
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/lang"
)

// ONNX has one namespace for values and initializers: every node's name
// (its output value) and every weight's name must differ, and the graph's
// own input and output take "input" and "logits" or "probabilities"
// (backend/onnx names them so). The export would fail on a clash with no
// position; elaboration checks here instead, at the label.

// outputNames are the names the ONNX export gives the network's output.
var outputNames = map[string]bool{"logits": true, "probabilities": true, "features": true}

// claimWeights checks a new node's name against the weights given out so
// far, and its weights against the nodes and weights, and records them.
func (e *elab) claimWeights(name string, params []*ir.Param, pos diag.Pos) bool {
	if prev, ok := e.weightNames[name]; ok {
		e.errorf(pos, "label %s is the name of a weight (of the layer at %s): ONNX names layers and weights alike; give this layer a different label", name, prev)
		return false
	}
	for _, p := range params {
		if e.usedNames[p.Name] || p.Name == "input" || outputNames[p.Name] {
			where := "the network's input or output"
			for _, n := range e.g.Nodes {
				if n.Name == p.Name {
					where = "the layer at " + n.Pos.String()
				}
			}
			e.errorf(pos, "this layer's weight %s has the name of %s: ONNX names layers and weights alike; give one of them a different label", p.Name, where)
			return false
		}
		if prev, ok := e.weightNames[p.Name]; ok {
			e.errorf(pos, "this layer's weight %s is also a weight of the layer at %s; give the layers different labels", p.Name, prev)
			return false
		}
	}
	for _, p := range params {
		e.weightNames[p.Name] = pos
	}
	return true
}

// defaultOutputName names a network's only output when its source names
// none: what a classifier's output is to its users.
func defaultOutputName(out *ir.Node) string {
	switch out.Op {
	case ir.OpSoftmax:
		return "probabilities"
	case ir.OpGemm:
		return "logits"
	}
	return "features"
}

// setOutputs makes the graph's outputs: those output statements named,
// else the final tensor, named after what it is. A node other than an
// output may not take an output's name, which ONNX gives to the output's
// value, nor may a weight or the input.
func (e *elab) setOutputs(out *ir.Node, net *lang.BlockDecl) {
	if len(e.outputs) == 0 {
		e.g.Outputs = []ir.Output{{Name: defaultOutputName(out), Node: out}}
	}
	for _, o := range e.outputs {
		e.g.Outputs = append(e.g.Outputs, ir.Output{Name: o.name, Node: o.node})
		if o.name == "input" {
			e.errs.Add(o.pos, e.chain, "output input: the network's input is called input in ONNX; name the output differently")
		}
		if at, ok := e.weightNames[o.name]; ok {
			e.errs.Add(o.pos, e.chain, "output %s has the name of a weight (of the layer at %s): ONNX names outputs and weights alike", o.name, at)
		}
	}
	for _, n := range e.g.Nodes {
		for _, o := range e.g.Outputs {
			if n != o.Node && n.Name == o.Name {
				e.errs.Add(n.Pos, n.Chain, "label %s is the name of the network's output in ONNX; give this layer a different label", n.Name)
			}
		}
	}
}
