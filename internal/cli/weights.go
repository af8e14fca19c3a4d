package cli

import (
	"flag"
	"fmt"

	"github.com/resc-dev/resc/weights"
)

type weightsFlags struct {
	modelFlags
	out  string
	seed uint64
}

func init() {
	register(&command{
		name:  "weights",
		args:  "-o W.safetensors [--seed S] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "write a model's initial weights as a safetensors file",
		long: `Weights writes the weights 'resc build' would use for MODEL, initialised
deterministically from --seed as the reference implementation initialises
them, to a safetensors file keyed by the reference names
(layer1.0.conv1.weight for torchvision/timm models, conv2_block1_1_conv/kernel
for Keras ones). Tensors are float32 in PyTorch layout (convolutions OIHW,
fully connected [out,in]) whatever the naming.

Inspect or edit the file with any safetensors tool and load it back with
'resc build --weights W.safetensors'; the round trip gives the same model.
The file is written atomically, as 'resc build' writes its output; an -o
that is the model's source or an import is refused. -o - writes the file
to the standard output.`,
		flags: func(fs *flag.FlagSet) any {
			f := &weightsFlags{}
			f.register(fs)
			fs.StringVar(&f.out, "o", "", "write the weights to `file` (required; - for the standard output)")
			fs.Uint64Var(&f.seed, "seed", 0, "seed of the deterministic initialisation")
			return f
		},
		run: func(c *ctx, opts any, args []string) error {
			f := opts.(*weightsFlags)
			arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
			if err != nil {
				return err
			}
			if f.out == "" {
				return usagef("missing -o W.safetensors")
			}
			model, err := loadModel(arg, &f.modelFlags)
			if err != nil {
				return err
			}
			g := model.Graph()
			if f.out == stdoutName {
				data, err := weights.Encode(g, weights.Init(g, f.seed))
				if err != nil {
					return err
				}
				if _, err := c.stdout.Write(data); err != nil {
					return fmt.Errorf("cannot write the standard output: %v", err)
				}
			} else {
				if err := refuseOverwrite("-o", f.out, model.Files()); err != nil {
					return err
				}
				if err := weights.Save(g, weights.Init(g, f.seed), f.out); err != nil {
					return fmt.Errorf("cannot write %s: %v", f.out, err)
				}
			}
			s := g.Stats()
			fmt.Fprintf(c.stderr, "wrote %s: %s parameters of %s\n", outName(f.out), commas(s.Total), g.Name)
			return nil
		},
	})
}
