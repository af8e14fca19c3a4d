package native

import (
	"sync/atomic"
	"testing"
	"time"
)

// spinStep is a step of tasks that each busy-wait for d, counting the
// tasks the helpers (workers other than the caller) take.
type spinStep struct {
	n      int
	d      time.Duration
	helped atomic.Int64
}

func (s *spinStep) tasks(*execCtx) int { return s.n }

func (s *spinStep) imageTasks() int { return 0 }

func (s *spinStep) run(_ *execCtx, worker, _ int) {
	if worker != 0 {
		s.helped.Add(1)
	}
	for t := time.Now(); time.Since(t) < s.d; {
	}
}

// BenchmarkHandoff measures how much of a short step two threads share:
// steps of 8 tasks of 10 µs (a mobilenet_v2-sized step, 80 µs alone) run
// back to back, as a Run does. With the work shared at once a step takes
// about 40 µs and the helper takes half the tasks ("helped"); a hand-off
// that reaches the helper late shows as a smaller share and a step near
// 80 µs.
func BenchmarkHandoff(b *testing.B) {
	p := &Program{threads: 2, pool: newWorkers(1)}
	defer p.pool.stop()
	c := &execCtx{}
	s := &spinStep{n: 8, d: 10 * time.Microsecond}
	for b.Loop() {
		if err := p.exec(c, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.helped.Load())/float64(b.N*s.n), "helped")
}
