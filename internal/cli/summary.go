package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/ir"
)

type summaryFlags struct {
	modelFlags
	json  bool
	depth depthFlag
}

func init() {
	register(&command{
		name:  "summary",
		args:  "[--json] [--depth N] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "print a model's layers, shapes, parameters and MACs",
		long: `Summary prints a table like Keras's model.summary(): each layer's name, op,
output shape and parameter count, then the trainable, non-trainable (batch
norm running statistics) and total parameters, and the multiply-accumulates
of one image (convolutions and fully connected layers).

With --json it prints one object: model, params (trainable), non_trainable_params,
total_params, macs (an integer), input and output shapes, and layers (name,
op, shape with null for the batch, params).

--depth N folds the table by label scope, as torchinfo's depth does: at
depth 1 every layer made under label layer1 is one row "layer1", at depth
2 one row per block (layer1.0, conv2_block1), at depth 0 every node is a
row. A folded row gives the block it instantiates (its type), the output
shape of its last node and the parameters of all its nodes. A "Connected
to" column, as in Keras's functional summaries, lists each row's inputs
(for a folded row, those from outside it), a residual shortcut marked
"(shortcut)". With --json the object gains depth, and each layer folded,
nodes, connected_to and shortcuts (the inputs that are shortcuts).`,
		flags: func(fs *flag.FlagSet) any {
			f := &summaryFlags{}
			f.register(fs)
			fs.BoolVar(&f.json, "json", false, "print JSON instead of a table")
			fs.Var(&f.depth, "depth", "fold the layers by their first `N` scope labels and show what each row is connected to")
			return f
		},
		run: func(c *ctx, opts any, args []string) error {
			f := opts.(*summaryFlags)
			arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
			if err != nil {
				return err
			}
			model, err := loadModel(arg, &f.modelFlags)
			if err != nil {
				return err
			}
			s, err := model.Summary()
			if err != nil {
				return err
			}
			if f.depth.set {
				return writeFoldedSummary(c, f, s, model)
			}
			if f.json {
				return writeSummaryJSON(c.stdout, s)
			}
			writeSummary(c.stdout, s)
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

func writeSummary(w io.Writer, s *resc.Summary) {
	writeSummaryHeader(w, s)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Layer\tOp\tOutput shape\tParams")
	for _, l := range s.Layers {
		p := ""
		if l.Params > 0 {
			p = commas(l.Params)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Name, l.Op, ir.Shape(l.Shape), p)
	}
	tw.Flush()
	writeSummaryTotals(w, s)
}

func writeSummaryHeader(w io.Writer, s *resc.Summary) {
	fmt.Fprintf(w, "Model: %s\n", s.Model)
	if len(s.Params) > 0 {
		var parts []string
		for _, p := range s.Params {
			parts = append(parts, p.Name+"="+p.Value)
		}
		fmt.Fprintf(w, "Parameters (change with --set NAME=VALUE): %s\n", strings.Join(parts, " "))
	}
	fmt.Fprintln(w)
}

func writeSummaryTotals(w io.Writer, s *resc.Summary) {
	fmt.Fprintf(w, "\nTrainable params:     %s\n", commas(s.Trainable))
	fmt.Fprintf(w, "Non-trainable params: %s\n", commas(s.NonTrainable))
	fmt.Fprintf(w, "Total params:         %s\n", commas(s.Total))
	fmt.Fprintf(w, "MACs:                 %s (%.3f G) at input %s\n", commas(s.MACs), float64(s.MACs)/1e9, ir.Shape(s.Input))
	var outs []string
	for _, o := range s.Outputs {
		outs = append(outs, o.Name+" "+ir.Shape(o.Shape).String())
	}
	fmt.Fprintf(w, "Outputs:              %s\n", strings.Join(outs, ", "))
}

type jsonLayer struct {
	Name   string `json:"name"`
	Op     string `json:"op"`
	Shape  []any  `json:"shape"`
	Params int64  `json:"params"`
}

func jsonShape(s []int) []any {
	out := make([]any, len(s))
	for i, d := range s {
		if d == resc.BatchDim {
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

func writeSummaryJSON(w io.Writer, s *resc.Summary) error {
	layers := make([]jsonLayer, 0, len(s.Layers))
	for _, l := range s.Layers {
		layers = append(layers, jsonLayer{Name: l.Name, Op: l.Op, Shape: jsonShape(l.Shape), Params: l.Params})
	}
	return writeSummaryObject(w, s, nil, layers)
}

// writeSummaryObject writes the summary's JSON object with the given
// layers; depth is set for a folded summary.
func writeSummaryObject(w io.Writer, s *resc.Summary, depth *int, layers any) error {
	jp := []jsonParam{}
	for _, p := range s.Params {
		jp = append(jp, jsonParam{p.Name, p.Type, p.Value})
	}
	out := struct {
		Model        string       `json:"model"`
		Naming       string       `json:"naming"`
		Input        []any        `json:"input"`
		Outputs      []jsonOutput `json:"outputs"`
		Params       int64        `json:"params"`
		NonTrainable int64        `json:"non_trainable_params"`
		TotalParams  int64        `json:"total_params"`
		MACs         int64        `json:"macs"`
		Parameters   []jsonParam  `json:"parameters"`
		Depth        *int         `json:"depth,omitempty"`
		Layers       any          `json:"layers"`
	}{s.Model, s.Naming, jsonShape(s.Input), jsonOutputs(s.Outputs), s.Trainable, s.NonTrainable, s.Total, s.MACs, jp, depth, layers}
	return writeJSON(w, out)
}

// writeJSON writes v as indented JSON, the form of every --json output.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type jsonOutput struct {
	Name  string `json:"name"`
	Shape []any  `json:"shape"`
}

func jsonOutputs(outs []resc.Output) []jsonOutput {
	var j []jsonOutput
	for _, o := range outs {
		j = append(j, jsonOutput{o.Name, jsonShape(o.Shape)})
	}
	return j
}
