package resc

import "github.com/resc-dev/resc/ir"

// A Summary describes a network as Keras's model.summary() does.
type Summary struct {
	Model  string
	Naming string // the weight naming convention: "torch" or "keras"
	// Input is the shape of one batch, NCHW; dimension 0 is the batch,
	// BatchDim.
	Input []int
	// Outputs are the network's outputs, in order: most networks have one.
	Outputs      []Output
	Trainable    int64 // learnable parameters
	NonTrainable int64 // batch-norm running statistics
	Total        int64
	MACs         int64 // multiply-accumulates of one image (convs and fully connected layers)
	Params       []Param
	Layers       []Layer
}

// An Output is one of a network's results: the name of its ONNX output
// ("logits", "probabilities", "features", or the name the source gives
// it) and its shape, batch first (BatchDim).
type Output struct {
	Name  string
	Shape []int
}

func outputs(g *ir.Graph) []Output {
	var out []Output
	for _, o := range g.Outputs {
		out = append(out, Output{Name: o.Name, Shape: append([]int(nil), o.Node.Shape...)})
	}
	return out
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
		Input: append([]int(nil), g.Input.Shape...), Outputs: outputs(g),
		Trainable: st.Trainable, NonTrainable: st.Total - st.Trainable, Total: st.Total, MACs: st.MACs,
		Params: params,
	}
	for _, n := range g.Nodes {
		_, total := n.NodeParams()
		s.Layers = append(s.Layers, Layer{Name: n.Name, Op: n.Op.String(), Shape: append([]int(nil), n.Shape...), Params: total})
	}
	return s
}
