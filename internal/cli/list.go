package cli

import (
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/stdlib"
)

func init() {
	register(&command{
		name:  "list",
		args:  "[--json]",
		short: "list the standard library's models",
		long: `List prints every model of the standard library with its module, trainable
parameters and GMACs at its default input size. Use a name with any other
command: resc summary resnet50. With --json it prints an array of objects:
model, module, params, macs (integers) and input ([C,H,W]); for the
ImageNet models whose reference publishes an accuracy, also top1 and top5
(percent; top5 absent when unpublished), weights (the weights they belong
to), accuracy_size (the input size they were measured at) and
accuracy_source, from the stdlib's accuracy table ('resc help chart').`,
		flags: func(fs *flag.FlagSet) any {
			asJSON := new(bool)
			fs.BoolVar(asJSON, "json", false, "print JSON instead of a table")
			return asJSON
		},
		run: func(c *ctx, opts any, args []string) error {
			asJSON := *opts.(*bool)
			if len(args) > 0 {
				return usagef("list takes no arguments")
			}
			models, err := compiler.StdlibModels()
			if err != nil {
				return err
			}
			type jsonModel struct {
				Model   string   `json:"model"`
				Module  string   `json:"module"`
				Params  int64    `json:"params"`
				MACs    int64    `json:"macs"`
				Input   []int    `json:"input"`
				Top1    *float64 `json:"top1,omitempty"`
				Top5    *float64 `json:"top5,omitempty"`
				Weights string   `json:"weights,omitempty"`
				Size    int      `json:"accuracy_size,omitempty"`
				Source  string   `json:"accuracy_source,omitempty"`
			}
			accuracies, err := stdlib.Accuracies()
			if err != nil {
				return err
			}
			published := map[string]stdlib.Accuracy{}
			for _, a := range accuracies {
				if a.Published {
					published[a.Model] = a
				}
			}
			list := []jsonModel{}
			tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "Model\tModule\tParams\tGMACs\tInput\t")
			progs := map[string]*compiler.Program{}
			for _, m := range models {
				p := progs[m.Module]
				if p == nil {
					if p, err = compiler.LoadModule(m.Module); err != nil {
						return err
					}
					progs[m.Module] = p
				}
				g, err := p.Build(m.Name, nil)
				if err != nil {
					return err
				}
				s := g.Stats()
				in := g.Input.Shape
				fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%dx%dx%d\t\n", m.Name, m.Module, commas(s.Trainable), float64(s.MACs)/1e9, in[1], in[2], in[3])
				jm := jsonModel{Model: m.Name, Module: m.Module, Params: s.Trainable, MACs: s.MACs, Input: []int(in[1:])}
				if a, ok := published[m.Name]; ok {
					jm.Top1, jm.Weights, jm.Size, jm.Source = &a.Top1, a.Weights, a.Size, a.Source
					if a.Top5 > 0 {
						jm.Top5 = &a.Top5
					}
				}
				list = append(list, jm)
			}
			if asJSON {
				return writeJSON(c.stdout, list)
			}
			return tw.Flush()
		},
	})
}
