package cli

import (
	"flag"

	"github.com/resc-dev/resc/compiler"
)

func init() {
	register(&command{
		name:  "check",
		args:  "[--model NAME] [--set NAME=VALUE] MODEL",
		short: "check a model: parse, resolve names, infer every shape",
		long: `Check parses MODEL, resolves every name and elaborates its networks with
their default arguments (or --set values), inferring every shape. It prints
nothing and exits 0 when the model is valid; otherwise it prints every error
it found as file:line:col: message, with the source line and the chain of
block instantiations, and exits 1.

For a .res file every network is checked unless --model picks one.`,
		flags: func(fs *flag.FlagSet) any {
			m := &modelFlags{}
			m.register(fs)
			return m
		},
		run: runCheck,
	})
}

func runCheck(c *ctx, opts any, args []string) error {
	m := opts.(*modelFlags)
	arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
	if err != nil {
		return err
	}
	if isFile(arg) && m.model == "" && len(m.set) == 0 {
		p, err := compiler.LoadFile(arg)
		if err != nil {
			return err
		}
		p.Limits = m.limits
		if len(p.Networks()) == 0 {
			return p.CheckNames()
		}
		return p.Check()
	}
	if _, _, _, err := buildModel(arg, m); err != nil {
		return err
	}
	return nil
}
