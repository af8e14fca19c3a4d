package native

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// TestFastMatchesReference runs models on the fast kernels and on the
// reference ones: they must agree closely.
func TestFastMatchesReference(t *testing.T) {
	for _, c := range []struct {
		model string
		args  map[string]string
		short bool // run under -short too: the plain reference loops are the race run's slowest part
	}{
		{"cifar_resnet20", nil, true},
		{"resnet18", map[string]string{"size": "48"}, false},
		{"resnext50_32x4d", map[string]string{"size": "40"}, true},
		{"ecaresnet50d", map[string]string{"size": "40"}, false},
		{"cm_seresnet18", map[string]string{"size": "40"}, false},
		{"keras_resnet50v2", map[string]string{"size": "40"}, false},
		// Tensor values: channel slices, concat and the chain's adds
		// (Res2NeXt), radix softmax and attention products (ResNeSt),
		// dilated paths on split input (SK-ResNet).
		{"res2next50", map[string]string{"size": "40"}, false},
		{"resnest14d", map[string]string{"size": "40"}, false},
		{"skresnet18", map[string]string{"size": "40"}, false},
	} {
		if testing.Short() && !c.short {
			continue
		}
		t.Run(c.model, func(t *testing.T) {
			g := build(t, c.model, c.args)
			w := testWeights(g, 1)
			x := randomInput(g, 2, 3)
			fast := runModel(t, g, w, Options{Threads: 2}, x, 2)
			ref := runModel(t, g, w, Options{Threads: 2, reference: true}, x, 2)
			if d, m := maxDiff(fast, ref), maxAbs(ref); d > 1e-4*m+1e-5 {
				t.Fatalf("max |fast-ref| = %g, max |ref| = %g", d, m)
			}
		})
	}
}

