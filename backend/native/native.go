// Package native runs resc graphs on the CPU in Go, without onnxruntime.
//
// Compile turns an ir.Graph and its weights into a Program once: it checks
// every node, evaluates derived parameters (weights.Resolve), folds batch
// norms into per-channel scale and shift, packs the convolution weights
// into the panels the GEMM kernel reads, and plans where every activation
// lives. Run then executes the planned steps in order over NCHW float32
// tensors, for any batch size. The Program owns the activation layout and
// the weight packing, so both may change behind the same API.
//
// Memory. Every activation is a slice of one arena. The planner gives each
// buffer an offset per image from the buffers' lifetimes (largest first,
// each at the lowest offset free over its lifetime); elementwise steps
// whose input dies with them write in place; Flatten and Dropout are views.
// The arena of B images is B copies of one image's, image b's at b·A for
// an arena of A floats per image: a tensor at [off, off+n) for one image
// sits at [b·A+off, b·A+off+n) for image b, so one plan serves every
// batch, and each image's values live apart from the others' (images may
// run through the steps at different paces: schedule.go).
// Arenas and per-worker scratch live in execution contexts that a Program
// keeps on a free list: after a warm-up at the largest batch used, Run
// allocates nothing. Compile collects the garbage of the parameters it
// has packed every 16 MiB and returns the free pages at the end
// (collect.go), so that a Program peaks near its weights plus one Run's
// arena; MemoryStats says what it holds.
//
// Threads. A Program owns Threads−1 helper goroutines. Each step splits into
// tasks (images × groups × output-channel blocks × pixel blocks for a
// convolution, images × channel ranges for the elementwise steps); the
// calling goroutine and the helpers take tasks from an atomic counter until
// none are left. Idle helpers spin briefly on the next step before they
// sleep (workers.go), since a sleeping goroutine wakes too late for the
// 20–200 µs steps of the mobile models. A batch of several images runs
// image by image where it can (schedule.go): each worker takes whole
// images through stretches of steps, with no barrier between the steps,
// and only the steps whose weights outweigh an image's activations, or
// that mix images, run over the whole batch at once.
//
// Convolution. A convolution is a GEMM per image and group, out[M×N] =
// W[M×K]·col[K×N] with M output channels, K = C/G·KH·KW and N output pixels
// (gemm.go). The weights are packed at compile time into strips of mr rows;
// each task gathers its columns of the im2col matrix straight from the
// input into a row panel, k-block by k-block, so no whole im2col matrix is
// ever built: a copy per row for 1×1 stride-1 convolutions and for
// stride-1 "same" ones (whose im2col rows are shifted input planes), a
// gather through a per-tap offset table for outputs narrower than 20
// (taps.go), an output row at a time otherwise, stride-2 rows through an
// AVX2 gather (gather.go). A register-tiled mr×nr micro-kernel
// multiplies an A strip by a B strip: 8×32 in AVX-512 assembly or 6×16 in
// AVX2 assembly where the CPU has it (kernel*_amd64.s; the purego build tag
// leaves them out), else 6×16 in Go. The instruction set is chosen once at
// start-up from golang.org/x/sys/cpu (isa.go); a convolution keeps the
// kernel its weights were packed for. On small maps, where 32-pixel strips
// waste lanes (49 pixels in 64), a cost model may turn the product
// around (convt.go): AVX-512 tiles of 7 or 14 pixels by 32 output
// channels over the same B panels, stored transposed into the output.
// Depthwise convolutions run a direct kernel per output plane (dw.go):
// the input plane is copied into a zero-padded scratch image, split into
// phases when strided, so that every tap reads at a fixed offset and the
// plane is one flat correlation (AVX-512 and AVX2 assembly, 8 registers
// of sums a block), or, for planes up to 16 wide, eight output rows at a
// time straight into the output (AVX-512). A 1×1 convolution of a
// one-pixel input (squeeze-excitation) is a matrix-vector product
// (gemv.go). Grouped convolutions are a GEMM per group; at stride 2, and
// at stride 1 with few channels per group or a small map, one whose B
// rows are read in place, through a table of tap offsets, from the same
// zero-padded phase-split copy of the input that the depthwise kernels
// read (tapconv.go, pad.go), since gathering im2col cost more than the
// GEMM. Max pools run whole-row passes (the window's rows' maximum, then its gathered columns) with an
// AVX2 max that keeps Go's max semantics. Every fast kernel has a plain
// reference in ref.go that stays compiled; the tests compare them on random
// shapes, and Options.reference runs whole programs on the references.
//
// Epilogues. What fusion passes attach to a node (ir.Attrs: a residual
// input, a per-channel scale and shift, an activation) runs inside its step
// (epilogue.go). A convolution applies its bias, residual, scale and shift
// and activation to each task's tile of the output right after the GEMM,
// while the tile is in cache, where the unfused graph made a pass over
// memory for each: one call per tile into AVX-512 or AVX2 assembly
// (epilogue*_amd64.s); an activation other than relu takes a second pass
// over the tile while it is in cache, with the code the activation node
// runs (act.go): every activation eight values at a time in AVX2
// assembly, sigmoid, SiLU, GELU and tanh as float32 functions
// (transcend.go), with the same results from the Go loops elsewhere.
//
// The other ops (ops.go) are steps over images, channels or positions:
// a convolution read only by a Concat writes straight into its part of
// the concatenation (a strided tensor, image b at off·batch + b·stride +
// shift: concatInPlace), and a Slice that only convolutions read is such
// a view of its input; other Concat inputs and Slices are copied a
// per-image stretch at a time; LayerNorm normalises
// over the channels a block of positions at a time, along the planes;
// GroupNorm, Upsample, ChannelScale, SpaceToDepth and RadixSoftmax loop
// per image and channel; DropPath, like Dropout, is a view. A Program has
// any number of named outputs (RunOutputs); the planner keeps them alive
// to the end, and Run serves the one-output case.
//
// Failures and profiles. A task that panics, on any worker, ends its step
// and Run returns a *PanicError naming the node. RunProfiled times every
// step (resc bench --profile prints it). It reads
// the residual after the GEMM has written the tile, so a convolution never
// writes over its inputs; fused Add, Mul and ScaleShift stay elementwise
// and may.
package native

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// Options configure a Program.
type Options struct {
	// Threads is the number of threads a Run uses, the caller's included;
	// 0 means runtime.NumCPU().
	Threads int

	// reference selects the plain reference kernels instead of the fast
	// ones (tests only).
	reference bool

	// winograd says which 3×3 convolutions run by F(2×2, 3×3): by
	// default those useWinograd expects it to speed up (wino.go); tests
	// force it on or off.
	winograd winoMode

	// stepwise runs every step over the whole batch between two
	// barriers, never image by image (tests and benchmarks: the schedule
	// that schedule.go's replaced).
	stepwise bool

	// smallPages leaves every parameter where its step put it, off huge
	// pages (params.go; tests and benchmarks: the same model both ways).
	smallPages bool
}

