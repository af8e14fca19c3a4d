package native

import (
	"time"

	"github.com/resc-dev/resc/ir"
)

// The schedule. A batch of one runs step by step: all threads take the
// tasks of a step, and a step starts when the last one ends. A larger
// batch runs the steps that let images run apart (imageTasks > 0) image
// by image instead, a stretch of such steps at a time: each worker takes
// a whole image through the stretch on its own, with its own scratch and
// no barrier between the steps, so that an image's activations stay in
// its core's cache from one step to the next (step by step, eight images
// of a 56×56 layer are tens of megabytes, out of every cache by the next
// step) and no thread waits at a step's end for the others. With T
// threads the first B − B mod T images run so; the B mod T left over run
// step by step, every thread taking tasks of those images only.
//
// Image by image, though, a step's weights are read once per image rather
// than once per batch: where they outweigh an image's activations (the
// late stages of a ResNet: 9 MB of weights for 7×7 maps), that costs
// more than it saves. Such steps are batch-major (batchMajor): they run
// step by step over the whole batch, as do the steps over the whole
// batch (a fully connected layer).

// schedule holds the step wrappers a Run posts, in its execCtx, so that
// scheduling allocates nothing.
type schedule struct {
	seg  segmentStep
	part imagesStep
}

// A segmentStep takes whole images through steps [lo, hi) of a Program:
// task b is image b, run through every one of those steps by one worker.
type segmentStep struct {
	p      *Program
	lo, hi int
	images int
	// prof, unless nil, receives the time worker 0 (the caller) spends
	// on each step: the other workers run the same steps on other images
	// at the same time, so its times add up to the stretch's wall time.
	prof []StepProfile
}

func (s *segmentStep) tasks(*execCtx) int { return s.images }

// imageTasks is 0: a segmentStep is posted whole, never split further.
func (s *segmentStep) imageTasks() int { return 0 }

func (s *segmentStep) run(c *execCtx, worker, b int) {
	i := s.lo
	defer func() {
		if r := recover(); r != nil {
			c.job.fail(r, s.p.info[i].node)
		}
	}()
	timed := s.prof != nil && worker == 0
	var t0 time.Time
	if timed {
		t0 = time.Now()
	}
	for ; i < s.hi; i++ {
		st := s.p.steps[i]
		n := st.imageTasks()
		for t := b * n; t < (b+1)*n; t++ {
			st.run(c, worker, t)
		}
		if timed {
			t1 := time.Now()
			s.prof[i].Time += t1.Sub(t0)
			t0 = t1
		}
	}
}

// An imagesStep is images [b0, b0+count) of a step s that lets images run
// apart, n tasks an image.
type imagesStep struct {
	s            step
	b0, n, count int
}

func (s *imagesStep) tasks(*execCtx) int { return s.count * s.n }

func (s *imagesStep) imageTasks() int { return s.n }

func (s *imagesStep) run(c *execCtx, worker, task int) { s.s.run(c, worker, s.b0*s.n+task) }

// runTimed runs the steps, stopping at the first that fails, and adds
// each step's time to prof[i].Time unless prof is nil.
func (p *Program) runTimed(c *execCtx, prof []StepProfile) error {
	for i := 0; i < len(p.steps); {
		j := i + 1
		var err error
		if p.byImage(c, i) {
			for j < len(p.steps) && p.byImage(c, j) {
				j++
			}
			err = p.runImages(c, i, j, prof)
		} else {
			err = p.runStep(c, i, p.steps[i], prof)
		}
		if err != nil {
			return err
		}
		i = j
	}
	return nil
}

// runImages runs steps [lo, hi), which all let images run apart, on the
// context's batch: the images that fill every thread a whole image at a
// time as segments, the rest step by step.
func (p *Program) runImages(c *execCtx, lo, hi int, prof []StepProfile) error {
	whole := c.batch - c.batch%p.threads
	if whole > 0 {
		c.sched.seg = segmentStep{p: p, lo: lo, hi: hi, images: whole, prof: prof}
		err := p.exec(c, &c.sched.seg)
		c.sched.seg = segmentStep{}
		if err != nil {
			return err
		}
	}
	if whole == c.batch {
		return nil
	}
	for i := lo; i < hi; i++ {
		s := p.steps[i]
		c.sched.part = imagesStep{s: s, b0: whole, n: s.imageTasks(), count: c.batch - whole}
		err := p.runStep(c, i, &c.sched.part, prof)
		c.sched.part = imagesStep{}
		if err != nil {
			return err
		}
	}
	return nil
}

// runStep runs s, step i or part of it, with every thread, adding its
// time to prof[i] unless prof is nil.
func (p *Program) runStep(c *execCtx, i int, s step, prof []StepProfile) error {
	var t0 time.Time
	if prof != nil {
		t0 = time.Now()
	}
	if err := p.exec(c, s); err != nil {
		if pe, ok := err.(*PanicError); ok && pe.Step == "" {
			pe.Step = p.info[i].node
		}
		return err
	}
	if prof != nil {
		prof[i].Time += time.Since(t0)
	}
	return nil
}

// byImage reports whether step i runs image by image for c's batch.
func (p *Program) byImage(c *execCtx, i int) bool {
	return c.batch > 1 && !p.stepwise && !p.batchMajor[i] && p.steps[i].imageTasks() > 0
}

// batchMajor decides whether node n, reading in and writing out, is
// batch-major: whether its parameters outnumber the activation values it
// reads and writes per image. (A step without parameters never is: a
// squeeze-excitation's gate multiplies a whole feature map, better read
// from the cache its image left it in.)
func batchMajor(n *ir.Node, in []*tensor, out *tensor) bool {
	var params int64
	for _, p := range n.Params {
		params += p.Size()
	}
	acts := int64(out.elems)
	for _, x := range in {
		acts += int64(x.elems)
	}
	return params > acts
}