// TestRunAllocatesNothing: after a warm-up at the largest batch, a Run
// makes no heap allocation, at that batch or a smaller one, on one thread
// or several.
func TestRunAllocatesNothing(t *testing.T) {
	g := build(t, "ecaresnet50d", map[string]string{"size": "40"})
	w := testWeights(g, 1)
	for _, threads := range []int{1, 2, 3} {
		p, err := Compile(g, w, Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		x := randomInput(g, 3, 1)
		out := make([]float32, 3*p.outElems)
		if err := p.Run(x, 3, out); err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int{3, 1, 2} {
			allocs := testing.AllocsPerRun(5, func() {
				if err := p.Run(x[:batch*p.inElems], batch, out[:batch*p.outElems]); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("threads %d batch %d: %v allocations per Run", threads, batch, allocs)
			}
		}
	}
}

// TestBatchesAndThreadsAgree: a batch computes what its images compute
// alone, and the thread count changes nothing, bit for bit (the tasks
// split the work without changing any sum's order).
func TestBatchesAndThreadsAgree(t *testing.T) {
	for _, model := range []string{"cifar_resnet20", "seresnext50_32x4d", "keras_resnet50v2"} {
		args := map[string]string{}
		if model != "cifar_resnet20" {
			args["size"] = "48"
		}
		g := build(t, model, args)
		w := testWeights(g, 2)
		x := randomInput(g, 3, 4)
		want := runModel(t, g, w, Options{Threads: 1}, x, 3)
		for _, threads := range []int{2, 3, 5} {
			if got := runModel(t, g, w, Options{Threads: threads}, x, 3); !slices.Equal(got, want) {
				t.Errorf("%s: %d threads differ from 1 by %g", model, threads, maxDiff(got, want))
			}
		}
		p, err := Compile(g, w, Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		per, classes := p.inElems, p.outElems
		for b := 0; b < 3; b++ {
			out := make([]float32, classes)
			if err := p.Run(x[b*per:(b+1)*per], 1, out); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(out, want[b*classes:(b+1)*classes]) {
				t.Errorf("%s: image %d alone differs from the batch by %g", model, b, maxDiff(out, want[b*classes:(b+1)*classes]))
			}
		}
	}
}

// TestConcurrentRuns runs one Program from several goroutines at once,
// with different batches.
func TestConcurrentRuns(t *testing.T) {
	g := build(t, "cifar_resnet20", nil)
	w := testWeights(g, 3)
	p, err := Compile(g, w, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	x := randomInput(g, 4, 5)
	want := make([]float32, 4*p.outElems)
	if err := p.Run(x, 4, want); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := 1 + i%4
			out := make([]float32, batch*p.outElems)
			for range 5 {
				if err := p.Run(x[:batch*p.inElems], batch, out); err != nil {
					errs <- err
					return
				}
				if !slices.Equal(out, want[:batch*p.outElems]) {
					errs <- fmt.Errorf("goroutine %d batch %d: output differs", i, batch)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestStreamedWeights compiles from weights.Stream, which hands out each
// parameter once, in graph order, as resc run does.
func TestStreamedWeights(t *testing.T) {
	g := build(t, "seresnet18", map[string]string{"size": "32"})
	x := randomInput(g, 1, 1)
	want := runModel(t, g, weights.Init(g, 9), Options{}, x, 1)
	if got := runModel(t, g, weights.Stream(g, 9), Options{}, x, 1); !slices.Equal(got, want) {
		t.Fatalf("streamed weights give other outputs (max difference %g)", maxDiff(got, want))
	}
}

func TestShapesAndErrors(t *testing.T) {
	g := build(t, "cifar_resnet20", nil)
	p, err := Compile(g, weights.Init(g, 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Threads() != runtime.NumCPU() {
		t.Errorf("default threads %d, want %d", p.Threads(), runtime.NumCPU())
	}
	if got := fmt.Sprint(p.OutputShape(5)); got != "[5 10]" {
		t.Errorf("OutputShape(5) = %s", got)
	}
	if got := fmt.Sprint(p.InputShape(2)); got != "[2 3 32 32]" {
		t.Errorf("InputShape(2) = %s", got)
	}
	x := make([]float32, 2*3*32*32)
	out := make([]float32, 20)
	for _, c := range []struct {
		in, out []float32
		batch   int
		want    string
	}{
		{x, out, 0, "batch 0"},
		{x[1:], out, 2, "input holds 6143 values; batch 2 of [3,32,32] needs 6144"},
		{x, out[1:], 2, "output has room for 19 values; batch 2 of [10] needs 20"},
	} {
		if err := p.Run(c.in, c.batch, c.out); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run: error %v, want one saying %q", err, c.want)
		}
	}
	if _, err := Compile(g, weights.Set{}, Options{}); err == nil || !strings.Contains(err.Error(), "no values for parameter conv1.weight") {
		t.Errorf("Compile without weights: %v", err)
	}
	if _, err := Compile(g, weights.Init(g, 1), Options{Threads: -1}); err == nil {
		t.Errorf("Compile with -1 threads: no error")
	}
	short := weights.Init(g, 1)
	short["linear.bias"] = short["linear.bias"][:3]
	if _, err := Compile(g, short, Options{}); err == nil || !strings.Contains(err.Error(), "linear.bias has 3 values, want 10") {
		t.Errorf("Compile with a short bias: %v", err)
	}
}

// TestWorkersStop: a Program's helper goroutines end once it is
// unreachable.
func TestWorkersStop(t *testing.T) {
	g := build(t, "cifar_resnet20", nil)
	w := weights.Init(g, 1)
	before := runtime.NumGoroutine()
	for range 5 {
		p, err := Compile(g, w, Options{Threads: 4})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, p.outElems)
		if err := p.Run(randomInput(g, 1, 1), 1, out); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 50 && runtime.NumGoroutine() > before; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines before compiling, %d after the programs were dropped", before, n)
	}
}

// TestHandBuiltGraph covers what the stdlib does not: an n-ary Add whose
// in-place output is its last input, and a sum read again afterwards.
//
//	r = relu(x); s = sigmoid(x); a = x + r + s; y = pad(a + r)
func TestHandBuiltGraph(t *testing.T) {
	g := &ir.Graph{Name: "handmade"}
	add := func(n *ir.Node) *ir.Node {
		t.Helper()
		n.Name = fmt.Sprintf("n%d", len(g.Nodes))
		m, err := g.Add(n)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	x := add(&ir.Node{Op: ir.OpInput, Shape: ir.Shape{ir.Batch, 3, 5, 6}})
	r := add(&ir.Node{Op: ir.OpRelu, Inputs: []*ir.Node{x}})
	s := add(&ir.Node{Op: ir.OpSigmoid, Inputs: []*ir.Node{x}})
	a := add(&ir.Node{Op: ir.OpAdd, Inputs: []*ir.Node{x, r, s}})
	b := add(&ir.Node{Op: ir.OpAdd, Inputs: []*ir.Node{a, r}})
	g.Outputs = []ir.Output{{Name: "logits", Node: add(&ir.Node{Op: ir.OpPad, Inputs: []*ir.Node{b}, Attrs: ir.Attrs{Pads: [4]int{1, 2, 0, 1}}})}}
	in := randomInput(g, 2, 1)
	got := runModel(t, g, weights.Set{}, Options{Threads: 2}, in, 2)
	want := make([]float32, 0, len(got))
	for img := 0; img < 2; img++ {
		for c := 0; c < 3; c++ {
			for y := -1; y < 5; y++ {
				for xx := -2; xx < 7; xx++ {
					if y < 0 || xx < 0 || xx >= 6 {
						want = append(want, 0)
						continue
					}
					v := in[((img*3+c)*5+y)*6+xx]
					rv := max(v, 0)
					sv := float32(1 / (1 + math.Exp(-float64(v))))
					want = append(want, v+rv+sv+rv)
				}
			}
		}
	}
	if d := maxDiff(got, want); d > 1e-6 {
		t.Fatalf("max difference %g", d)
	}
}
