package native

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/resc-dev/resc/ir"
)

// ResNet-50's convolutions and blocks, and the layers of the mobile and
// RegNet families (MobileNet V2/V3,
// EfficientNet, ConvNeXt, RegNet X/Y) one at a time, natively and in
// onnxruntime in the same run with the same thread count:
//
//	go test -run '^$' -bench Layers ./backend/native
//
// reports each one's median latency in microseconds and the ratio, and
// on one thread their CPU times, steadier on a shared machine.
//
// A layer alone flatters native against onnxruntime wherever onnxruntime
// moves convolutions to its blocked layout (NCHWc on AVX-512): it then
// pays a ReorderInput and a ReorderOutput around the one layer, where a
// whole model pays them once. For a 1×1 convolution of 256 to 64
// channels at 56×56 on one thread, they took 0.70 ms of onnxruntime's
// 2.57 ms (its profiler's kernel times). In one profiled run of
// resnet50, native's 1×1 convolutions took 1.03–1.62 times as long as
// onnxruntime's (most 1.15–1.45), while here, alone, those at 56×56 to
// 14×14 took 0.73–0.84 times as long. `resc bench --profile` lines the
// two up node by node within a model, the fairer comparison.

// A layerCase is one benchmarked layer: a depthwise or grouped
// convolution with its folded batch norm and activation, or a
// squeeze-excitation block.
type layerCase struct {
	name   string
	c, h   int // input channels and size (square)
	geom   convGeom
	act    ir.Act
	se     bool // a squeeze-excitation block of c channels: geom.m is its squeeze width
	seGate ir.Act
	block  int // an inverted residual block expanding c channels this many times (geom: its depthwise layer)
	// build, when set, builds the case's graph from its input instead.
	build func(gb *graphBuilder, x *ir.Node) *ir.Node
}

