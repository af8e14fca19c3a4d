package cli

import (
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"resc/backend/onnx"
	"resc/internal/npy"
	"resc/internal/weights"
	"resc/ir"
)

// backends are the values of run's --backend; the first is the default.
var backends = []string{"onnx"}

type runFlags struct {
	compileFlags
	backend    string
	input      string
	threads    int
	device     string
	top        int
	saveOutput string
	ortLib     string
}

func init() {
	register(&command{
		name:  "run",
		args:  "[--backend onnx] [--input random[:SEED]] [--batch B] [--threads T] [--device cpu|cuda] [--top K] [--save-output OUT.npy] [--ort-lib PATH] [--opset N] [-O0|-O1] [--seed S | --weights W.safetensors] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "run a model on an input and print the top classes",
		long: `Run compiles MODEL as 'resc build' does (the same passes, weights and ONNX
options), runs it on a batch of B inputs and prints, for each image, the
top K classes with their softmax probabilities (the output itself when the
network ends in a softmax). --save-output writes the raw output, [B, classes],
as a NumPy .npy file.

The input is --input random:SEED, B images of standard normal values of
the model's input shape [B, C, H, W], the same for the same seed ("random"
is random:0). Image files are not supported yet.

The backend is onnxruntime 1.24.1 (--backend onnx), with T intra-op
threads (default: one per CPU) on the CPU or, with --device cuda, on its
CUDA execution provider when the library has one. The library is the
--ort-lib file, else $ONNXRUNTIME_LIB, else the default location where
scripts/install-onnxruntime.sh installs it:
$XDG_CACHE_HOME (or ~/.cache)/resc/onnxruntime-1.24.1/libonnxruntime.so.1.`,
		flags: func(fs *flag.FlagSet) any {
			f := &runFlags{}
			f.compileFlags.register(fs)
			// For run, --batch is the number of inputs, not a fixed ONNX
			// batch dimension: the exported model keeps its symbolic batch.
			f.batch = 1
			if b := fs.Lookup("batch"); b != nil {
				b.Usage = "run a batch of `B` inputs"
				b.DefValue = "1"
			}
			fs.StringVar(&f.backend, "backend", backends[0], "the `BACKEND` that runs the model: "+strings.Join(backends, ", "))
			fs.StringVar(&f.input, "input", "random", "the `INPUT`: random or random:SEED, standard normal values")
			fs.IntVar(&f.threads, "threads", 0, "intra-op threads `T` (default: one per CPU)")
			fs.StringVar(&f.device, "device", "cpu", "the `DEVICE`: cpu or cuda")
			fs.IntVar(&f.top, "top", 5, "print the top `K` classes of each input")
			fs.StringVar(&f.saveOutput, "save-output", "", "write the raw output to `OUT.npy`")
			fs.StringVar(&f.ortLib, "ort-lib", "", "the onnxruntime shared library `PATH` (default: $ONNXRUNTIME_LIB, then the location scripts/install-onnxruntime.sh installs to)")
			return f
		},
		run: runRun,
	})
}

func runRun(c *ctx, opts any, args []string) error {
	f := opts.(*runFlags)
	arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
	if err != nil {
		return err
	}
	if !slices.Contains(backends, f.backend) {
		return usagef("--backend %q: the backends are %s", f.backend, strings.Join(backends, ", "))
	}
	if f.batch <= 0 {
		return usagef("--batch must be a positive number of inputs, got %d", f.batch)
	}
	batch := f.batch
	if f.threads < 0 {
		return usagef("--threads must be positive (or 0 for one per CPU), got %d", f.threads)
	}
	if f.device != "cpu" && f.device != "cuda" {
		return usagef("--device %q: want cpu or cuda", f.device)
	}
	if f.top <= 0 {
		return usagef("--top must be positive, got %d", f.top)
	}
	seed, err := parseRandomInput(f.input)
	if err != nil {
		return err
	}

	m, err := compileModel(arg, &f.compileFlags, true) // one export consumes the weights once
	if err != nil {
		return err
	}
	m.onnx.Batch = 0 // the model keeps its symbolic batch; B is the run's
	model, err := onnx.Export(m.graph, m.weights, m.onnx)
	if err != nil {
		return err
	}
	threads := f.threads
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	sess, err := onnx.NewSession(model, onnx.SessionOptions{LibPath: f.ortLib, Threads: threads, Device: f.device})
	if err != nil {
		return err
	}
	defer sess.Close()

	shape, err := runInputShape(m.graph, batch)
	if err != nil {
		return err
	}
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	input := runRandomNormal(int(n), seed)
	start := time.Now()
	out, outShape, err := sess.Run(input, shape)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(c.stderr, "%s: onnxruntime %s on %s, %s: input %s random:%d, output %s %s, %.1f ms\n",
		m.graph.Name, onnx.RuntimeVersion(), f.device, plural(threads, "thread"), runShapeString(shape), seed,
		sess.OutputName(), runShapeString(outShape), float64(elapsed.Microseconds())/1000)

	if f.saveOutput != "" {
		dims := make([]int, len(outShape))
		for i, d := range outShape {
			dims[i] = int(d)
		}
		if err := npy.WriteFile(f.saveOutput, out, dims); err != nil {
			return fmt.Errorf("cannot write %s: %v", f.saveOutput, unwrapPath(err))
		}
	}
	return runPrintTop(c.stdout, out, outShape, f.top, onnx.OutputName(m.graph) == "probabilities")
}

