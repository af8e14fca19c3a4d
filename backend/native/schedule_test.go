package native

import (
	"slices"
	"testing"
)

// TestScheduleMatchesStepwise: running images apart (schedule.go) computes
// bit for bit what running every step over the whole batch does, for
// models with every kind of step (depthwise, squeeze-excitation, split
// attention, Res2Net's slices and concatenations, LayerNorm, the FPN's
// upsampling and several outputs), on one thread and several, with the
// batch-major steps as planned and with none (every step that may run
// image by image does); and every step keeps imageTasks' promise that a
// batch has batch·imageTasks tasks.
func TestScheduleMatchesStepwise(t *testing.T) {
	models := []struct {
		name string
		args map[string]string
	}{
		{"cifar_resnet20", nil},
		{"mobilenet_v3_small", map[string]string{"size": "40"}},
		{"res2next50", map[string]string{"size": "40"}},
		{"resnest14d", map[string]string{"size": "40"}},
		{"convnext_tiny", map[string]string{"size": "40"}},
		{"resnet50_fpn_backbone", map[string]string{"size": "64"}},
	}
	if testing.Short() {
		models = models[:3]
	}
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			g := build(t, m.name, m.args)
			w := testWeights(g, 7)
			const batch = 3
			x := randomInput(g, batch, 8)
			want := runModel(t, g, w, Options{Threads: 1, stepwise: true}, x, batch)
			for _, threads := range []int{1, 2, 3} {
				p, err := Compile(g, w, Options{Threads: threads})
				if err != nil {
					t.Fatal(err)
				}
				checkImageTasks(t, p)
				for _, planned := range []bool{true, false} {
					if !planned {
						clear(p.batchMajor)
					}
					if got := runProgram(t, p, x, batch); !slices.Equal(got, want) {
						t.Errorf("%d threads, batch-major steps planned %v: differs from step by step by %g", threads, planned, maxDiff(got, want))
					}
				}
			}
		})
	}
}

// checkImageTasks checks that every step of p that lets images run apart
// has batch·imageTasks tasks for a few batches.
func checkImageTasks(t *testing.T, p *Program) {
	t.Helper()
	for i, s := range p.steps {
		n := s.imageTasks()
		if n < 0 {
			t.Errorf("step %s: imageTasks %d", p.info[i].node, n)
		}
		if n == 0 {
			continue
		}
		for _, batch := range []int{1, 2, 5} {
			if got := s.tasks(&execCtx{batch: batch}); got != batch*n {
				t.Errorf("step %s (%T): %d tasks at batch %d, want %d·%d", p.info[i].node, s, got, batch, batch, n)
			}
		}
	}
}

// runProgram runs p on batch images of x and returns every output, one
// after the other.
func runProgram(t *testing.T, p *Program, x []float32, batch int) []float32 {
	t.Helper()
	outs := make([][]float32, len(p.outputs))
	for i, o := range p.outputs {
		outs[i] = make([]float32, batch*o.Elems)
	}
	if err := p.RunOutputs(x, batch, outs); err != nil {
		t.Fatal(err)
	}
	return slices.Concat(outs...)
}
