package resc

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/imageprep"
	"github.com/resc-dev/resc/imageprep/labels"
)

// NativeOptions configure a native Program.
type NativeOptions struct {
	// Threads is the number of threads one Run uses, the caller's
	// included; 0 means one per CPU.
	Threads int
	// Preprocess names how RunImages normalises images: "torch",
	// "caffe", "tf", "raw" or "cifar", or a torchvision model's own
	// (imageprep.ModelPresets); "" picks the model family's own
	// (PreprocessFor).
	Preprocess string
}

// A Program runs a compiled model on the CPU with resc's pure-Go
// executor. It is safe for concurrent use: concurrent Runs share the
// weights and each uses its own buffers.
type Program struct {
	p       *native.Program
	prep    imageprep.Preprocess
	inShape []int
	outputs []Output
}

// Native compiles c for resc's native executor.
func (c *Compiled) Native(opts NativeOptions) (*Program, error) {
	name := opts.Preprocess
	if name == "" {
		name = PreprocessFor(c.graph.Name, c.graph.Naming)
	}
	prep, err := imageprep.Preset(name)
	if err != nil {
		return nil, &OptionError{Option: "Preprocess", Err: err}
	}
	ws, err := c.source()
	if err != nil {
		return nil, err
	}
	p, err := native.Compile(c.graph, ws, native.Options{Threads: opts.Threads})
	if err != nil {
		return nil, err
	}
	return &Program{p: p, prep: prep, inShape: slices.Clone(c.graph.Input.Shape), outputs: c.Outputs()}, nil
}

// PreprocessFor names the image preprocessing of a model family, from the
// model's name and its weight naming ("torch" or "keras"): "tf" for
// keras_*v2, "caffe" for other keras_* models, "raw" for cm_*, "cifar"
// for cifar_* and wrn_*, the model's own name for the torchvision models
// whose weights have a transform of their own (imageprep.ModelPresets:
// RegNet, MobileNet, EfficientNet, ConvNeXt), else "torch".
func PreprocessFor(model, naming string) string { return imageprep.PresetFor(model, naming) }

// Backend is the backend/native program behind p, for what this package
// does not wrap, such as per-step profiles (RunProfiled).
func (p *Program) Backend() *native.Program { return p.p }

// Threads is the number of threads a Run uses.
func (p *Program) Threads() int { return p.p.Threads() }

// InputShape is the input's shape for batch images, [batch, C, H, W].
func (p *Program) InputShape(batch int) []int { return p.p.InputShape(batch) }

// OutputShape is the (first) output's shape for batch images, [batch,
// classes] for a classifier.
func (p *Program) OutputShape(batch int) []int { return p.p.OutputShape(batch) }

// Outputs are the model's outputs, in the order RunOutputs fills them,
// their shapes batch first (BatchDim), as Compiled.Outputs gives them.
func (p *Program) Outputs() []Output {
	out := make([]Output, len(p.outputs))
	for i, o := range p.outputs {
		out[i] = Output{Name: o.Name, Shape: slices.Clone(o.Shape)}
	}
	return out
}

// Run computes the output of batch inputs of a model with one output:
// input holds them in NCHW layout (InputShape), output receives
// OutputShape's values. input is not modified. A model with several
// outputs runs with RunOutputs.
func (p *Program) Run(input []float32, batch int, output []float32) error {
	return p.p.Run(input, batch, output)
}

// RunOutputs computes every output of batch inputs: outputs[i] receives
// output i's values, batch times the elements of one image's
// (Outputs()[i].Shape after the batch).
func (p *Program) RunOutputs(input []float32, batch int, outputs [][]float32) error {
	return p.p.RunOutputs(input, batch, outputs)
}