// A Program is a compiled graph. It is safe for concurrent use.
type Program struct {
	threads  int
	stepwise bool     // Options.stepwise
	inShape  ir.Shape // the graph input's shape; dimension 0 is the batch
	inElems  int      // per image
	outputs  []Output
	outs     []*tensor // per output: where its values live
	outElems int       // the first output's values per image

	numInputs int // 1, or more in tests

	steps []step
	info  []stepInfo // per step: its node, for errors and profiles
	// batchMajor, per step, runs it over the whole batch even where
	// images could run apart (schedule.go).
	batchMajor []bool
	arena      int // arena floats per image
	scratch    int // scratch floats per worker

	pool *workers // nil when single-threaded

	mu   sync.Mutex
	free []*execCtx
}

// Compile checks g, takes its weights from w (each source parameter's
// values are asked for once, in the order of g.SourceParams, and not
// retained; derived parameters are computed from them) and returns the
// Program that runs it.
func Compile(g *ir.Graph, w weights.Source, opts Options) (*Program, error) {
	if err := g.Verify(); err != nil {
		return nil, err
	}
	return compile(g, w, opts)
}

func compile(g *ir.Graph, w weights.Source, opts Options) (*Program, error) {
	// An optimised graph's derived parameters (folded batch norms) are
	// computed from the source's values of the parameters they come from.
	w = weights.Resolve(g, w)
	threads := opts.Threads
	if threads < 0 {
		return nil, fmt.Errorf("native: %d threads; want a positive number, or 0 for one per CPU", threads)
	}
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	p := &Program{threads: threads, stepwise: opts.stepwise, inShape: g.Input.Shape, inElems: int(g.Input.Shape.Elems())}
	for _, o := range g.Outputs {
		p.outputs = append(p.outputs, Output{Name: o.Name, Shape: append([]int(nil), o.Node.Shape[1:]...), Elems: int(o.Node.Shape.Elems())})
	}
	p.outElems = p.outputs[0].Elems
	c := &builder{p: p, w: w, opts: opts, byNode: map[*ir.Node]*tensor{}}
	if err := c.build(g); err != nil {
		return nil, fmt.Errorf("native: %s: %v", g.Name, err)
	}
	c.release()
	if threads > 1 {
		p.pool = newWorkers(threads - 1)
		runtime.AddCleanup(p, func(w *workers) { w.stop() }, p.pool)
	}
	return p, nil
}

