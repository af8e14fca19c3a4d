package native

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// A step is one planned operation. It splits into tasks that may run in
// any order and on any worker; worker is in [0, Threads) and indexes the
// context's scratch.
//
// imageTasks says whether images may run through the step apart (the
// scheduler, schedule.go, then runs a batch image by image, several steps
// in a row without a barrier): n > 0 promises that tasks(c) is
// c.batch·n for every batch, and that tasks [b·n, (b+1)·n) are image b's
// and read and write nothing of any other image (c.image(t, b) only). 0
// says a task may touch several images (a fully connected layer reads
// each weight row once for the whole batch): the step then runs alone,
// all its tasks between two barriers.
type step interface {
	tasks(c *execCtx) int
	imageTasks() int
	run(c *execCtx, worker, task int)
}

// A job is one step being run: the tasks are taken from next.
type job struct {
	s    step
	c    *execCtx
	n    int
	next atomic.Int64
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
			j.fail(r, "")
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

// fail ends the job for a task that panicked with r, called from the
// deferred function that recovered it: the tasks not yet taken are
// skipped and the first failure is kept. step names the node when the
// caller knows it ("" leaves it to exec's caller).
func (j *job) fail(r any, step string) {
	j.next.Store(int64(j.n))
	j.err.CompareAndSwap(nil, &PanicError{Step: step, Value: r, Stack: debug.Stack()})
}

// workers are a Program's helper goroutines. They hold no reference to the
// Program, so that a cleanup can stop them once it is unreachable.
//
// A step is handed over by publishing it (post), not by a channel: a
// goroutine woken by a channel send is queued on the sender's P and starts
// only when that P blocks or another M steals it, tens of microseconds
// later, by when the caller has taken most of a step's tasks alone
// (mobilenet_v2's steps are 20–200 µs). So a helper spins on post for
// spinFor after its last step, where a new step reaches it within
// nanoseconds, and only then sleeps on its wake channel.
//
// A helper joins a step only while the step is open, and the caller,
// once it finds no task left, closes the step and waits for the helpers
// that joined it alone: a helper that the OS had not run (on a machine
// with more runnable threads than cores) or that was asleep, and shows
// up after the caller took every task, no longer holds the step up — it
// used to, for as long as the OS kept it waiting, up to a time slice of
// milliseconds per step.
type workers struct {
	n       int
	busy    atomic.Bool   // a step holds the helpers (Runs may be concurrent)
	seq     uint64        // steps posted; guarded by busy
	post    atomic.Uint64 // seq<<16 | helpers of the step being run
	job     atomic.Pointer[job]
	state   atomic.Uint64 // seq<<32 | closed | helpers in the step (joined, not done)
	waiting atomic.Bool   // the caller blocks on done for the helpers to leave
	done    chan struct{} // one token: the last helper left
	stopped atomic.Bool
	asleep  []atomic.Bool   // per helper (index 1..n): blocked on wake
	wake    []chan struct{} // per helper: one token wakes it
}

// spinFor is how long an idle helper watches for the next step before it
// sleeps: longer than the gap between two steps of a Run, short enough
// that a finished Run leaves no core busy for long, and that a helper
// does not spin on while the OS has preempted the caller (on a loaded
// 2-core machine, 50 µs rather than 200 made mobilenet_v2 on 2 threads
// about 25% faster against onnxruntime, cifar_resnet56 the same).
const spinFor = 50 * time.Microsecond

const helperBits = 16 // post's low bits: how many helpers take part

// closed is the state's bit of a step that helpers may no longer join;
// the bits below it count the helpers in the step.
const closed = 1 << 31

// join enters helper-to-be into step seq unless it has closed (or a
// later one was posted); the helper then runs the step's tasks and
// leaves.
func (w *workers) join(seq uint64) bool {
	for {
		s := w.state.Load()
		if s>>32 != seq&(1<<32-1) || s&closed != 0 {
			return false
		}
		if w.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

// leave is a helper's exit from the step it joined. The last to leave a
// closed step wakes the caller if it blocks.
func (w *workers) leave() {
	if s := w.state.Add(^uint64(0)); s&(closed-1) == 0 && s&closed != 0 {
		if w.waiting.Load() && w.waiting.CompareAndSwap(true, false) {
			w.done <- struct{}{}
		}
	}
}

// waitFor is how long the caller spins for the helpers to leave a closed
// step before it blocks: a helper finishing its last task leaves within
// microseconds, but one that the OS has preempted in a task (where there
// are more runnable threads than cores) may take a time slice of
// milliseconds, and a caller spinning all that while would keep a core
// from the helper, or from whatever else runs on the machine.
const waitFor = 50 * time.Microsecond

// awaitHelpers returns once every helper has left the closed step.
func (w *workers) awaitHelpers() {
	var since time.Time
	for spin := 1; w.state.Load()&(closed-1) != 0; spin++ {
		if spin%128 != 0 {
			continue
		}
		runtime.Gosched()
		if since.IsZero() {
			since = time.Now()
			continue
		}
		if time.Since(since) < waitFor {
			continue
		}
		// Block. Whoever clears waiting first decides whether a token
		// is on its way, as for a sleeping helper.
		w.waiting.Store(true)
		if w.state.Load()&(closed-1) == 0 && w.waiting.CompareAndSwap(true, false) {
			return
		}
		<-w.done
		return
	}
}

func newWorkers(n int) *workers {
	w := &workers{n: n, asleep: make([]atomic.Bool, n+1), wake: make([]chan struct{}, n+1), done: make(chan struct{}, 1)}
	for i := 1; i <= n; i++ {
		w.wake[i] = make(chan struct{}, 1)
		go w.helper(i)
	}
	return w
}

// helper runs the steps posted to it as worker i.
func (w *workers) helper(i int) {
	var seen uint64
	for {
		p, ok := w.await(i, seen)
		if !ok {
			return
		}
		seen = p
		if i <= int(p&(1<<helperBits-1)) && w.join(p>>helperBits) {
			w.job.Load().loop(i)
			w.leave() // after this the caller may reuse the job
		}
	}
}

// await returns the first post other than seen, spinning for spinFor and
// then sleeping; false once the workers are stopped.
func (w *workers) await(i int, seen uint64) (uint64, bool) {
	var since time.Time
	for spin := 1; ; spin++ {
		if p := w.post.Load(); p != seen {
			return p, true
		}
		if w.stopped.Load() {
			return 0, false
		}
		if spin%128 != 0 {
			continue
		}
		// Let other goroutines have this P when there are fewer Ps
		// than threads; cheap when there are none.
		runtime.Gosched()
		if since.IsZero() {
			since = time.Now()
			continue
		}
		if time.Since(since) < spinFor {
			continue
		}
		// Sleep. The caller clears asleep before sending a token; if a
		// post or stop came in between, whoever clears asleep first
		// decides whether a token is on its way.
		w.asleep[i].Store(true)
		if w.post.Load() != seen || w.stopped.Load() {
			if w.asleep[i].CompareAndSwap(true, false) {
				since = time.Time{}
				continue
			}
		}
		<-w.wake[i]
		since = time.Time{}
	}
}

// wakeUp wakes helper i if it sleeps.
func (w *workers) wakeUp(i int) {
	if w.asleep[i].Load() && w.asleep[i].CompareAndSwap(true, false) {
		w.wake[i] <- struct{}{}
	}
}

func (w *workers) stop() {
	w.stopped.Store(true)
	for i := 1; i <= w.n; i++ {
		w.wakeUp(i)
	}
}

// exec runs step s: the caller takes tasks with up to Threads-1 helpers.
// A step of one task, or one that finds the helpers busy with a
// concurrent Run's step, runs on the caller alone. It returns a
// *PanicError if a task panicked.
func (p *Program) exec(c *execCtx, s step) error {
	n := s.tasks(c)
	if n == 0 {
		return nil
	}
	j := &c.job
	j.s, j.c, j.n = s, c, n
	j.next.Store(0)
	w := p.pool
	if w != nil && n > 1 && w.busy.CompareAndSwap(false, true) {
		helpers := min(w.n, n-1, 1<<helperBits-1)
		w.job.Store(j)
		w.seq++
		w.state.Store((w.seq & (1<<32 - 1)) << 32)
		w.post.Store(w.seq<<helperBits | uint64(helpers))
		for i := 1; i <= helpers; i++ {
			w.wakeUp(i)
		}
		j.loop(0)
		// No task is left: wait for the helpers still running one.
		w.state.Or(closed)
		w.awaitHelpers()
		w.job.Store(nil)
		w.busy.Store(false)
	} else {
		j.loop(0)
	}
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
