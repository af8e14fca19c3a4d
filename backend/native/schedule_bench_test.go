package native

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// BenchmarkSchedule compares, on whole models after the IR passes, the
// schedules of a batch: step by step over the whole batch
// (Options.stepwise), image by image wherever images may run apart
// ("images", batchMajor cleared) and schedule.go's, image by image except
// for the batch-major steps ("mixed"), alternating blocks of runs of
// each so that all see the same machine. It reports each one's median
// process CPU time per run (all threads, spinning included: on a shared
// machine it moves far less than the wall time) and wall time, and their
// ratios to the stepwise schedule's.
func BenchmarkSchedule(b *testing.B) {
	for _, c := range []struct {
		model          string
		batch, threads int
	}{
		{"resnet50", 8, 1}, {"resnet50", 8, 2},
		{"resnet18", 8, 1}, {"resnet18", 8, 2},
		{"cifar_resnet56", 8, 1}, {"cifar_resnet56", 8, 2},
		{"cifar_resnet56", 3, 2},
	} {
		b.Run(fmt.Sprintf("%s/b%d/t%d", c.model, c.batch, c.threads), func(b *testing.B) {
			g := build(b, c.model, nil)
			if err := ir.Optimize(g, ir.MaxLevel); err != nil {
				b.Fatal(err)
			}
			w := weights.Init(g, 0)
			names := []string{"step", "img", "mixed"}
			progs := make([]*Program, len(names))
			for i := range names {
				p, err := Compile(g, w, Options{Threads: c.threads, stepwise: i == 0})
				if err != nil {
					b.Fatal(err)
				}
				if i == 1 {
					clear(p.batchMajor)
				}
				progs[i] = p
			}
			x := randomInput(g, c.batch, 1)
			out := make([]float32, c.batch*progs[0].outElems)
			for _, p := range progs {
				p.Run(x, c.batch, out)
			}
			wall := make([][]float64, len(progs))
			cpu := make([][]float64, len(progs))
			const block = 2
			for b.Loop() {
				for i, p := range progs {
					for range block {
						t0, c0 := time.Now(), processCPUTime()
						if err := p.Run(x, c.batch, out); err != nil {
							b.Fatal(err)
						}
						wall[i] = append(wall[i], time.Since(t0).Seconds()*1e3)
						cpu[i] = append(cpu[i], (processCPUTime()-c0).Seconds()*1e3)
					}
				}
			}
			med := func(v []float64) float64 {
				slices.Sort(v)
				return v[len(v)/2]
			}
			w0, c0 := med(wall[0]), med(cpu[0])
			b.ReportMetric(c0, "step-cpu-ms")
			for i := 1; i < len(progs); i++ {
				wi, ci := med(wall[i]), med(cpu[i])
				b.ReportMetric(ci/c0, names[i]+"/step-cpu")
				b.ReportMetric(wi/w0, names[i]+"/step-wall")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