func layerCases() []layerCase {
	dw := func(c, h, k, s int, act ir.Act) layerCase {
		return layerCase{name: fmt.Sprintf("dw%dx%ds%d@%d/c%d/%s", k, k, s, h, c, act), c: c, h: h,
			geom: convGeom{m: c, k: k, s: s, p: k / 2, g: c}, act: act}
	}
	grouped := func(c, h, gw, s int) layerCase {
		return layerCase{name: fmt.Sprintf("grouped3x3s%d@%d/c%d/gw%d", s, h, c, gw), c: c, h: h,
			geom: convGeom{m: c, k: 3, s: s, p: 1, g: c / gw}, act: ir.ActRelu}
	}
	se := func(c, h, sq int, gate ir.Act) layerCase {
		return layerCase{name: fmt.Sprintf("se@%d/c%d/sq%d/%s", h, c, sq, gate), c: c, h: h,
			geom: convGeom{m: sq}, se: true, seGate: gate}
	}
	block := func(c, h, t, k int, act ir.Act, se bool) layerCase {
		name := fmt.Sprintf("block%dx%d@%d/c%d/t%d/%s", k, k, h, c, t, act)
		if se {
			name += "+se"
		}
		return layerCase{name: name, c: c, h: h, geom: convGeom{m: c * t, k: k, s: 1, p: k / 2, g: c * t}, act: act,
			block: t, se: se, seGate: ir.ActSigmoid}
	}
	// ResNet-50's convolutions one at a time, and its bottleneck blocks
	// whole (1×1, 3×3 of the stride, 1×1 with the residual, the 1×1
	// projection of the shortcut when the shape changes).
	conv := func(c, h, m, k, s int, act ir.Act) layerCase {
		name := fmt.Sprintf("conv%dx%ds%d@%d/c%d/m%d", k, k, s, h, c, m)
		return layerCase{name: name, c: c, h: h, geom: convGeom{m: m, k: k, s: s, p: k / 2, g: 1}, act: act}
	}
	bottleneck := func(c, h, width, s int) layerCase {
		return layerCase{name: fmt.Sprintf("bottleneck@%d/c%d/w%d/s%d", h, c, width, s), c: c, h: h,
			build: func(gb *graphBuilder, x *ir.Node) *ir.Node {
				relu := ir.Attrs{Bias: true, Act: ir.ActRelu}
				y := gb.conv("conv1", convGeom{m: width, k: 1, s: 1, g: 1}, relu, x, nil)
				y = gb.conv("conv2", convGeom{m: width, k: 3, s: s, p: 1, g: 1}, relu, y, nil)
				short := x
				if s != 1 || c != 4*width {
					short = gb.conv("downsample", convGeom{m: 4 * width, k: 1, s: s, g: 1}, ir.Attrs{Bias: true}, x, nil)
				}
				return gb.conv("conv3", convGeom{m: 4 * width, k: 1, s: 1, g: 1},
					ir.Attrs{Bias: true, Residual: true, Act: ir.ActRelu}, y, short)
			}}
	}
	return []layerCase{
		// ResNet-50, stage by stage.
		conv(3, 224, 64, 7, 2, ir.ActRelu),
		bottleneck(64, 56, 64, 1),
		bottleneck(256, 56, 64, 1),
		bottleneck(256, 56, 128, 2),
		bottleneck(512, 28, 128, 1),
		bottleneck(512, 28, 256, 2),
		bottleneck(1024, 14, 256, 1),
		bottleneck(1024, 14, 512, 2),
		bottleneck(2048, 7, 512, 1),
		conv(256, 56, 64, 1, 1, ir.ActRelu),
		conv(64, 56, 64, 3, 1, ir.ActRelu),
		conv(64, 56, 256, 1, 1, ir.ActNone),
		conv(512, 28, 128, 1, 1, ir.ActRelu),
		conv(128, 28, 128, 3, 1, ir.ActRelu),
		conv(128, 28, 512, 1, 1, ir.ActNone),
		conv(1024, 14, 256, 1, 1, ir.ActRelu),
		conv(256, 14, 256, 3, 1, ir.ActRelu),
		conv(256, 14, 1024, 1, 1, ir.ActNone),
		conv(2048, 7, 512, 1, 1, ir.ActRelu),
		conv(512, 7, 512, 3, 1, ir.ActRelu),
		conv(512, 7, 2048, 1, 1, ir.ActNone),
		conv(128, 56, 128, 3, 2, ir.ActRelu),
		conv(256, 28, 256, 3, 2, ir.ActRelu),
		conv(512, 14, 512, 3, 2, ir.ActRelu),
		conv(256, 56, 512, 1, 2, ir.ActNone),
		conv(512, 28, 1024, 1, 2, ir.ActNone),
		conv(1024, 14, 2048, 1, 2, ir.ActNone),
		// Whole inverted residual blocks (1×1 expansion, depthwise,
		// squeeze-excitation when +se, 1×1 projection, residual): the
		// depthwise layer's share of the families' time.
		block(24, 56, 6, 3, ir.ActRelu6, false),
		block(32, 28, 6, 3, ir.ActRelu6, false),
		block(64, 14, 6, 3, ir.ActRelu6, false),
		block(160, 7, 6, 3, ir.ActRelu6, false),
		block(40, 28, 6, 5, ir.ActSilu, true),
		block(112, 14, 6, 5, ir.ActSilu, true),
		block(192, 7, 6, 5, ir.ActSilu, true),
		// MobileNet V2 / V3, EfficientNet: 3×3 and 5×5, stride 1 and 2.
		dw(32, 112, 3, 1, ir.ActRelu6),
		dw(96, 112, 3, 2, ir.ActRelu6),
		dw(144, 56, 3, 1, ir.ActRelu6),
		dw(192, 28, 3, 1, ir.ActRelu6),
		dw(384, 14, 3, 1, ir.ActRelu6),
		dw(576, 14, 3, 2, ir.ActRelu6),
		dw(960, 7, 3, 1, ir.ActRelu6),
		dw(72, 56, 5, 2, ir.ActRelu),
		dw(240, 28, 5, 1, ir.ActSilu),
		dw(672, 14, 5, 1, ir.ActHardSwish),
		dw(672, 14, 5, 2, ir.ActHardSwish),
		dw(1152, 7, 5, 1, ir.ActSilu),
		// ConvNeXt: 7×7, no activation.
		dw(96, 56, 7, 1, ir.ActNone),
		dw(192, 28, 7, 1, ir.ActNone),
		dw(384, 14, 7, 1, ir.ActNone),
		dw(768, 7, 7, 1, ir.ActNone),
		// RegNet X/Y: grouped 3×3 with group widths 8 to 232.
		grouped(64, 56, 8, 1),
		grouped(48, 56, 24, 1),
		grouped(96, 56, 48, 1),
		grouped(120, 28, 24, 1),
		grouped(192, 28, 48, 1),
		grouped(192, 56, 48, 2),
		grouped(336, 14, 24, 1),
		grouped(432, 14, 48, 1),
		grouped(448, 14, 56, 1),
		grouped(896, 14, 64, 1),
		grouped(888, 7, 24, 1),
		grouped(1008, 7, 48, 1),
		grouped(912, 7, 112, 1),
		grouped(1024, 14, 128, 2),
		grouped(1392, 7, 232, 1),
		// Squeeze-excitation: global pool, two 1×1 convolutions, gate.
		se(144, 56, 36, ir.ActSigmoid),
		se(672, 14, 168, ir.ActHardSigmoid),
		se(960, 7, 240, ir.ActHardSigmoid),
		se(1152, 7, 48, ir.ActSigmoid),
	}
}

