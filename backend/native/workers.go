package native

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// A step is one planned operation. It splits into tasks that may run in
// any order and on any worker; worker is in [0, Threads) and indexes the
// context's scratch.
type step interface {
	tasks(c *execCtx) int
	run(c *execCtx, worker, task int)
}

// A job is one step being run: the tasks are taken from next.
type job struct {
	s    step
	c    *execCtx
	n    int
	next atomic.Int64
	wg   sync.WaitGroup
	err  atomic.Pointer[PanicError] // the first task that panicked
}

// A PanicError is a panic in one of a Program's tasks, which Run returns
// rather than letting it crash the process from a helper goroutine. It is
// a bug in this package; Stack says where.
type PanicError struct {
	Step  string // the node whose step panicked
	Value any    // what it panicked with
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("native: internal error in the step of %s: %v", e.Step, e.Value)
}

// loop takes and runs tasks until none are left. A panicking task ends
// the job: the tasks not yet taken are skipped and exec reports it.
func (j *job) loop(worker int) {
	defer func() {
		if r := recover(); r != nil {
			j.next.Store(int64(j.n))
			j.err.CompareAndSwap(nil, &PanicError{Value: r, Stack: debug.Stack()})
		}
	}()
	for {
		t := int(j.next.Add(1) - 1)
		if t >= j.n {
			return
		}
		j.s.run(j.c, worker, t)
	}
}

// work is a helper's share of a job: the job and the helper's worker index.
type work struct {
	j      *job
	worker int
}

// workers are a Program's helper goroutines. They hold no reference to the
// Program, so that a cleanup can stop them once it is unreachable.
type workers struct {
	n    int
	work chan work
}

func newWorkers(n int) *workers {
	w := &workers{n: n, work: make(chan work, n)}
	for range n {
		go func() {
			for wk := range w.work {
				wk.j.loop(wk.worker)
				wk.j.wg.Done()
			}
		}()
	}
	return w
}

func (w *workers) stop() { close(w.work) }

// exec runs step s: the caller takes tasks with up to Threads-1 helpers.
// It returns a *PanicError if a task panicked.
func (p *Program) exec(c *execCtx, s step) error {
	n := s.tasks(c)
	if n == 0 {
		return nil
	}
	helpers := 0
	if p.pool != nil {
		helpers = min(p.pool.n, n-1)
	}
	j := &c.job
	j.s, j.c, j.n = s, c, n
	j.next.Store(0)
	j.wg.Add(helpers)
	for i := 1; i <= helpers; i++ {
		p.pool.work <- work{j, i}
	}
	j.loop(0)
	j.wg.Wait()
	j.s, j.c = nil, nil
	if e := j.err.Swap(nil); e != nil {
		return e
	}
	return nil
}

// split divides n items into at most parts nearly equal ranges, each at
// least minSize items (but at least one range): range i is
// [i·n/k, (i+1)·n/k) for the k it returns.
func split(n, parts, minSize int) int {
	k := parts
	if minSize > 0 && n/minSize < k {
		k = n / minSize
	}
	return max(1, min(k, n))
}

// part returns the bounds of range i of n items in k ranges.
func part(n, k, i int) (lo, hi int) {
	return i * n / k, (i + 1) * n / k
}
