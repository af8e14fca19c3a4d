package cli

import (
	"flag"
)

func init() {
	register(&command{
		name:  "ir",
		args:  "[--model NAME] [--set NAME=VALUE] MODEL",
		short: "print a model's graph IR",
		long: `IR prints the graph a model lowers to, one node per line:

  %5 layer1.0.conv1 = Conv(%4) out=64 kernel=1x1 : [N,64,56,56]
      layer1.0.conv1.weight [64,64,1,1] kaiming_fan_out

Each node has an id, a unique name derived from the source labels, an op with
its inputs and attributes, and its output shape (N is the symbolic batch);
the indented lines are its parameters with their reference names, shapes
and initialisers ("buffer" marks batch-norm running statistics).`,
		flags: func(fs *flag.FlagSet) any {
			m := &modelFlags{}
			m.register(fs)
			return m
		},
		run: func(c *ctx, opts any, args []string) error {
			m := opts.(*modelFlags)
			arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
			if err != nil {
				return err
			}
			g, _, _, err := buildModel(arg, m)
			if err != nil {
				return err
			}
			g.Dump(c.stdout)
			return nil
		},
	})
}