// layerGraph builds case lc as a graph of its fused nodes.
func layerGraph(b testing.TB, lc layerCase) *ir.Graph {
	gb, x := newGraph(b, lc.name, lc.c, lc.h, lc.h)
	if lc.build != nil {
		return gb.graph(lc.build(gb, x))
	}
	if lc.block > 0 {
		e := lc.c * lc.block
		y := gb.conv("expand", convGeom{m: e, k: 1, s: 1, g: 1}, ir.Attrs{Bias: true, Act: lc.act}, x, nil)
		y = gb.conv("dw", lc.geom, ir.Attrs{Bias: true, Act: lc.act}, y, nil)
		if lc.se {
			p := gb.node(ir.OpGlobalAvgPool, "pool", ir.Attrs{}, y)
			s := gb.conv("fc1", convGeom{m: lc.c / 4, k: 1, s: 1, g: 1}, ir.Attrs{Bias: true, Act: lc.act}, p, nil)
			s = gb.conv("fc2", convGeom{m: e, k: 1, s: 1, g: 1}, ir.Attrs{Bias: true, Act: lc.seGate}, s, nil)
			y = gb.node(ir.OpMul, "scale", ir.Attrs{}, y, s)
		}
		return gb.graph(gb.conv("project", convGeom{m: lc.c, k: 1, s: 1, g: 1}, ir.Attrs{Bias: true, Residual: true}, y, x))
	}
	if !lc.se {
		return gb.graph(gb.conv("conv", lc.geom, ir.Attrs{Bias: true, Act: lc.act}, x, nil))
	}
	p := gb.node(ir.OpGlobalAvgPool, "pool", ir.Attrs{}, x)
	s := gb.conv("fc1", convGeom{m: lc.geom.m, k: 1, s: 1, g: 1}, ir.Attrs{Bias: true, Act: ir.ActRelu}, p, nil)
	s = gb.conv("fc2", convGeom{m: lc.c, k: 1, s: 1, g: 1}, ir.Attrs{Bias: true, Act: lc.seGate}, s, nil)
	return gb.graph(gb.node(ir.OpMul, "scale", ir.Attrs{}, x, s))
}

