package native

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// benchModel times model at batch 1 with 2 threads natively, as written
// (-O0) and after the IR passes (-O2), and in onnxruntime, alternating
// blocks of runs so that all see the same machine, and reports the
// medians, their ratios and the -O2 program's GFLOP/s.
func benchModel(b *testing.B, model string) {
	g0 := build(b, model, nil)
	w := weights.Init(g0, 0)
	g2 := build(b, model, nil)
	if err := ir.Optimize(g2, ir.MaxLevel); err != nil {
		b.Fatal(err)
	}
	p0, err := Compile(g0, w, Options{Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	p2, err := Compile(g2, w, Options{Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	s := ortSession(b, g0, w, 2)
	x := randomInput(g0, 1, 1)
	out := make([]float32, g0.Outputs[0].Node.Shape.Elems())
	shape := []int64{1, int64(g0.Input.Shape[1]), int64(g0.Input.Shape[2]), int64(g0.Input.Shape[3])}
	native := func(p *Program) func() { return func() { p.Run(x, 1, out) } }
	runners := []func(){native(p0), native(p2), func() { s.Run(x, shape) }}
	for _, run := range runners {
		for range 3 {
			run()
		}
	}
	// Alternate blocks of runs rather than single runs: onnxruntime's
	// threads spin for a while after each run, which would slow the native
	// run that follows.
	times := make([][]float64, len(runners))
	const block = 5
	for b.Loop() {
		for i, run := range runners {
			for range block {
				t0 := time.Now()
				run()
				times[i] = append(times[i], time.Since(t0).Seconds())
			}
			b.StopTimer()
			time.Sleep(20 * time.Millisecond)
			b.StartTimer()
		}
	}
	med := make([]float64, len(times))
	for i, t := range times {
		slices.Sort(t)
		med[i] = t[len(t)/2]
	}
	b.ReportMetric(med[0]*1e3, "O0-ms")
	b.ReportMetric(med[1]*1e3, "O2-ms")
	b.ReportMetric(med[2]*1e3, "ort-ms")
	b.ReportMetric(med[1]/med[0], "O2/O0")
	b.ReportMetric(med[1]/med[2], "O2/ort")
	b.ReportMetric(2*float64(g2.Stats().MACs)/med[1]/1e9, "GFLOP/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkResnet50 is the flagship at 224×224, batch 1, 2 threads.
func BenchmarkResnet50(b *testing.B) { benchModel(b, "resnet50") }

func BenchmarkResnet18(b *testing.B) { benchModel(b, "resnet18") }

func BenchmarkResnext50(b *testing.B) { benchModel(b, "resnext50_32x4d") }

// BenchmarkKernel measures the micro-kernels on L1-resident panels.
func BenchmarkKernel(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const kc = 256
	for _, set := range machineISAs {
		k := set.gemm
		mr, nr := k.mr, k.nr
		a, bb := randomSlice(r, kc*mr), randomSlice(r, kc*nr)
		c := make([]float32, mr*nr)
		b.Run(k.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0 := threadCPUTime()
			for b.Loop() {
				k.f(kc, a, bb, c, nr, nr, true)
			}
			flops := float64(2*kc*mr*nr) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if cpu := threadCPUTime() - cpu0; cpu > 0 {
				b.ReportMetric(flops/cpu.Seconds()/1e9, "cpu-GFLOP/s")
			}
		})
	}
}

// BenchmarkPixelKernel measures the pixel-major micro-kernels on
// L1-resident weights and a panel of 64-pixel rows, against the GEMM's
// micro-kernel in the same run.
func BenchmarkPixelKernel(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const kc, ldp = 256, 80
	type kernel struct {
		name  string
		flops int
		f     func()
	}
	k := active.gemm
	a, bb := randomSlice(r, kc*k.mr), randomSlice(r, kc*k.nr)
	c := make([]float32, k.mr*k.nr)
	kernels := []kernel{{k.name, 2 * kc * k.mr * k.nr, func() { k.f(kc, a, bb, c, k.nr, k.nr, true) }}}
	px, w := randomSlice(r, kc*ldp), randomSlice(r, kc*pixelStrip)
	ct := make([]float32, 14*pixelStrip)
	for _, pk := range active.pixelGemm {
		kernels = append(kernels, kernel{pk.name, 2 * kc * pk.r * pixelStrip, func() { pk.f(kc, px, w, ct, ldp, pixelStrip, true, nil, 0) }})
	}
	for _, k := range kernels {
		b.Run(k.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0 := threadCPUTime()
			for b.Loop() {
				k.f()
			}
			if cpu := threadCPUTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(k.flops)*float64(b.N)/cpu.Seconds()/1e9, "cpu-GFLOP/s")
			}
		})
	}
}

// convShapes is BenchmarkConv's convolutions.
var convShapes = []struct {
	name string
	g    window
}{
	{"stem7x7s2", window{C: 3, H: 224, W: 224, M: 64, KH: 7, KW: 7, SH: 2, SW: 2, DH: 1, DW: 1, PT: 3, PL: 3, PB: 3, PR: 3, G: 1}},
	{"3x3@56", window{C: 64, H: 56, W: 56, M: 64, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"3x3@28", window{C: 128, H: 28, W: 28, M: 128, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"3x3@14", window{C: 256, H: 14, W: 14, M: 256, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"3x3@7", window{C: 512, H: 7, W: 7, M: 512, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"1x1@56", window{C: 256, H: 56, W: 56, M: 64, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1}},
	{"1x1expand@56", window{C: 64, H: 56, W: 56, M: 256, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1}},
	{"1x1expand@14", window{C: 256, H: 14, W: 14, M: 1024, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1}},
	{"1x1s2@28", window{C: 512, H: 28, W: 28, M: 1024, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1}},
	{"3x3s2@28", window{C: 128, H: 56, W: 56, M: 128, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"1x1@7", window{C: 512, H: 7, W: 7, M: 2048, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1}},
	// The small maps of the pixel-major path: resnet50's layer3 and
	// layer4 1×1s, their stride-2 entries; CIFAR's 3×3s.
	{"1x1reduce@7", window{C: 2048, H: 7, W: 7, M: 512, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1}},
	{"1x1reduce@14", window{C: 1024, H: 14, W: 14, M: 256, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1, G: 1}},
	{"1x1s2@7", window{C: 1024, H: 14, W: 14, M: 2048, KH: 1, KW: 1, SH: 2, SW: 2, DH: 1, DW: 1, G: 1}},
	{"3x3s2@14", window{C: 256, H: 28, W: 28, M: 256, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"3x3s2@7", window{C: 512, H: 14, W: 14, M: 512, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"3x3@32/c16", window{C: 16, H: 32, W: 32, M: 16, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"3x3@16/c32", window{C: 32, H: 16, W: 16, M: 32, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"3x3@8/c64", window{C: 64, H: 8, W: 8, M: 64, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 1}},
	{"grouped3x3@56", window{C: 128, H: 56, W: 56, M: 128, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 32}},
	{"grouped3x3@28", window{C: 256, H: 28, W: 28, M: 256, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 32}},
	{"grouped3x3@14", window{C: 512, H: 14, W: 14, M: 512, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 32}},
	{"grouped3x3@7", window{C: 1024, H: 7, W: 7, M: 1024, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 32}},
	{"grouped3x3s2@14", window{C: 1024, H: 14, W: 14, M: 1024, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 32}},
	// RegNet's group widths: 128 at stride 2, 48, 8.
	{"regnet3x3s2@14/gw128", window{C: 1024, H: 14, W: 14, M: 1024, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 8}},
	{"regnet3x3@56/gw48", window{C: 96, H: 56, W: 56, M: 96, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 2}},
	{"regnet3x3@7/gw48", window{C: 1008, H: 7, W: 7, M: 1008, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 21}},
	{"regnet3x3@14/gw8", window{C: 208, H: 14, W: 14, M: 208, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, PB: 1, PR: 1, G: 26}},
}

// BenchmarkConv times single convolutions of resnet50's shapes on one
// thread, packing included: the GEMM, each pixel-major kernel (the cost
// model's pick marked *), the tap-offset path where it applies and
// Winograd where it applies, one after the other for each shape, with the
// fastest instruction set or the one RESC_BENCH_ISA names (avx2, go).
func BenchmarkConv(b *testing.B) {
	defer benchISA(b)()
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range convShapes {
		g := c.g
		g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
		in := &tensor{elems: g.C * g.H * g.W, off: -1}
		out := &tensor{elems: g.M * g.OH * g.OW}
		w := randomSlice(r, g.M*g.C/g.G*g.KH*g.KW)
		x := randomSlice(r, in.elems)
		steps := []struct {
			name   string
			s      step
			floats int
		}{}
		cs := newConvStep(g, in, out, w, epilogue{}, 1, false)
		steps = append(steps, struct {
			name   string
			s      step
			floats int
		}{c.name, cs, cs.scratch()})
		// Every pixel-major kernel, whatever the cost model picks
		// (cmp: the name of the one it picks, or none).
		choice, _, chosen := choosePixelKernel(&g, active)
		for _, pk := range active.pixelGemm {
			tail := pixelTail(active.pixelGemm, pk, g.OH*g.OW)
			ts := newConvTStep(g, in, out, w, epilogue{}, 1, pk, tail)
			name := c.name + "/" + pixelPathName(pk, tail)
			if chosen && choice.r == pk.r {
				name += "*"
			}
			steps = append(steps, struct {
				name   string
				s      step
				floats int
			}{name, ts, ts.scratch()})
		}
		// The tap path on every grouped shape, whatever tapConvApplies
		// picks, where the instruction set has its kernels.
		if active.tapGemm.f != nil && g.G > 1 && g.C > g.G {
			ts := newTapConvStep(g, in, out, w, epilogue{}, 1)
			steps = append(steps, struct {
				name   string
				s      step
				floats int
			}{c.name + "/tap", ts, ts.scratch()})
		}
		if winogradApplies(&g) {
			ws := newWinoStep(g, in, out, w, epilogue{}, 1)
			steps = append(steps, struct {
				name   string
				s      step
				floats int
			}{c.name + "/winograd", ws, ws.scratch()})
		}
		for _, st := range steps {
			s := st.s
			ctx := &execCtx{batch: 1, arena: make([]float32, out.elems), inputs: [][]float32{x},
				scratch: [][]float32{make([]float32, st.floats)}}
			b.Run(st.name, func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				cpu0 := threadCPUTime()
				for b.Loop() {
					for t := range s.tasks(ctx) {
						s.run(ctx, 0, t)
					}
				}
				macs := float64(g.M * g.C / g.G * g.KH * g.KW * g.OH * g.OW)
				b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				if cpu := threadCPUTime() - cpu0; cpu > 0 {
					b.ReportMetric(2*macs*float64(b.N)/cpu.Seconds()/1e9, "cpu-GFLOP/s")
				}
			})
		}
	}
}

// benchISA makes the instruction set RESC_BENCH_ISA names (avx512, avx2,
// go) active, when it names one, and returns what restores the default.
func benchISA(b *testing.B) func() {
	name := os.Getenv("RESC_BENCH_ISA")
	if name == "" {
		return func() {}
	}
	i := slices.IndexFunc(machineISAs, func(s isa) bool { return s.name == name })
	if i < 0 {
		b.Fatalf("RESC_BENCH_ISA=%s: this CPU or build has no such instruction set", name)
	}
	saved := active
	active = &machineISAs[i]
	return func() { active = saved }
}

// BenchmarkPixelMajorModel runs resnet50 and resnet18 (optimised, batch
// 1) compiled with and without the pixel-major path, one run each in
// turn, and reports each one's least time per run and their ratio: thread
// CPU time on one thread, wall time on two (the least is the run that
// others' work on the machine disturbed least).
func BenchmarkPixelMajorModel(b *testing.B) {
	for _, model := range []string{"resnet50", "resnet18"} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", model, threads), func(b *testing.B) {
				g := build(b, model, nil)
				if err := ir.Optimize(g, ir.MaxLevel); err != nil {
					b.Fatal(err)
				}
				w := weights.Init(g, 0)
				compile := func(off bool) *Program {
					defer func(saved bool) { pixelMajorOff = saved }(pixelMajorOff)
					pixelMajorOff = off
					p, err := Compile(g, w, Options{Threads: threads})
					if err != nil {
						b.Fatal(err)
					}
					return p
				}
				progs := []*Program{compile(true), compile(false)}
				x := randomInput(g, 1, 1)
				out := make([]float32, g.Outputs[0].Node.Shape.Elems())
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				clock := threadCPUTime
				if threads > 1 {
					start := time.Now()
					clock = func() time.Duration { return time.Since(start) }
				}
				best := make([]time.Duration, len(progs))
				for b.Loop() {
					for i, p := range progs {
						t0 := clock()
						if err := p.Run(x, 1, out); err != nil {
							b.Fatal(err)
						}
						if d := clock() - t0; best[i] == 0 || d < best[i] {
							best[i] = d
						}
					}
				}
				b.ReportMetric(float64(best[0].Microseconds())/1e3, "gemm-ms")
				b.ReportMetric(float64(best[1].Microseconds())/1e3, "pixel-ms")
				b.ReportMetric(best[1].Seconds()/best[0].Seconds(), "pixel/gemm")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkConvPaths calibrates choosePixelKernel and, on small maps,
// useWinograd: for each of convShapes that the pixel-major path may
// take, it runs the GEMM, every pixel-major kernel and Winograd where it
// applies (twice where its GEMMs go pixel-major: winograd-gemm is the
// step with them on the GEMM's kernel), one convolution each in turn,
// over and over,
// and reports the least thread CPU time of each as a ratio to the GEMM's
// (the least is the run others' work on the machine disturbed least).
func BenchmarkConvPaths(b *testing.B) {
	if active.pixelGemm == nil {
		b.Skipf("%s has no pixel-major kernels", active.name)
	}
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range convShapes {
		g := c.g
		g.OH = (g.H+g.PT+g.PB-g.DH*(g.KH-1)-1)/g.SH + 1
		g.OW = (g.W+g.PL+g.PR-g.DW*(g.KW-1)-1)/g.SW + 1
		if g.M/g.G < pixelStrip || g.OH*g.OW > 1024 {
			continue
		}
		in := &tensor{elems: g.C * g.H * g.W, off: -1}
		out := &tensor{elems: g.M * g.OH * g.OW}
		w := randomSlice(r, g.M*g.C/g.G*g.KH*g.KW)
		x := randomSlice(r, in.elems)
		type variant struct {
			name    string
			s       step
			scratch int
		}
		cs := newConvStep(g, in, out, w, epilogue{}, 1, false)
		vs := []variant{{"gemm", cs, cs.scratch()}}
		choice, _, chosen := choosePixelKernel(&g, active)
		for _, pk := range active.pixelGemm {
			tail := pixelTail(active.pixelGemm, pk, g.OH*g.OW)
			ts := newConvTStep(g, in, out, w, epilogue{}, 1, pk, tail)
			name := pixelPathName(pk, tail)
			if chosen && choice.r == pk.r {
				name += "*"
			}
			vs = append(vs, variant{name, ts, ts.scratch()})
		}
		if winogradApplies(&g) && active.winoIn != nil {
			ws := newWinoStep(g, in, out, w, epilogue{}, 1)
			name := "winograd"
			if useWinograd(&g) {
				name += "*"
			}
			vs = append(vs, variant{name, ws, ws.scratch()})
			if ws.pix != nil {
				// Its 16 GEMMs on the GEMM's kernel instead, for the
				// pixel-major choice's measure.
				pixelMajorOff = true
				ws := newWinoStep(g, in, out, w, epilogue{}, 1)
				pixelMajorOff = false
				vs = append(vs, variant{"winograd-gemm", ws, ws.scratch()})
			}
		}
		b.Run(c.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			best := make([]time.Duration, len(vs))
			ctxs := make([]*execCtx, len(vs))
			for i, v := range vs {
				ctxs[i] = &execCtx{batch: 1, arena: make([]float32, out.elems), inputs: [][]float32{x},
					scratch: [][]float32{make([]float32, v.scratch)}}
			}
			for b.Loop() {
				for i, v := range vs {
					t0 := threadCPUTime()
					for t := range v.s.tasks(ctxs[i]) {
						v.s.run(ctxs[i], 0, t)
					}
					if d := threadCPUTime() - t0; best[i] == 0 || d < best[i] {
						best[i] = d
					}
				}
			}
			macs := float64(g.M * g.C / g.G * g.KH * g.KW * g.OH * g.OW)
			b.ReportMetric(2*macs/best[0].Seconds()/1e9, "gemm-GFLOP/s")
			for i, v := range vs[1:] {
				b.ReportMetric(best[0].Seconds()/best[i+1].Seconds(), v.name+"-speedup")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkPixelMajorLayers profiles resnet50 (optimised, batch 1, one
// thread) with and without the pixel-major path, one profiled run each in
// turn, and logs, for every step that takes the pixel-major path, its
// least time on each path and their ratio (the least is the run others'
// work on the machine disturbed least), and the sums over those steps.
func BenchmarkPixelMajorLayers(b *testing.B) {
	g := build(b, "resnet50", nil)
	if err := ir.Optimize(g, ir.MaxLevel); err != nil {
		b.Fatal(err)
	}
	w := weights.Init(g, 0)
	compile := func(off bool) *Program {
		defer func(saved bool) { pixelMajorOff = saved }(pixelMajorOff)
		pixelMajorOff = off
		p, err := Compile(g, w, Options{Threads: 1})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	progs := []*Program{compile(true), compile(false)}
	x := randomInput(g, 1, 1)
	outs := [][]float32{make([]float32, g.Outputs[0].Node.Shape.Elems())}
	best := make([][]time.Duration, len(progs))
	var prof []StepProfile
	for b.Loop() {
		for i, p := range progs {
			prof = p.Profile()
			if err := p.RunProfiled(x, 1, outs, prof); err != nil {
				b.Fatal(err)
			}
			if best[i] == nil {
				best[i] = make([]time.Duration, len(prof))
			}
			for j, s := range prof {
				if best[i][j] == 0 || s.Time < best[i][j] {
					best[i][j] = s.Time
				}
			}
		}
	}
	var sum [2]time.Duration
	for j, s := range progs[1].steps {
		if _, ok := s.(*convTStep); !ok {
			continue
		}
		sum[0] += best[0][j]
		sum[1] += best[1][j]
		b.Logf("%-24s %-22s gemm %7.3f ms  pixel %7.3f ms  %.3f×", prof[j].Node, prof[j].Op,
			best[0][j].Seconds()*1e3, best[1][j].Seconds()*1e3, best[0][j].Seconds()/best[1][j].Seconds())
	}
	b.Logf("the pixel-major steps: gemm %.3f ms, pixel %.3f ms, %.3f× faster", sum[0].Seconds()*1e3, sum[1].Seconds()*1e3, sum[0].Seconds()/sum[1].Seconds())
	b.ReportMetric(sum[0].Seconds()/sum[1].Seconds(), "speedup")
	b.ReportMetric(0, "ns/op")
}

// pixelPathName names the pixel-major kernel pk with its tail, if any:
// avx512x14+7.
func pixelPathName(pk, tail pixelKernel) string {
	if tail.f == nil {
		return pk.name
	}
	return fmt.Sprintf("%s+%d", pk.name, tail.r)
}
