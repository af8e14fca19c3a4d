package resc

import "github.com/resc-dev/resc/ir"

// A Summary describes a network as Keras's model.summary() does.
type Summary struct {
	Model  string
	Naming string // the weight naming convention: "torch" or "keras"
	// Input and Output are the shapes of one batch, NCHW; dimension 0 is
	// the batch, BatchDim.
	Input, Output []int
	Trainable     int64 // learnable parameters
	NonTrainable  int64 // batch-norm running statistics
	Total         int64
	MACs          int64 // multiply-accumulates of one image (convs and fully connected layers)
	Params        []Param
	Layers        []Layer
}

// BatchDim stands for the symbolic batch dimension in a shape.
const BatchDim = ir.Batch

// A Layer is one node of a network's graph.
type Layer struct {
	Name   string
	Op     string // "conv", "batchnorm", "add", ...
	Shape  []int  // the output's shape, batch first (BatchDim)
	Params int64  // parameter elements, running statistics included
}

// Summary returns the network's layers, shapes, parameters and MACs, as
// written (before any optimisation).
func (m *Model) Summary() (*Summary, error) {
	params, err := m.Params()
	if err != nil {
		return nil, err
	}
	return summarize(m.graph, params), nil
}

func summarize(g *ir.Graph, params []Param) *Summary {
	st := g.Stats()
	s := &Summary{
		Model: g.Name, Naming: g.Naming,
		Input: append([]int(nil), g.Input.Shape...), Output: append([]int(nil), g.Output.Shape...),
		Trainable: st.Trainable, NonTrainable: st.Total - st.Trainable, Total: st.Total, MACs: st.MACs,
		Params: params,
	}
	for _, n := range g.Nodes {
		_, total := n.NodeParams()
		s.Layers = append(s.Layers, Layer{Name: n.Name, Op: n.Op.String(), Shape: append([]int(nil), n.Shape...), Params: total})
	}
	return s
}
