package native

import (
	"runtime"
	"slices"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// BenchmarkWinogradModels runs whole models at batch 1 on one thread with
// Winograd chosen by the cost model and with it off, alternating blocks of
// runs in the same process, and reports each one's median CPU time per
// run (per-thread, which a shared machine moves less than wall time) and
// their ratio; RESC_BENCH_ISA chooses the instruction set.
func BenchmarkWinogradModels(b *testing.B) {
	defer benchISA(b)()
	for _, model := range []string{"resnet18", "resnet50", "cifar_resnet56"} {
		b.Run(model, func(b *testing.B) {
			g := build(b, model, nil)
			if err := ir.Optimize(g, ir.MaxLevel); err != nil {
				b.Fatal(err)
			}
			w := weights.Init(g, 0)
			var progs []*Program
			for _, mode := range []winoMode{winoNever, winoAuto} {
				p, err := Compile(g, w, Options{Threads: 1, winograd: mode})
				if err != nil {
					b.Fatal(err)
				}
				progs = append(progs, p)
			}
			x := randomInput(g, 1, 1)
			out := make([]float32, g.Outputs[0].Node.Shape.Elems())
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for _, p := range progs {
				p.Run(x, 1, out)
			}
			times := make([][]float64, len(progs))
			for b.Loop() {
				for i, p := range progs {
					for range 3 {
						t0 := threadCPUTime()
						p.Run(x, 1, out)
						times[i] = append(times[i], (threadCPUTime() - t0).Seconds())
					}
				}
			}
			med := make([]float64, len(times))
			for i, t := range times {
				slices.Sort(t)
				med[i] = t[len(t)/2]
			}
			b.ReportMetric(med[0]*1e3, "direct-cpu-ms")
			b.ReportMetric(med[1]*1e3, "wino-cpu-ms")
			b.ReportMetric(med[0]/med[1], "speedup")
			b.ReportMetric(0, "ns/op")
		})
	}
}
