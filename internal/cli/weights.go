package cli

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/resc-dev/resc/weights"
	"github.com/resc-dev/resc/weights/safetensors"
)

type weightsFlags struct {
	modelFlags
	out     string
	seed    uint64
	seedSet bool
}

func init() {
	register(&command{
		name:  "weights",
		args:  "-o W.safetensors [--seed S] [--model NAME] [--set NAME=VALUE] MODEL\n       resc weights convert IN -o OUT.safetensors [--model NAME] [--set NAME=VALUE] [MODEL]",
		short: "write a model's initial weights, or convert a weight file, as safetensors",
		long: `Weights writes the weights 'resc build' would use for MODEL, initialised
deterministically from --seed as the reference implementation initialises
them, to a safetensors file keyed by the reference names
(layer1.0.conv1.weight for torchvision/timm models, conv2_block1_1_conv/kernel
for Keras ones). Tensors are float32 in PyTorch layout (convolutions OIHW,
fully connected [out,in]) whatever the naming.

Inspect or edit the file with any safetensors tool and load it back with
'resc build --weights W.safetensors'; the round trip gives the same model.

'resc weights convert IN -o OUT.safetensors' converts a weight file that
--weights reads (safetensors, a Keras weight file, or a PyTorch
checkpoint written by torch.save: a state_dict, or a dict holding one under
"state_dict" or "model") to safetensors, tensors named as in IN ("module." prefixes
removed) and floats as float32. With a MODEL the file is checked against
it first — every parameter present with its shape, nothing else — and
written as 'resc weights MODEL' writes initial ones: the model's names and
layout, ready for --weights. docs/weights.md shows the way from the
published pretrained files.

Files are written atomically: a failure leaves no partial file, and an -o
that is the model's source, an import or the input file is refused.
'resc weights MODEL -o -' writes the file to the standard output.`,
		flags: func(fs *flag.FlagSet) any {
			f := &weightsFlags{}
			f.register(fs)
			fs.StringVar(&f.out, "o", "", "write the weights to `file` (required; - for the standard output of initial weights)")
			fs.Func("seed", "seed `S` of the deterministic initialisation (default 0)", func(s string) error {
				v, err := strconv.ParseUint(s, 10, 64)
				if err != nil {
					return fmt.Errorf("want a non-negative integer, got %q", s)
				}
				f.seed, f.seedSet = v, true
				return nil
			})
			return f
		},
		run: func(c *ctx, opts any, args []string) error {
			f := opts.(*weightsFlags)
			if len(args) > 0 && args[0] == "convert" {
				return runConvert(c, f, args[1:])
			}
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

// runConvert is 'resc weights convert IN -o OUT [MODEL]'.
func runConvert(c *ctx, f *weightsFlags, args []string) error {
	if len(args) == 0 {
		return usagef("convert: missing IN, the weight file to convert")
	}
	if len(args) > 2 {
		return usagef("convert: too many arguments: %v", args[2:])
	}
	if f.out == "" {
		return usagef("convert: missing -o OUT.safetensors")
	}
	if f.seedSet {
		return usagef("convert: --seed applies to initial weights, not to converted ones")
	}
	if len(args) == 1 && (f.model != "" || len(f.set) > 0) {
		return usagef("convert: --model and --set apply to a MODEL; give one after IN")
	}
	in := args[0]
	if err := refuseOverwrite("-o", f.out, []string{in}); err != nil {
		return err
	}
	file, err := weights.ReadFile(in)
	if err != nil {
		return err
	}
	if len(args) == 1 {
		if err := safetensors.WriteFile(f.out, file.Tensors, file.Metadata); err != nil {
			return fmt.Errorf("cannot write %s: %v", f.out, unwrapPath(err))
		}
		var n int64
		for i := range file.Tensors {
			if file.Tensors[i].IsWeight() {
				n += int64(len(file.Tensors[i].Data))
			}
		}
		fmt.Fprintf(c.stderr, "wrote %s: %s tensors, %s float values, from %s\n", f.out, commas(int64(len(file.Tensors))), commas(n), in)
		return nil
	}
	model, err := loadModel(args[1], &f.modelFlags)
	if err != nil {
		return err
	}
	g := model.Graph()
	if err := refuseOverwrite("-o", f.out, model.Files()); err != nil {
		return err
	}
	w, err := weights.Match(g, file, in)
	if err != nil {
		return err
	}
	if err := weights.Save(g, w, f.out); err != nil {
		return fmt.Errorf("cannot write %s: %v", f.out, unwrapPath(err))
	}
	fmt.Fprintf(c.stderr, "wrote %s: %s parameters of %s, from %s\n", f.out, commas(g.Stats().Total), g.Name, in)
	return nil
}
