package resc_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"log"
	"os"
	"path/filepath"
	"sync"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/weights"
)

// tiny is a small residual network, the first example of docs/language.md.
const tiny = `import "common"

block unit(planes: int, stride: int = 1) {
  residual {
    conv1: conv(planes, 3, stride: stride)
    bn1: bn
    relu
    conv2: conv(planes, 3)
    bn2: bn
  } shortcut downsample: auto(projection())
  relu
}

network tiny(classes: int = 10, size: int = 32) {
  naming torch
  input(3, size, size)
  conv1: conv(16, 3)
  bn1: bn
  relu
  let widths = [16, 32, 64]
  for i in 0..3 {
    "layer{i + 1}": unit(widths[i], stride: i == 0 ? 1 : 2)
  }
  head(classes)
}
`

// A network from source text, with a parameter set as 'resc --set' does.
func ExampleLoadString() {
	m, err := resc.LoadString("tiny.res", tiny, resc.Options{Set: map[string]string{"classes": "5"}})
	if err != nil {
		log.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Name(), s.Outputs[0].Shape, s.Total)
	// Output: tiny [-1 5] 78389
}

// A standard library network by name.
func ExampleLoadStdlib() {
	m, err := resc.LoadStdlib("resnet18", resc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d layers, %d parameters, %.3f GMACs, input %v\n", s.Model, len(s.Layers), s.Trainable, float64(s.MACs)/1e9, s.Input[1:])
	// Output: resnet18: 70 layers, 11689512 parameters, 1.814 GMACs, input [3 224 224]
}

// A .res file from disk; Network picks one when it defines several.
func ExampleLoadFile() {
	m, err := resc.LoadFile("examples/tiny_se_resnet.res", resc.Options{Set: map[string]string{"downsample": "pad"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Name(), m.Files())
	// Output: tiny_se_resnet [examples/tiny_se_resnet.res]
}

// Errors in a source come back as values: position, message and the
// chain of block instantiations that led to them.
func ExampleDiagnostics() {
	src := `import "common"

block unit(planes: int) {
  conv(planes, 3)
  assert planes % 8 == 0, "planes {planes} is not a multiple of 8"
}

network bad() {
  naming torch
  input(3, 32, 32)
  "first": unit(12)
  head(10)
}
`
	_, err := resc.LoadString("bad.res", src, resc.Options{})
	for _, d := range resc.Diagnostics(err) {
		fmt.Printf("%s: %s\n", d.Position, d.Message)
		for _, f := range d.Chain {
			fmt.Printf("\tin %s at %s\n", f.What, f.Position)
		}
	}
	// Output:
	// bad.res:5:3: planes 12 is not a multiple of 8
	//	in block unit "first" at bad.res:11:3
	//	in network bad at bad.res:8:1
}

// Every network of a file checked at once, as 'resc check' does.
func ExampleCheckString() {
	err := resc.CheckString("typo.res", "network n() {\n  input(3, 8, 8)\n  cnov(4, 3)\n}\n", resc.Limits{})
	for _, d := range resc.Diagnostics(err) {
		fmt.Printf("%s: %s\n", d.Position, d.Message)
	}
	// Output: typo.res:3:3: undefined: cnov (did you mean conv?)
}

// Writing ONNX, as 'resc build' does, to any io.Writer.
func ExampleCompiled_WriteONNX() {
	m, err := resc.LoadString("tiny.res", tiny, resc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := c.WriteONNX(&buf, resc.ONNXOptions{Opset: resc.DefaultOpset}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Outputs()[0].Name, int64(buf.Len()) > 4*c.WrittenStats().Trainable)
	// Output: logits true
}

// Weights from a file: safetensors here, or any format resc reads.
func ExampleCompileOptions_weightsFile() {
	m, err := resc.LoadString("tiny.res", tiny, resc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "resc")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// A file of weights under the reference names, as training would leave.
	path := filepath.Join(dir, "tiny.safetensors")
	g := m.Graph()
	if err := weights.Save(g, weights.Init(g, 7), path); err != nil {
		log.Fatal(err)
	}
	c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel, WeightsFile: path})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(c.Files()), c.Graph().Name)
	// Output: 1 tiny
}

// The native executor on a batch of float32 inputs, from several
// goroutines at once.
func ExampleProgram_Run() {
	m, err := resc.LoadString("tiny.res", tiny, resc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel})
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Native(resc.NativeOptions{Threads: 2})
	if err != nil {
		log.Fatal(err)
	}
	const batch = 2
	in := make([]float32, batch*3*32*32)
	for i := range in {
		in[i] = float32(i%7) / 7
	}
	outs := make([][]float32, 4)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() {
			outs[i] = make([]float32, batch*10)
			if err := p.Run(in, batch, outs[i]); err != nil {
				log.Fatal(err)
			}
		})
	}
	wg.Wait()
	same := true
	for _, o := range outs[1:] {
		same = same && fmt.Sprint(o) == fmt.Sprint(outs[0])
	}
	fmt.Println(p.InputShape(batch), p.OutputShape(batch), same)
	// Output: [2 3 32 32] [2 10] true
}

// Classifying decoded images, preprocessed as the model's family expects.
func ExampleProgram_Classify() {
	m, err := resc.LoadStdlib("cifar_resnet20", resc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel})
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Native(resc.NativeOptions{})
	if err != nil {
		log.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 31)
	}
	img.Set(0, 0, color.White)
	top, err := p.Classify([]image.Image{img}, 3)
	if err != nil {
		log.Fatal(err)
	}
	sum := float32(0)
	for _, cl := range top[0] {
		sum += cl.Probability
	}
	fmt.Println(len(top), len(top[0]), sum > 0 && sum <= 1.0001)
	// Output: 1 3 true
}

// The summary of a network: its layers with shapes and parameters, and
// the totals.
func ExampleModel_Summary() {
	m, err := resc.LoadStdlib("cifar_resnet20", resc.Options{Set: map[string]string{"classes": "100"}})
	if err != nil {
		log.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		log.Fatal(err)
	}
	last := s.Layers[len(s.Layers)-1]
	fmt.Printf("%s: %d layers, last %s %s %v with %d parameters; %d trainable, %d MACs\n",
		s.Model, len(s.Layers), last.Name, last.Op, last.Shape, last.Params, s.Trainable, s.MACs)
	// Output: cifar_resnet20: 72 layers, last linear Gemm [-1 100] with 6500 parameters; 275572 trainable, 40556800 MACs
}

// Optimisation levels: -O0 keeps the graph as written, MaxLevel folds the
// batch norms and fuses the residual adds and activations.
func ExampleModel_Compile() {
	m, err := resc.LoadStdlib("resnet18", resc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, level := range []int{0, resc.MaxLevel} {
		c, err := m.Compile(resc.CompileOptions{Level: level})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("-O%d: %d nodes, %d parameters\n", level, len(c.Graph().Nodes), c.Graph().Stats().Total)
	}
	// Output:
	// -O0: 70 nodes, 11699112 parameters
	// -O2: 25 nodes, 11684712 parameters
}
