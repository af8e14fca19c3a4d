package cli

import (
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/resc-dev/resc/compiler"
)

func init() {
	register(&command{
		name:  "list",
		args:  "",
		short: "list the standard library's models",
		long: `List prints every model of the standard library with its module, trainable
parameters and GMACs at its default input size. Use a name with any other
command: resc summary resnet50.`,
		flags: func(fs *flag.FlagSet) any { return nil },
		run: func(c *ctx, _ any, args []string) error {
			if len(args) > 0 {
				return usagef("list takes no arguments")
			}
			models, err := compiler.StdlibModels()
			if err != nil {
				return err
			}
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
			}
			return tw.Flush()
		},
	})
}
