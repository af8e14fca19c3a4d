package ir

import (
	"encoding/json"
	"io"
	"strings"
)

// DumpJSON writes the graph as one JSON object, for `resc ir --json`: the
// same content as Dump, in fields a program can read. Shapes have null for
// the symbolic batch; attributes are Dump's key=value pairs as strings.
func (g *Graph) DumpJSON(w io.Writer) error {
	type jsonParam struct {
		Name      string `json:"name"`
		Shape     []int  `json:"shape"`
		Init      string `json:"init,omitempty"`
		Derived   string `json:"derived,omitempty"`
		Trainable bool   `json:"trainable"`
	}
	type jsonNode struct {
		ID     int               `json:"id"`
		Name   string            `json:"name"`
		Op     string            `json:"op"`
		Inputs []int             `json:"inputs"`
		Attrs  map[string]string `json:"attrs,omitempty"`
		Shape  []*int            `json:"shape"`
		Params []jsonParam       `json:"params,omitempty"`
	}
	s := g.Stats()
	out := struct {
		Name    string       `json:"name"`
		Naming  string       `json:"naming"`
		Params  int64        `json:"params"`
		Total   int64        `json:"total_params"`
		MACs    int64        `json:"macs"`
		Nodes   []jsonNode   `json:"nodes"`
		Outputs []jsonOutput `json:"outputs"`
	}{Name: g.Name, Naming: g.Naming, Params: s.Trainable, Total: s.Total, MACs: s.MACs, Nodes: []jsonNode{}}
	for _, o := range g.Outputs {
		out.Outputs = append(out.Outputs, jsonOutput{Name: o.Name, Node: o.Node.ID})
	}
	for _, n := range g.Nodes {
		jn := jsonNode{ID: n.ID, Name: n.Name, Op: n.Op.String(), Inputs: []int{}}
		for _, x := range n.Inputs {
			jn.Inputs = append(jn.Inputs, x.ID)
		}
		for _, kv := range n.attrText() {
			k, v, _ := strings.Cut(kv, "=")
			if jn.Attrs == nil {
				jn.Attrs = map[string]string{}
			}
			jn.Attrs[k] = v
		}
		for _, d := range n.Shape {
			if d == Batch {
				jn.Shape = append(jn.Shape, nil)
			} else {
				jn.Shape = append(jn.Shape, &d)
			}
		}
		for _, p := range n.Params {
			jp := jsonParam{Name: p.Name, Shape: p.Shape, Trainable: p.Trainable}
			if p.Derived != nil {
				jp.Derived = p.Derived.Doc
			} else {
				jp.Init = p.Init.String()
			}
			jn.Params = append(jn.Params, jp)
		}
		out.Nodes = append(out.Nodes, jn)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

type jsonOutput struct {
	Name string `json:"name"`
	Node int    `json:"node"`
}
