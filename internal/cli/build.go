package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/internal/atomicfile"
)

// compileFlags are the flags of the commands that compile a model to
// something runnable: optimisation level, weights and ONNX options.
type compileFlags struct {
	modelFlags
	optFlags
	seed        uint64
	weightsFile string
	opset       int
	batch       int
	fs          *flag.FlagSet // to tell a flag given from its default
}

func (f *compileFlags) register(fs *flag.FlagSet) {
	f.fs = fs
	f.modelFlags.register(fs)
	f.optFlags.register(fs)
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the deterministic weight initialisation")
	fs.StringVar(&f.weightsFile, "weights", "", "load weights from a `file`: safetensors, a PyTorch checkpoint (.pth/.pt/.bin) or an ONNX model's initializers, reference names (docs/weights.md)")
	fs.IntVar(&f.opset, "opset", onnx.DefaultOpset, fmt.Sprintf("ONNX opset to write, %d to %d", onnx.MinOpset, onnx.MaxOpset))
	fs.IntVar(&f.batch, "batch", 0, "fix the batch dimension to `K` (default: symbolic \"N\")")
}

// A compiled model and the ONNX options its flags chose.
type compiled struct {
	*resc.Compiled
	onnx resc.ONNXOptions
}

// compileModel loads MODEL and compiles it as the flags say (see
// resc.Model.Compile). With stream set, initial weights are generated
// while one backend consumes them, once (an export or a run).
func compileModel(arg string, f *compileFlags, stream bool) (*compiled, error) {
	opts, err := f.optFlags.options()
	if err != nil {
		return nil, err
	}
	if f.opset < onnx.MinOpset || f.opset > onnx.MaxOpset {
		return nil, usagef("--opset %d: resc writes opsets %d to %d", f.opset, onnx.MinOpset, onnx.MaxOpset)
	}
	if f.batch < 0 {
		return nil, usagef("--batch must be positive, got %d", f.batch)
	}
	if f.weightsFile != "" && given(f.fs, "seed") {
		return nil, usagef("--seed and --weights exclude each other: loaded weights are not initialised")
	}
	model, err := loadModel(arg, &f.modelFlags)
	if err != nil {
		return nil, err
	}
	if f.batch > 0 {
		if err := model.CheckBatch(f.batch); err != nil {
			return nil, err
		}
	}
	c, err := model.Compile(resc.CompileOptions{
		Level: opts.Level, Disable: opts.Disable, VerifyEach: opts.VerifyEach,
		WeightsFile: f.weightsFile, Seed: f.seed, Once: stream,
	})
	if err != nil {
		return nil, err
	}
	return &compiled{Compiled: c, onnx: resc.ONNXOptions{Opset: f.opset, Batch: f.batch}}, nil
}

type buildFlags struct {
	compileFlags
	out string
}

func init() {
	register(&command{
		name:  "build",
		args:  "[-o OUT.onnx] [--opset N] [--batch K] [-O0|-O1|-O2] [--disable PASS] [--seed S | --weights W.safetensors] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "compile a model to an ONNX file",
		long: `Build checks MODEL, lowers it to the IR, applies the IR passes and writes
an ONNX model that onnxruntime, TensorRT, Netron and onnx.checker accept:
standard ai.onnx operators only, input "input" [N,C,H,W] with a symbolic
batch "N" (or --batch K), output "logits" ("probabilities" when the
network ends in a softmax), initializers under the reference weight names.

-O2 (the default) folds batch norms into the convs' weights and biases
(the folded tensors keep the conv's names; their doc strings say what was
folded) and writes fused epilogues back out as standard nodes (Conv, Add,
Relu); -O1 only drops identities and folds zero padding; -O0 keeps the
graph as written, with every batch norm under its reference names.
--disable PASS skips one pass; 'resc ir --passes' lists them.

The weights are initialised deterministically from --seed as the reference
implementation initialises them, or loaded with --weights from a
safetensors file, a PyTorch checkpoint or the initializers of an ONNX
model (a torch.onnx export, a resc -O0 export) keyed by reference names
(see 'resc weights', docs/weights.md and docs/onnx.md).

--weights also reads Keras weight files, recognised by their content: the
HDF5 files of save_weights and keras.applications, Keras 3's .weights.h5
and .keras archives (docs/hdf5.md).

The file is <model>.onnx in the current folder unless -o names another;
-o - writes the model to the standard output. The file
is written atomically: a failed or interrupted build leaves no partial file
and never replaces an existing one. A symbolic link is followed and the
file it names replaced; an existing file keeps its permissions; a device or
FIFO (-o /dev/null) is written straight through. An -o that is one of the
inputs (the source, an import, the weights file) is refused. The same
source and flags give the same bytes.`,
		flags: func(fs *flag.FlagSet) any {
			f := &buildFlags{}
			f.compileFlags.register(fs)
			fs.StringVar(&f.out, "o", "", "write the model to `file` (default <model>.onnx; - for the standard output)")
			return f
		},
		run: runBuild,
	})
}

func runBuild(c *ctx, opts any, args []string) error {
	f := opts.(*buildFlags)
	arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
	if err != nil {
		return err
	}
	m, err := compileModel(arg, &f.compileFlags, true)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = m.Graph().Name + ".onnx"
	}
	if out == stdoutName {
		if err := m.WriteONNX(c.stdout, m.onnx); err != nil {
			return fmt.Errorf("cannot write the standard output: %v", err)
		}
		reportBuild(c, "the standard output", m)
		return nil
	}
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		return fmt.Errorf("cannot write %s: it is a folder", out)
	}
	if err := refuseOverwrite("-o", out, m.Files()); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Dir(out)); err != nil {
		return fmt.Errorf("cannot write %s: %v", out, unwrapPath(err))
	}
	err = atomicfile.WriteFunc(out, 0o644, func(w io.Writer) error {
		return m.WriteONNX(w, m.onnx)
	})
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", out, unwrapPath(err))
	}
	reportBuild(c, out, m)
	return nil
}

// reportBuild says on stderr what a build wrote.
func reportBuild(c *ctx, out string, m *compiled) {
	g := m.Graph()
	s, written := g.Stats(), m.WrittenStats()
	params := commas(s.Total) + " parameters"
	if s.Total != written.Total {
		params += fmt.Sprintf(" (%s as written, batch norms folded)", commas(written.Total))
	}
	fmt.Fprintf(c.stderr, "wrote %s: %s, %d nodes, %s, opset %d\n", out, g.Name, len(g.Nodes), params, m.onnx.Opset)
}

// stdoutName, as an output file (-o -), is the standard output; as an
// input file (check -, fmt -), the standard input.
const stdoutName = "-"

// outName names an output file in messages.
func outName(path string) string {
	if path == stdoutName {
		return "the standard output"
	}
	return path
}

// given reports whether the flag called name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	found := false
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	}
	return found
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
