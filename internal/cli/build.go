package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
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
	fs.StringVar(&f.weightsFile, "weights", "", "load weights from a `file`: safetensors or a PyTorch checkpoint (.pth/.pt/.bin), reference names (docs/weights.md)")
	fs.IntVar(&f.opset, "opset", onnx.DefaultOpset, fmt.Sprintf("ONNX opset to write, %d to %d", onnx.MinOpset, onnx.MaxOpset))
	fs.IntVar(&f.batch, "batch", 0, "fix the batch dimension to `K` (default: symbolic \"N\")")
}

// A compiled model: its optimised graph, its weights and the ONNX options
// that describe where it came from.
type compiled struct {
	graph   *ir.Graph
	written ir.Stats // the graph's as written, before the passes
	weights weights.Source
	onnx    onnx.Options
	inputs  []string // the files read: sources, imports, weights
}

// compileModel builds MODEL, loads or initialises its weights and runs the
// IR passes. Weights from a file are matched against the graph as written;
// the passes then record how the optimised graph's parameters derive from
// those, which the backends evaluate (weights.Resolve). With stream set,
// initial weights are generated while they are consumed, once (an export);
// otherwise they are all made up front.
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
	g, p, _, err := buildModel(arg, &f.modelFlags)
	if err != nil {
		return nil, err
	}
	written := g.Stats()
	var w weights.Source
	if f.weightsFile != "" {
		if w, err = weights.Load(g, f.weightsFile); err != nil {
			return nil, err
		}
	}
	if err := ir.RunPipeline(g, opts); err != nil {
		return nil, err
	}
	switch {
	case w != nil:
	case stream:
		w = weights.Stream(g, f.seed)
	default:
		w = weights.Init(g, f.seed)
	}
	sum := sha256.Sum256([]byte(p.Root.Src.Text))
	inputs := slices.Clone(p.Inputs)
	if f.weightsFile != "" {
		inputs = append(inputs, f.weightsFile)
	}
	return &compiled{graph: g, written: written, weights: w, inputs: inputs, onnx: onnx.Options{
		Opset: f.opset, Batch: f.batch, SourceSHA256: hex.EncodeToString(sum[:]), Source: p.Root.Src.Name,
	}}, nil
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
safetensors file or a PyTorch checkpoint keyed by reference names (see
'resc weights' and docs/weights.md).

--weights also reads Keras weight files, recognised by their content: the
HDF5 files of save_weights and keras.applications, Keras 3's .weights.h5
and .keras archives (docs/hdf5.md).

The file is <model>.onnx in the current folder unless -o names another. It
is written atomically: a failed or interrupted build leaves no partial file
and never replaces an existing one. A symbolic link is followed and the
file it names replaced; an existing file keeps its permissions; a device or
FIFO (-o /dev/null) is written straight through. An -o that is one of the
inputs (the source, an import, the weights file) is refused. The same
source and flags give the same bytes.`,
		flags: func(fs *flag.FlagSet) any {
			f := &buildFlags{}
			f.compileFlags.register(fs)
			fs.StringVar(&f.out, "o", "", "write the model to `file` (default <model>.onnx)")
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
		out = m.graph.Name + ".onnx"
	}
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		return fmt.Errorf("cannot write %s: it is a folder", out)
	}
	if err := refuseOverwrite("-o", out, m.inputs); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Dir(out)); err != nil {
		return fmt.Errorf("cannot write %s: %v", out, unwrapPath(err))
	}
	err = atomicfile.WriteFunc(out, 0o644, func(w io.Writer) error {
		return onnx.Write(w, m.graph, m.weights, m.onnx)
	})
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", out, unwrapPath(err))
	}
	s := m.graph.Stats()
	params := commas(s.Total) + " parameters"
	if s.Total != m.written.Total {
		params += fmt.Sprintf(" (%s as written, batch norms folded)", commas(m.written.Total))
	}
	fmt.Fprintf(c.stderr, "wrote %s: %s, %d nodes, %s, opset %d\n", out, m.graph.Name, len(m.graph.Nodes), params, m.onnx.Opset)
	return nil
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
