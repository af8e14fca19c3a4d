package native

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// withISA runs f as a subtest with each instruction set the package has
// kernels for as the active one. A set this CPU (or the purego build)
// lacks is a skipped subtest that says so, and one line says which sets
// were tested and which were not: never a silent skip.
func withISA(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := active
	defer func() { active = saved }()
	var tested, untested []string
	for _, name := range knownISAs {
		i := slices.IndexFunc(machineISAs, func(s isa) bool { return s.name == name })
		if i < 0 {
			untested = append(untested, name)
			t.Run(name, func(t *testing.T) { t.Skipf("this CPU or build has no %s kernels", name) })
			continue
		}
		tested = append(tested, name)
		active = &machineISAs[i]
		t.Run(name, f)
	}
	t.Logf("instruction sets tested: %s; not tested (not on this CPU or build): %s",
		strings.Join(tested, ", "), cmpOr(strings.Join(untested, ", "), "none"))
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// TestISAs checks the dispatch: the fast path uses the first (fastest)
// set the CPU has, every set is a known one, the pure-Go set is last, and
// each micro-kernel's tile fits the blocking (mcMax a multiple of mr).
func TestISAs(t *testing.T) {
	if active != &machineISAs[0] {
		t.Errorf("active is %s, want the fastest set, %s", active.name, machineISAs[0].name)
	}
	if last := machineISAs[len(machineISAs)-1]; last.name != "go" {
		t.Errorf("the last set is %s, want go", last.name)
	}
	for _, s := range machineISAs {
		if !slices.Contains(knownISAs, s.name) {
			t.Errorf("%s is not in knownISAs", s.name)
		}
		if k := s.gemm; k.mr < 1 || k.nr < 1 || mcMax%k.mr != 0 || k.f == nil {
			t.Errorf("%s: a %d×%d tile (mcMax %d)", s.name, k.mr, k.nr, mcMax)
		}
	}
	var names []string
	for _, s := range machineISAs {
		names = append(names, s.name)
	}
	t.Logf("this machine's instruction sets: %s; active: %s", strings.Join(names, ", "), active.name)
}

// TestEveryISAMatchesReference runs whole optimised models (fused
// epilogues, grouped convolutions, odd pixel counts) on each instruction
// set's kernels against the reference kernels.
func TestEveryISAMatchesReference(t *testing.T) {
	type model struct {
		name string
		args map[string]string
	}
	models := []model{{"cifar_resnet20", nil}, {"resnext50_32x4d", map[string]string{"size": "40"}}}
	type built struct {
		g   *ir.Graph
		ref []float32
		x   []float32
	}
	var cases []built
	for _, m := range models {
		g := build(t, m.name, m.args)
		if err := ir.Optimize(g, ir.MaxLevel); err != nil {
			t.Fatal(err)
		}
		w := testWeights(g, 1)
		x := randomInput(g, 2, 3)
		cases = append(cases, built{g, runModel(t, g, w, Options{Threads: 2, reference: true}, x, 2), x})
	}
	withISA(t, func(t *testing.T) {
		for _, c := range cases {
			got := runModel(t, c.g, testWeights(c.g, 1), Options{Threads: 2}, c.x, 2)
			if d, m := maxDiff(got, c.ref), maxAbs(c.ref); d > 1e-4*m+1e-5 {
				t.Errorf("%s: max |fast-ref| = %g, max |ref| = %g", c.g.Name, d, m)
			}
		}
	})
}

// panicStep panics in one of its tasks, eight an image.
type panicStep struct{ at int }

func (s panicStep) tasks(c *execCtx) int { return 8 * c.batch }

func (s panicStep) imageTasks() int { return 8 }

func (s panicStep) run(_ *execCtx, _, task int) {
	if task == s.at {
		panic("boom")
	}
}

// TestRunReturnsPanics: a task that panics, on the caller's goroutine or
// a helper's, makes Run return a *PanicError naming the node instead of
// crashing the process, and the Program runs correctly afterwards: at
// batch 1, step by step, and at batch 3, where images run through the
// steps apart (a whole image per worker, and step by step for those left
// over), the panicking image being any of them.
func TestRunReturnsPanics(t *testing.T) {
	g := build(t, "cifar_resnet20", nil)
	w := testWeights(g, 1)
	x := randomInput(g, 3, 1)
	for _, threads := range []int{1, 2, 4} {
		p, err := Compile(g, w, Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int{1, 3} {
			x := x[:batch*p.inElems]
			want := make([]float32, batch*p.outElems)
			if err := p.Run(x, batch, want); err != nil {
				t.Fatal(err)
			}
			const victim = 3
			saved := p.steps[victim]
			for at := range 8 * batch {
				if batch > 1 && at%8 != 0 && at%8 != 7 {
					continue
				}
				p.steps[victim] = panicStep{at}
				out := make([]float32, batch*p.outElems)
				err := p.Run(x, batch, out)
				var pe *PanicError
				if !errors.As(err, &pe) || pe.Value != "boom" || pe.Step != p.info[victim].node || len(pe.Stack) == 0 {
					t.Fatalf("threads %d, batch %d, task %d panics: Run returned %v, want a PanicError for %s", threads, batch, at, err, p.info[victim].node)
				}
			}
			p.steps[victim] = saved
			got := make([]float32, batch*p.outElems)
			if err := p.Run(x, batch, got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("threads %d, batch %d: the outputs after a panic differ from those before", threads, batch)
			}
		}
	}
}
