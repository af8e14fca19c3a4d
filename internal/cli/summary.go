package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/ir"
)

type summaryFlags struct {
	modelFlags
	json bool
}

func init() {
	register(&command{
		name:  "summary",
		args:  "[--json] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "print a model's layers, shapes, parameters and MACs",
		long: `Summary prints a table like Keras's model.summary(): each layer's name, op,
output shape and parameter count, then the trainable, non-trainable (batch
norm running statistics) and total parameters, and the multiply-accumulates
of one image (convolutions and fully connected layers).

With --json it prints one object: model, params (trainable), non_trainable_params,
total_params, macs (an integer), input and output shapes, and layers (name,
op, shape with null for the batch, params).`,
		flags: func(fs *flag.FlagSet) any {
			f := &summaryFlags{}
			f.register(fs)
			fs.BoolVar(&f.json, "json", false, "print JSON instead of a table")
			return f
		},
		run: func(c *ctx, opts any, args []string) error {
			f := opts.(*summaryFlags)
			arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
			if err != nil {
				return err
			}
			g, p, name, err := buildModel(arg, &f.modelFlags)
			if err != nil {
				return err
			}
			params, err := p.NetworkParams(name)
			if err != nil {
				return err
			}
			if f.json {
				return writeSummaryJSON(c.stdout, g, params)
			}
			writeSummary(c.stdout, g, params)
			return nil
		},
	})
}

// commas formats n with thousands separators, as Keras does.
func commas(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

func writeSummary(w io.Writer, g *ir.Graph, params []compiler.NetworkParam) {
	fmt.Fprintf(w, "Model: %s\n", g.Name)
	if len(params) > 0 {
		var parts []string
		for _, p := range params {
			parts = append(parts, p.Name+"="+p.Default)
		}
		fmt.Fprintf(w, "Parameters (change with --set NAME=VALUE): %s\n", strings.Join(parts, " "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Layer\tOp\tOutput shape\tParams")
	for _, n := range g.Nodes {
		_, total := n.NodeParams()
		p := ""
		if total > 0 {
			p = commas(total)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Name, n.Op, n.Shape, p)
	}
	tw.Flush()
	s := g.Stats()
	fmt.Fprintf(w, "\nTrainable params:     %s\n", commas(s.Trainable))
	fmt.Fprintf(w, "Non-trainable params: %s\n", commas(s.Total-s.Trainable))
	fmt.Fprintf(w, "Total params:         %s\n", commas(s.Total))
	fmt.Fprintf(w, "MACs:                 %s (%.3f G) at input %s\n", commas(s.MACs), float64(s.MACs)/1e9, g.Input.Shape)
}

type jsonLayer struct {
	Name   string `json:"name"`
	Op     string `json:"op"`
	Shape  []any  `json:"shape"`
	Params int64  `json:"params"`
}

func jsonShape(s ir.Shape) []any {
	out := make([]any, len(s))
	for i, d := range s {
		if d == ir.Batch {
			out[i] = nil
		} else {
			out[i] = d
		}
	}
	return out
}

type jsonParam struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

func writeSummaryJSON(w io.Writer, g *ir.Graph, params []compiler.NetworkParam) error {
	jp := []jsonParam{}
	for _, p := range params {
		jp = append(jp, jsonParam{p.Name, p.Type, p.Default})
	}
	s := g.Stats()
	layers := make([]jsonLayer, 0, len(g.Nodes))
	for _, n := range g.Nodes {
		_, total := n.NodeParams()
		layers = append(layers, jsonLayer{Name: n.Name, Op: n.Op.String(), Shape: jsonShape(n.Shape), Params: total})
	}
	out := struct {
		Model        string      `json:"model"`
		Naming       string      `json:"naming"`
		Input        []any       `json:"input"`
		Output       []any       `json:"output"`
		Params       int64       `json:"params"`
		NonTrainable int64       `json:"non_trainable_params"`
		TotalParams  int64       `json:"total_params"`
		MACs         int64       `json:"macs"`
		Parameters   []jsonParam `json:"parameters"`
		Layers       []jsonLayer `json:"layers"`
	}{g.Name, g.Naming, jsonShape(g.Input.Shape), jsonShape(g.Output.Shape), s.Trainable, s.Total - s.Trainable, s.Total, s.MACs, jp, layers}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
