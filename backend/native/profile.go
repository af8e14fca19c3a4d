package native

import (
	"fmt"
	"strings"
	"time"

	"github.com/resc-dev/resc/ir"
)

// A StepProfile is one step of a Program — one node of the graph it
// compiled, with whatever was fused into it — and the time it took over
// the runs of RunProfiled.
type StepProfile struct {
	Node string        // the node's name
	Op   string        // the operation as run: "Conv 3x3/2 g32 +res relu"
	MACs int64         // multiply-accumulates per image
	Time time.Duration // summed over the profiled runs
	Runs int           // profiled runs (of any batch) counted in Time
}

// stepInfo is what a Program knows of each step's node, for errors and
// profiles.
type stepInfo struct {
	node, op string
	macs     int64
}

func newStepInfo(n *ir.Node) stepInfo {
	a := &n.Attrs
	var b strings.Builder
	b.WriteString(n.Op.String())
	switch n.Op {
	case ir.OpConv, ir.OpMaxPool, ir.OpAvgPool:
		fmt.Fprintf(&b, " %dx%d", a.Kernel[0], a.Kernel[1])
		if a.Strides[0] > 1 || a.Strides[1] > 1 {
			fmt.Fprintf(&b, "/%d", max(a.Strides[0], a.Strides[1]))
		}
		if a.Groups > 1 {
			fmt.Fprintf(&b, " g%d", a.Groups)
		}
	}
	if a.Residual {
		b.WriteString(" +res")
	}
	if a.PostAffine {
		b.WriteString(" +affine")
	}
	if a.Act != ir.ActNone && n.Op != ir.OpRelu && n.Op != ir.OpSigmoid {
		b.WriteString(" " + a.Act.String())
	}
	return stepInfo{node: n.Name, op: b.String(), macs: n.MACs()}
}

// Profile is the Program's steps, in the order they run, with no time yet:
// the profile that RunProfiled adds to.
func (p *Program) Profile() []StepProfile {
	prof := make([]StepProfile, len(p.steps))
	for i, s := range p.info {
		prof[i] = StepProfile{Node: s.node, Op: s.op, MACs: s.macs}
	}
	return prof
}

// RunProfiled is RunOutputs, timing each step: it adds each step's wall
// time to prof[i].Time (prof is from Profile) and counts the run. Where
// a batch runs image by image (schedule.go), a step's time is the
// caller's time on it, the other threads running it on other images
// meanwhile. Timing
// costs a clock read per step, so Run stays the way to measure the whole.
func (p *Program) RunProfiled(input []float32, batch int, outputs [][]float32, prof []StepProfile) error {
	if len(prof) != len(p.steps) {
		return fmt.Errorf("native: a profile of %d steps for a program of %d", len(prof), len(p.steps))
	}
	if err := p.checkRun(input, batch, outputs); err != nil {
		return err
	}
	c := p.get(batch)
	c.inputs[0] = input
	err := p.runTimed(c, prof)
	if err == nil {
		p.copyOutputs(c, outputs)
		for i := range prof {
			prof[i].Runs++
		}
	}
	clear(c.inputs)
	p.put(c)
	return err
}
