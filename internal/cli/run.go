package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/imageprep"
	"github.com/resc-dev/resc/internal/npy"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

type runFlags struct {
	compileFlags
	backend    string
	inputs     inputFlag
	threads    int
	device     string
	top        int
	saveOutput string
	ortLib     string
	json       bool
}

// inputFlag collects --input values: image files, or one random[:SEED].
type inputFlag []string

func (f *inputFlag) String() string     { return strings.Join(*f, ",") }
func (f *inputFlag) Set(v string) error { *f = append(*f, v); return nil }

func init() {
	register(&command{
		name:  "run",
		args:  "[--backend native|onnx] [--input IMAGE... | --input random[:SEED]] [--batch B] [--threads T] [--device cpu|cuda] [--top K] [--save-output OUT.npy|OUT.npz] [--ort-lib PATH] [--json] [-O0|-O1|-O2] [--disable PASS] [--seed S | --weights FILE] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "run a model on images or a random input and print the top classes",
		long: `Run compiles MODEL as 'resc build' does (the same passes and weights), runs
it, says each output's name and shape, and prints, for each image, the top K
classes with their ImageNet label (for 1000-class models) and softmax
probability (the output itself when it is named probabilities, as after a
final softmax), ranked from the output named logits or probabilities; a
model without one has no classes to rank. --save-output writes the raw
outputs: a NumPy .npy file for a model with one output ([B, classes] for a
classifier), or, when the name ends in .npz, an archive as numpy.savez
writes it holding every output by name (numpy.load(OUT.npz)["logits"]),
which a model with several outputs needs. --json prints one object instead
of the table: model, backend, input shape, output and output_name (the
ranked output), outputs (each output's name and shape), milliseconds, and
results, one per input (input, then top: rank, class, label, probability).

Inputs: --input IMAGE (PNG or JPEG; repeat it to make a batch), decoded,
resized and centre-cropped to the model's input size and normalised as the
model's family expects (torchvision/timm mean and std, Keras "caffe" BGR mean
or "tf" [-1,1], raw 0-255 for classification_models, CIFAR mean and std;
torchvision's RegNet, MobileNet, EfficientNet and ConvNeXt as their DEFAULT
weights' transforms: resize, crop and bilinear or bicubic filter, the
resize scaled in proportion at another --set size); or
--input random:SEED, B images of standard normal values, the same for the
same seed on every platform ("random", the default, is random:0).

Backends: native (the default), resc's own pure-Go executor; or onnx,
onnxruntime 1.24.1 on the CPU or, with --device cuda, on its CUDA execution
provider when the library has one. The library is the --ort-lib file, else
$ONNXRUNTIME_LIB, else where scripts/install-onnxruntime.sh installs it:
$XDG_CACHE_HOME (or ~/.cache)/resc/onnxruntime-1.24.1/libonnxruntime.so.1.
Both use T threads (default: one per CPU; at most 1024).

Images must be regular files of at most 256 MB whose decoding fits a 1 GB
memory budget (estimated from the header; images decoded in parallel
share it). --save-output is written atomically and refused when it is one
of the inputs (the source, the weights, an image, the --ort-lib library).`,
		flags: func(fs *flag.FlagSet) any {
			f := &runFlags{}
			f.compileFlags.register(fs)
			// For run, --batch is the number of random inputs, not a fixed
			// ONNX batch dimension: the exported model keeps its symbolic batch.
			f.batch = 1
			if b := fs.Lookup("batch"); b != nil {
				b.Usage = "run a batch of `B` random inputs"
				b.DefValue = "1"
			}
			fs.StringVar(&f.backend, "backend", backends[0], "the `BACKEND` that runs the model: "+strings.Join(backends, " or "))
			fs.Var(&f.inputs, "input", "an `IMAGE` file (repeat for a batch), or random or random:SEED (default random)")
			fs.IntVar(&f.threads, "threads", 0, "threads `T` (default: one per CPU)")
			fs.StringVar(&f.device, "device", "cpu", "the `DEVICE` for --backend onnx: cpu or cuda")
			fs.IntVar(&f.top, "top", 5, "print the top `K` classes of each input")
			fs.StringVar(&f.saveOutput, "save-output", "", "write the raw output to `OUT.npy`, or every output to OUT.npz")
			fs.BoolVar(&f.json, "json", false, "print the results as JSON")
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
		return usagef("--backend %q: the backends are %s", f.backend, strings.Join(backends, " and "))
	}
	if f.batch <= 0 {
		return usagef("--batch must be a positive number of inputs, got %d", f.batch)
	}
	if err := checkThreads(f.threads); err != nil {
		return err
	}
	if f.device != "cpu" && f.device != "cuda" {
		return usagef("--device %q: want cpu or cuda", f.device)
	}
	if f.top <= 0 {
		return usagef("--top must be positive, got %d", f.top)
	}
	images, seed, err := parseInputs(f.inputs)
	if err != nil {
		return err
	}
	if len(images) > 0 && f.batch != 1 {
		return usagef("--batch applies to random inputs; with images the batch is the images given")
	}
	m, err := compileModel(arg, &f.compileFlags, true) // one backend consumes the weights once
	if err != nil {
		return err
	}
	g := m.Graph()
	if f.saveOutput != "" {
		if err := refuseOverwrite("--save-output", f.saveOutput, slices.Concat(m.Files(), images, []string{f.ortLib})); err != nil {
			return err
		}
		if err := checkSaveOutput(f.saveOutput, g); err != nil {
			return err
		}
	}
	batch := f.batch
	var input []float32
	what := fmt.Sprintf("random:%d", seed)
	if len(images) > 0 {
		batch = len(images)
		preset := imageprep.PresetFor(g.Name, g.Naming)
		p, err := imageprep.Preset(preset)
		if err != nil {
			return err
		}
		if g.Input.Shape[2] != g.Input.Shape[3] {
			return fmt.Errorf("%s takes %dx%d inputs; images are resized to square inputs only", g.Name, g.Input.Shape[2], g.Input.Shape[3])
		}
		if input, err = imageprep.Load(images, p, g.Input.Shape[1], g.Input.Shape[2]); err != nil {
			return err
		}
		what = fmt.Sprintf("%s with %s preprocessing", plural(batch, "image"), preset)
	} else {
		input = runRandomNormal(batch*int(g.Input.Shape.Elems()), seed)
	}
	exec, err := newExecutor(f.backend, m, execOptions{threads: f.threads, device: f.device, ortLib: f.ortLib})
	if err != nil {
		return err
	}
	defer exec.close()
	if f.weightsFile == "" {
		// Said once the model is ready to run, not before an error.
		fmt.Fprintf(c.stderr, "%s: initial (random) weights, --seed %d: the predictions are meaningless; give trained ones with --weights FILE (docs/weights.md)\n", g.Name, f.seed)
	}
	outs := outputBuffers(g, batch)
	start := time.Now()
	if err := exec.run(input, batch, outs); err != nil {
		return err
	}
	elapsed := time.Since(start)
	shapes := make([][]int, len(g.Outputs))
	described := make([]string, len(g.Outputs))
	for i, o := range g.Outputs {
		shapes[i] = append([]int{batch}, o.Node.Shape[1:]...)
		described[i] = o.Name + " " + shapeString(shapes[i])
	}
	outputs := "output"
	if len(described) > 1 {
		outputs = "outputs"
	}
	fmt.Fprintf(c.stderr, "%s: %s: input %s %s, %s %s, %.1f ms\n",
		g.Name, exec.describe(), shapeString(append([]int{batch}, g.Input.Shape[1:]...)), what,
		outputs, strings.Join(described, ", "), float64(elapsed.Microseconds())/1000)
	if f.saveOutput != "" {
		if err := saveOutputs(f.saveOutput, g, outs, shapes); err != nil {
			return err
		}
	}
	// The classes are ranked from the logits or probabilities output.
	cls := slices.IndexFunc(g.Outputs, func(o ir.Output) bool { return o.Name == "logits" || o.Name == "probabilities" })
	var out []float32
	var outShape []int
	name := ""
	if cls >= 0 {
		out, outShape, name = outs[cls], shapes[cls], g.Outputs[cls].Name
	}
	isProb := name == "probabilities"
	if f.json {
		r := runJSON{
			Model: g.Name, Backend: exec.describe(),
			Input: append([]int{batch}, g.Input.Shape[1:]...), Output: outShape, OutputName: name,
			Milliseconds: float64(elapsed.Microseconds()) / 1000,
		}
		for i, o := range g.Outputs {
			r.Outputs = append(r.Outputs, runJSONOutput{Name: o.Name, Shape: shapes[i]})
		}
		return writeRunJSON(c.stdout, r, out, f.top, isProb, images)
	}
	if cls < 0 {
		fmt.Fprintf(c.stdout, "no output is named logits or probabilities: no classes to rank (--save-output writes the outputs)\n")
		return nil
	}
	return runPrintTop(c.stdout, out, outShape, f.top, isProb, images)
}

// outputBuffers allocates room for batch images of each of g's outputs.
func outputBuffers(g *ir.Graph, batch int) [][]float32 {
	outs := make([][]float32, len(g.Outputs))
	for i, o := range g.Outputs {
		outs[i] = make([]float32, batch*int(o.Node.Shape.Elems()))
	}
	return outs
}

// checkSaveOutput refuses a --save-output that cannot hold g's outputs:
// an .npy file holds one array, so several need an .npz archive.
func checkSaveOutput(path string, g *ir.Graph) error {
	if len(g.Outputs) == 1 || isNPZ(path) {
		return nil
	}
	names := make([]string, len(g.Outputs))
	for i, o := range g.Outputs {
		names[i] = o.Name
	}
	return usagef("--save-output %s: %s has %d outputs (%s), which an .npy file cannot hold; save them to an .npz archive (--save-output %s.npz)",
		path, g.Name, len(names), strings.Join(names, ", "), strings.TrimSuffix(path, filepath.Ext(path)))
}

func isNPZ(path string) bool { return strings.EqualFold(filepath.Ext(path), ".npz") }

// saveOutputs writes the outputs to path: an .npz archive holding each by
// name when path ends in .npz, else the one output as an .npy file.
func saveOutputs(path string, g *ir.Graph, outs [][]float32, shapes [][]int) error {
	var err error
	if isNPZ(path) {
		arrays := make([]npy.Array, len(outs))
		for i, o := range g.Outputs {
			arrays[i] = npy.Array{Name: o.Name, Data: outs[i], Shape: shapes[i]}
		}
		err = npy.WriteNPZ(path, arrays)
	} else {
		err = npy.WriteFile(path, outs[0], shapes[0])
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, unwrapPath(err))
	}
	return nil
}

// parseInputs splits --input values into image paths and a random seed.
func parseInputs(values []string) (images []string, seed uint64, err error) {
	random := 0
	for _, v := range values {
		if v == "random" || strings.HasPrefix(v, "random:") {
			if seed, err = parseRandomInput(v); err != nil {
				return nil, 0, err
			}
			random++
			continue
		}
		images = append(images, v)
	}
	if random > 1 || random == 1 && len(images) > 0 {
		return nil, 0, usagef("--input takes images, or one random[:SEED], not both")
	}
	return images, seed, nil
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
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
	return 0, usagef("--input %s: want an image file, random or random:SEED", s)
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
func runPrintTop(w io.Writer, out []float32, shape []int, k int, isProb bool, images []string) error {
	if len(shape) != 2 {
		fmt.Fprintf(w, "the output %s is not [batch, classes]: no classes to rank (--save-output writes it)\n", shapeString(shape))
		return nil
	}
	b, classes := shape[0], shape[1]
	k = min(k, classes)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "image\trank\tclass\tlabel\tprobability")
	for i := 0; i < b; i++ {
		name := strconv.Itoa(i)
		if i < len(images) {
			name = images[i]
		}
		for r, cl := range resc.TopK(out[i*classes:(i+1)*classes], k, isProb) {
			label := cl.Label
			if label == "" {
				label = "-"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.6f\n", name, r+1, cl.Index, label, cl.Probability)
		}
	}
	return tw.Flush()
}

// plural writes n and a noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// runJSON is what run --json prints.
type runJSON struct {
	Model        string          `json:"model"`
	Backend      string          `json:"backend"`
	Input        []int           `json:"input"`
	Output       []int           `json:"output"`
	OutputName   string          `json:"output_name"`
	Outputs      []runJSONOutput `json:"outputs"`
	Milliseconds float64         `json:"milliseconds"`
	Results      []runJSONResult `json:"results"`
}

// runJSONOutput is one of the model's outputs.
type runJSONOutput struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type runJSONResult struct {
	Input string         `json:"input"`
	Top   []runJSONClass `json:"top"`
}

type runJSONClass struct {
	Rank        int     `json:"rank"`
	Class       int     `json:"class"`
	Label       string  `json:"label"`
	Probability float32 `json:"probability"`
}

func writeRunJSON(w io.Writer, r runJSON, out []float32, k int, isProb bool, images []string) error {
	r.Results = []runJSONResult{}
	if len(r.Output) == 2 {
		classes := r.Output[1]
		for i := 0; i < r.Output[0]; i++ {
			res := runJSONResult{Input: strconv.Itoa(i), Top: []runJSONClass{}}
			if i < len(images) {
				res.Input = images[i]
			}
			for rank, cl := range resc.TopK(out[i*classes:(i+1)*classes], k, isProb) {
				res.Top = append(res.Top, runJSONClass{rank + 1, cl.Index, cl.Label, cl.Probability})
			}
			r.Results = append(r.Results, res)
		}
	}
	return writeJSON(w, r)
}