// Threads is the number of threads a Run uses.
func (p *Program) Threads() int { return p.threads }

// InputShape is the input's shape for batch images: [batch, C, H, W].
func (p *Program) InputShape(batch int) []int { return withBatch(p.inShape, batch) }

// An Output is one of a Program's outputs.
type Output struct {
	Name  string // the graph's name for it: "logits", "features", ...
	Shape []int  // one image's: the dimensions after the batch
	Elems int    // values per image
}

// Outputs lists the outputs in the graph's order, the order RunOutputs
// fills them in.
func (p *Program) Outputs() []Output {
	out := make([]Output, len(p.outputs))
	for i, o := range p.outputs {
		out[i] = o
		out[i].Shape = append([]int(nil), o.Shape...)
	}
	return out
}

// OutputShape is the first output's shape for batch images, [batch,
// classes] for a classifier.
func (p *Program) OutputShape(batch int) []int {
	return append([]int{batch}, p.outputs[0].Shape...)
}

func withBatch(s ir.Shape, batch int) []int {
	out := append([]int(nil), s...)
	out[0] = batch
	return out
}

// Run computes the output of batch images for a Program with one output.
// input holds them in the graph's input layout (NCHW), batch·C·H·W
// values; output receives batch·(output elements per image) values. input
// is not modified. A Program with several outputs runs with RunOutputs.
func (p *Program) Run(input []float32, batch int, output []float32) error {
	if err := p.checkOne(); err != nil {
		return err
	}
	return p.RunOutputs(input, batch, [][]float32{output})
}

// checkOne refuses Run on a Program with several outputs.
func (p *Program) checkOne() error {
	if len(p.outputs) == 1 {
		return nil
	}
	names := make([]string, len(p.outputs))
	for i, o := range p.outputs {
		names[i] = o.Name
	}
	return fmt.Errorf("native: the network has %d outputs (%s); run it with RunOutputs", len(names), strings.Join(names, ", "))
}

// RunOutputs computes every output of batch images: outputs[i] receives
// batch·Outputs()[i].Elems values of output i. input is as for Run and is
// not modified.
func (p *Program) RunOutputs(input []float32, batch int, outputs [][]float32) error {
	if err := p.checkRun(input, batch, outputs); err != nil {
		return err
	}
	c := p.get(batch)
	c.inputs[0] = input
	err := p.runTimed(c, nil)
	if err == nil {
		p.copyOutputs(c, outputs)
	}
	clear(c.inputs)
	p.put(c)
	return err
}