// medianTimes runs each runner a few times to warm up, then alternates
// blocks of runs while b loops, 100 ms apart (onnxruntime's threads spin
// for tens of milliseconds after a run: a 1×1 layer at 7×7 took native
// two threads 1.50 ms 5 ms after onnxruntime's block, 0.84 ms 100 ms
// after), and
// returns each runner's median time in seconds: wall-clock, and the CPU
// time of the calling thread (0 where unknown), which for one-thread
// runs is steady on a shared machine where the wall clock is not.
func medianTimes(b *testing.B, block int, runners ...func()) (wall, cpu []float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, run := range runners {
		for range 3 {
			run()
		}
	}
	walls := make([][]float64, len(runners))
	cpus := make([][]float64, len(runners))
	for b.Loop() {
		for i, run := range runners {
			for range block {
				c0, t0 := threadCPUTime(), time.Now()
				run()
				walls[i] = append(walls[i], time.Since(t0).Seconds())
				cpus[i] = append(cpus[i], (threadCPUTime() - c0).Seconds())
			}
			b.StopTimer()
			time.Sleep(100 * time.Millisecond)
			b.StartTimer()
		}
	}
	median := func(t []float64) float64 {
		slices.Sort(t)
		return t[len(t)/2]
	}
	for i := range runners {
		wall = append(wall, median(walls[i]))
		cpu = append(cpu, median(cpus[i]))
	}
	return wall, cpu
}

func BenchmarkLayers(b *testing.B) {
	for _, lc := range layerCases() {
		g := layerGraph(b, lc)
		w := fusedWeights(g, 3)
		x := randomInput(g, 1, 1)
		shape := []int64{1, int64(lc.c), int64(lc.h), int64(lc.h)}
		out := make([]float32, g.Outputs[0].Node.Shape.Elems())
		macs := float64(g.Stats().MACs)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/t%d", lc.name, threads), func(b *testing.B) {
				p, err := Compile(g, w, Options{Threads: threads})
				if err != nil {
					b.Fatal(err)
				}
				s := ortSession(b, g, w, threads)
				med, cpu := medianTimes(b, 20, func() { p.Run(x, 1, out) }, func() { s.Run(x, shape) })
				b.ReportMetric(med[0]*1e6, "native-µs")
				b.ReportMetric(med[1]*1e6, "ort-µs")
				b.ReportMetric(med[0]/med[1], "native/ort")
				if threads == 1 && cpu[1] > 0 {
					// Both run on this thread alone: their CPU times.
					b.ReportMetric(cpu[0]*1e6, "native-cpu-µs")
					b.ReportMetric(cpu[1]*1e6, "ort-cpu-µs")
					b.ReportMetric(cpu[0]/cpu[1], "cpu-native/ort")
				}
				b.ReportMetric(2*macs/med[0]/1e9, "GFLOP/s")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkDepthwise times the depthwise step alone on one thread, on
// the small planes where its fixed costs per channel show, in CPU time.
func BenchmarkDepthwise(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		name string
		g    window
	}{
		{"3x3s1@7", depthwise(960, 1, 7, 7, 3, 1, 1)},
		{"3x3s2@14", depthwise(576, 1, 14, 14, 3, 2, 1)},
		{"5x5s1@7", depthwise(1152, 1, 7, 7, 5, 1, 2)},
		{"7x7s1@7", depthwise(768, 1, 7, 7, 7, 1, 3)},
		{"3x3s1@14", depthwise(384, 1, 14, 14, 3, 1, 1)},
	} {
		g := c.g
		in := &tensor{elems: g.C * g.H * g.W, off: -1}
		out := &tensor{elems: g.M * g.OH * g.OW}
		s := newDwStep(g, in, out, randomSlice(r, g.M*g.KH*g.KW), epilogue{bias: randomSlice(r, g.M), act: ir.ActRelu6}, false)
		ctx := &execCtx{batch: 1, arena: make([]float32, out.elems), inputs: [][]float32{randomSlice(r, in.elems)},
			scratch: [][]float32{make([]float32, s.scratch())}}
		b.Run(c.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			c0 := threadCPUTime()
			for b.Loop() {
				for t := range s.tasks(ctx) {
					s.run(ctx, 0, t)
				}
			}
			b.ReportMetric(float64(threadCPUTime()-c0)/1e3/float64(b.N), "cpu-µs")
		})
	}
}
