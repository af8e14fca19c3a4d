package compiler

import (
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
)

// ONNX has one namespace for values and initializers: every node's name
// (its output value) and every weight's name must differ, and the graph's
// own input and output take "input" and "logits" or "probabilities"
// (backend/onnx names them so). The export would fail on a clash with no
// position; elaboration checks here instead, at the label.

// outputNames are the names the ONNX export gives the network's output.
var outputNames = map[string]bool{"logits": true, "probabilities": true}

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

// checkOutputNames reports a node other than the output that is named as
// the ONNX export names the output (onnx.OutputName, which this package
// cannot import).
func (e *elab) checkOutputNames(out *ir.Node) {
	name := "logits"
	if out.Op == ir.OpSoftmax {
		name = "probabilities"
	}
	for _, n := range e.g.Nodes {
		if n != out && n.Name == name {
			e.errs.Add(n.Pos, n.Chain, "label %s is the name of the network's output in ONNX; give this layer a different label", n.Name)
		}
	}
}