// copyOutputs copies each output's values out of the context.
func (p *Program) copyOutputs(c *execCtx, outputs [][]float32) {
	for i, t := range p.outs {
		for b := range c.batch {
			copy(outputs[i][b*t.elems:], c.image(t, b))
		}
	}
}

// checkRun checks RunOutputs' arguments.
func (p *Program) checkRun(input []float32, batch int, outputs [][]float32) error {
	if batch < 1 {
		return fmt.Errorf("native: batch %d; want at least 1", batch)
	}
	if len(input) != batch*p.inElems {
		return fmt.Errorf("native: input holds %d values; batch %d of %v needs %d", len(input), batch, ir.Shape(p.inShape[1:]), batch*p.inElems)
	}
	if len(outputs) != len(p.outputs) {
		return fmt.Errorf("native: %d output slices for %d outputs", len(outputs), len(p.outputs))
	}
	for i, o := range p.outputs {
		if len(outputs[i]) != batch*o.Elems {
			what := "output"
			if len(p.outputs) > 1 {
				what = fmt.Sprintf("output %s", o.Name)
			}
			return fmt.Errorf("native: %s has room for %d values; batch %d of %v needs %d", what, len(outputs[i]), batch, ir.Shape(o.Shape), batch*o.Elems)
		}
	}
	return nil
}

// An execCtx is what one Run needs for itself: the arena, each worker's
// scratch, and the job the workers share.
type execCtx struct {
	batch   int
	perImg  int // arena floats per image: image b's arena is at b·perImg
	arena   []float32
	inputs  [][]float32 // the Run's input (tests may compile several)
	scratch [][]float32 // per worker
	job     job
	sched   schedule // the step wrappers a Run posts (schedule.go)
}

// image is image b of tensor t. The program's inputs hold their images
// one after the other, as the caller passed them; an arena tensor's image
// b is in image b's arena.
func (c *execCtx) image(t *tensor, b int) []float32 {
	if t.off < 0 {
		base := b * t.elems
		if t.stride != 0 {
			base = b*t.stride + t.shift
		}
		return c.inputs[-1-t.off][base : base+t.elems]
	}
	base := b*c.perImg + t.off + t.shift
	return c.arena[base : base+t.elems]
}

// get takes a free context, growing its arena for batch if needed.
func (p *Program) get(batch int) *execCtx {
	p.mu.Lock()
	var c *execCtx
	if n := len(p.free); n > 0 {
		c = p.free[n-1]
		p.free = p.free[:n-1]
	}
	p.mu.Unlock()
	if c == nil {
		c = &execCtx{scratch: make([][]float32, p.threads), inputs: make([][]float32, p.numInputs)}
		for i := range c.scratch {
			c.scratch[i] = make([]float32, p.scratch)
		}
	}
	if need := p.arena * batch; cap(c.arena) < need {
		c.arena = make([]float32, need)
	}
	c.arena = c.arena[:cap(c.arena)]
	c.batch, c.perImg = batch, p.arena
	return c
}

// runInputs runs a program compiled (by compile, in tests) from a graph
// with several input nodes: inputs[i] feeds the i-th in graph order.
func (p *Program) runInputs(inputs [][]float32, batch int, output []float32) {
	c := p.get(batch)
	copy(c.inputs, inputs)
	if err := p.runTimed(c, nil); err != nil {
		panic(err)
	}
	for b := range batch {
		copy(output[b*p.outs[0].elems:], c.image(p.outs[0], b))
	}
	clear(c.inputs)
	p.put(c)
}

func (p *Program) put(c *execCtx) {
	p.mu.Lock()
	p.free = append(p.free, c)
	p.mu.Unlock()
}