// parseRandomInput reads --input: "random" (seed 0) or "random:SEED".
func parseRandomInput(s string) (uint64, error) {
	if s == "random" {
		return 0, nil
	}
	if rest, ok := strings.CutPrefix(s, "random:"); ok {
		seed, err := strconv.ParseUint(rest, 10, 64)
		if err != nil {
			return 0, usagef("--input %s: the seed must be a non-negative integer", s)
		}
		return seed, nil
	}
	return 0, usagef("--input %s: only random inputs are supported for now (--input random or random:SEED); image files will come later", s)
}

// runInputShape is the graph's input shape with the batch set to batch.
func runInputShape(g *ir.Graph, batch int) ([]int64, error) {
	if g.Input == nil {
		return nil, fmt.Errorf("%s has no input", g.Name)
	}
	shape := make([]int64, len(g.Input.Shape))
	for i, d := range g.Input.Shape {
		switch {
		case d == ir.Batch:
			shape[i] = int64(batch)
		case i == 0 && d != batch:
			return nil, fmt.Errorf("%s has a fixed batch of %d; run it with --batch %d", g.Name, d, d)
		default:
			shape[i] = int64(d)
		}
	}
	return shape, nil
}

func runShapeString(s []int64) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.FormatInt(d, 10)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// runRandomNormal returns n standard normal values drawn from seed, with
// the weights' generator: the same seed gives the same values everywhere.
func runRandomNormal(n int, seed uint64) []float32 {
	out := make([]float32, n)
	weights.StandardNormal(out, seed, "input")
	return out
}

// runPrintTop writes, for each row of a [B, classes] output, the top k classes
// and their probabilities: the softmax of the row, or the row itself when
// the model's output already is probabilities.
func runPrintTop(w io.Writer, out []float32, shape []int64, k int, isProb bool) error {
	if len(shape) != 2 {
		fmt.Fprintf(w, "the output %s is not [batch, classes]: no classes to rank (--save-output writes it)\n", runShapeString(shape))
		return nil
	}
	b, classes := int(shape[0]), int(shape[1])
	k = min(k, classes)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "image\trank\tclass\tprobability")
	for i := 0; i < b; i++ {
		row := out[i*classes : (i+1)*classes]
		p := row
		if !isProb {
			p = runSoftmax(row)
		}
		idx := make([]int, classes)
		for j := range idx {
			idx[j] = j
		}
		sort.SliceStable(idx, func(x, y int) bool { return p[idx[x]] > p[idx[y]] })
		for r := 0; r < k; r++ {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%.6f\n", i, r+1, idx[r], p[idx[r]])
		}
	}
	return tw.Flush()
}

// runSoftmax is the softmax of x, in float64 with the maximum subtracted.
func runSoftmax(x []float32) []float32 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	var sum float64
	e := make([]float64, len(x))
	for i, v := range x {
		e[i] = math.Exp(float64(v) - m)
		sum += e[i]
	}
	p := make([]float32, len(x))
	for i := range e {
		p[i] = float32(e[i] / sum)
	}
	return p
}

// plural writes n and a noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