// Preprocess turns decoded images into an input batch: each is resized,
// centre-cropped and normalised as the model's family expects (see
// NativeOptions.Preprocess), as 'resc run --input' does.
func (p *Program) Preprocess(images []image.Image) ([]float32, error) {
	if len(images) == 0 {
		return nil, errors.New("resc: no images")
	}
	c, h, w := p.inShape[1], p.inShape[2], p.inShape[3]
	if c != 3 && c != 1 || h != w {
		return nil, fmt.Errorf("resc: the model takes %dx%dx%d inputs; images are made into square RGB or grayscale inputs only", c, h, w)
	}
	per := c * h * w
	out := make([]float32, len(images)*per)
	for i, img := range images {
		if err := p.prep.Apply(imageprep.FromImage(img), h, out[i*per:(i+1)*per]); err != nil {
			return nil, fmt.Errorf("resc: image %d: %v", i, err)
		}
	}
	return out, nil
}

// RunImages preprocesses images and runs them as one batch, returning
// the output, OutputShape(len(images)), of a model with one output.
func (p *Program) RunImages(images []image.Image) ([]float32, error) {
	if len(p.outputs) != 1 {
		names := make([]string, len(p.outputs))
		for i, o := range p.outputs {
			names[i] = o.Name
		}
		return nil, fmt.Errorf("resc: the model has %d outputs (%s); run it with RunImagesOutputs", len(names), strings.Join(names, ", "))
	}
	outs, err := p.RunImagesOutputs(images)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// RunImagesOutputs is RunImages for every output, in Outputs' order.
func (p *Program) RunImagesOutputs(images []image.Image) ([][]float32, error) {
	in, err := p.Preprocess(images)
	if err != nil {
		return nil, err
	}
	outs := make([][]float32, len(p.outputs))
	for i := range outs {
		outs[i] = make([]float32, len(images)*p.outElems(i))
	}
	if err := p.RunOutputs(in, len(images), outs); err != nil {
		return nil, err
	}
	return outs, nil
}

// outElems is output i's values per image.
func (p *Program) outElems(i int) int {
	n := 1
	for _, d := range p.outputs[i].Shape[1:] {
		n *= d
	}
	return n
}

// ClassOutput is the index among Outputs of the output that classifies:
// the one named "logits" or "probabilities" (the first such), or -1.
func ClassOutput(outputs []Output) int {
	return slices.IndexFunc(outputs, func(o Output) bool { return o.Name == "logits" || o.Name == "probabilities" })
}

// A Class is one ranked class of a classifier's output.
type Class struct {
	Index       int
	Label       string  // the ImageNet label for 1000-class models, else ""
	Probability float32 // softmax of the logits (or the output itself when the network ends in a softmax)
}

// Classify runs images and returns the top k classes of each, from the
// output named "logits" or "probabilities" (ClassOutput), which must be
// [batch, classes].
func (p *Program) Classify(images []image.Image, k int) ([][]Class, error) {
	i := ClassOutput(p.outputs)
	if i < 0 || len(p.outputs[i].Shape) != 2 {
		return nil, fmt.Errorf("resc: the model has no [batch, classes] output named logits or probabilities to classify with")
	}
	outs, err := p.RunImagesOutputs(images)
	if err != nil {
		return nil, err
	}
	classes := p.outElems(i)
	res := make([][]Class, len(images))
	for j := range images {
		res[j] = TopK(outs[i][j*classes:(j+1)*classes], k, p.outputs[i].Name == "probabilities")
	}
	return res, nil
}

// TopK ranks one output row: its k most probable classes, best first.
// probs says the row already holds probabilities; otherwise it is taken as
// logits and their softmax is ranked.
func TopK(row []float32, k int, probs bool) []Class {
	p := row
	if !probs {
		p = Softmax(row)
	}
	idx := make([]int, len(p))
	for j := range idx {
		idx[j] = j
	}
	sort.SliceStable(idx, func(x, y int) bool { return p[idx[x]] > p[idx[y]] })
	k = max(0, min(k, len(p)))
	out := make([]Class, k)
	for r := range out {
		out[r] = Class{Index: idx[r], Probability: p[idx[r]]}
		if len(p) == labels.Count() {
			out[r].Label, _ = labels.ImageNet(idx[r])
		}
	}
	return out
}

// Softmax is the softmax of x, computed in float64 with the maximum
// subtracted.
func Softmax(x []float32) []float32 {
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
