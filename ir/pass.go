package ir

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// A Pass rewrites a graph in place, keeping what it computes. Passes
// record how new parameter values follow from old ones (Param.Derived)
// rather than computing them, so the pipeline needs no weights.
type Pass struct {
	Name string
	// Level is the lowest -O level that runs the pass.
	Level int
	// Required passes run at every level and cannot be disabled: later
	// passes or the backends rely on what they establish.
	Required bool
	// After names passes that must come earlier in the table: the
	// patterns this pass looks for appear only once they have run.
	After []string
	Doc   string
	// Run applies the pass and returns how many rewrites it made.
	Run func(g *Graph) int
}

// MaxLevel is the highest optimisation level.
const MaxLevel = 2

// Passes is the pipeline, in order. CheckPasses validates it at start-up.
var Passes = []Pass{
	{Name: "dead-nodes", Level: 0, Required: true, Run: deadNodes,
		Doc: "remove nodes the output does not depend on"},
	{Name: "drop-identity", Level: 1, After: []string{"dead-nodes"}, Run: dropIdentity,
		Doc: "remove nodes that compute the identity: Dropout, zero Pad, 1x1 stride-1 pools, Flatten of [N,C]"},
	{Name: "merge-paths", Level: 2, After: []string{"drop-identity"}, Run: mergePaths,
		Doc: "merge N identical parallel paths that are summed (cardinality written out) into one path with grouped convs"},
	{Name: "lower-batchnorm", Level: 2, After: []string{"merge-paths"}, Run: lowerBatchNorm,
		Doc: "turn inference batch norm into a per-channel ScaleShift: scale = gamma/sqrt(var+eps), shift = beta - mean*scale; a layer scale of a conv read by nothing else into scale = gamma, shift = 0"},
	{Name: "fold-constants", Level: 2, After: []string{"lower-batchnorm"}, Run: foldConstants,
		Doc: "compose consecutive ScaleShifts into one"},
	{Name: "fold-scale-shift", Level: 2, After: []string{"fold-constants"}, Run: foldScaleShift,
		Doc: "fold a ScaleShift into the weights and bias of the conv before it, or of an unpadded conv after it"},
	// After fold-scale-shift: folding a batch norm forward into an
	// unpadded conv can leave a Pad right before the conv, and a pad
	// folded first would keep the batch norm out.
	{Name: "fold-pad", Level: 1, After: []string{"drop-identity"}, Run: foldPad,
		Doc: "merge zero padding into the following Pad, conv or average pool (max pool when its input is non-negative)"},
	{Name: "fuse-residual", Level: 2, After: []string{"fold-scale-shift"}, Run: fuseResidual,
		Doc: "fuse a residual Add into the conv (or SE Mul) producing one of its operands, the other read as an accumulation input"},
	{Name: "fuse-scale-shift", Level: 2, After: []string{"fuse-residual"}, Run: fusePostAffine,
		Doc: "fuse a ScaleShift (a pre-activation batch norm) into the epilogue of the fused conv before it"},
	{Name: "fuse-activation", Level: 2, After: []string{"fuse-scale-shift"}, Run: fuseActivation,
		Doc: "fuse an elementwise activation (relu, sigmoid, silu, hardswish, hardsigmoid, relu6, gelu, leaky_relu, tanh) into the epilogue of the conv, ScaleShift, Mul or Add before it"},
}

func init() {
	if err := CheckPasses(Passes); err != nil {
		panic(err)
	}
}

// CheckPasses checks the table: names unique, every After constraint
// naming a pass earlier in the table, required passes at level 0.
func CheckPasses(ps []Pass) error {
	index := map[string]int{}
	for i, p := range ps {
		if _, dup := index[p.Name]; dup || p.Name == "" {
			return fmt.Errorf("pass table: name %q empty or repeated", p.Name)
		}
		if p.Required && p.Level != 0 {
			return fmt.Errorf("pass table: required pass %s must run at level 0", p.Name)
		}
		if p.Level < 0 || p.Level > MaxLevel {
			return fmt.Errorf("pass table: pass %s has level %d", p.Name, p.Level)
		}
		for _, a := range p.After {
			j, ok := index[a]
			if !ok {
				return fmt.Errorf("pass table: %s must run after %s, which is not earlier in the table", p.Name, a)
			}
			if ps[j].Level > p.Level {
				return fmt.Errorf("pass table: %s (level %d) runs after %s, which only runs from level %d", p.Name, p.Level, a, ps[j].Level)
			}
		}
		index[p.Name] = i
	}
	return nil
}

// LookupPass returns the pass named name.
func LookupPass(name string) (*Pass, bool) {
	for i := range Passes {
		if Passes[i].Name == name {
			return &Passes[i], true
		}
	}
	return nil, false
}

// PassNames lists the passes' names in pipeline order.
func PassNames() []string {
	names := make([]string, len(Passes))
	for i, p := range Passes {
		names[i] = p.Name
	}
	return names
}

// Options configure a pipeline run.
type Options struct {
	Level   int
	Disable []string // names of passes to skip; required ones may not be
	// VerifyEach runs the verifier after every pass, not only at the end.
	VerifyEach bool
	// PrintAfter dumps the graph to Print after the named pass, or after
	// every pass that runs for "all".
	PrintAfter string
	Print      io.Writer
	// Timings, when set, receives each pass's time and rewrite count.
	Timings *[]Timing
}

// A Timing is what one pass did in a run.
type Timing struct {
	Pass     string
	Elapsed  time.Duration
	Rewrites int
}

// Optimize runs the passes of level and below, verifying after each.
func Optimize(g *Graph, level int) error {
	return RunPipeline(g, Options{Level: level, VerifyEach: true})
}

// RunPipeline runs the passes opts selects, in table order. The graph is
// verified at the end, and after every pass with VerifyEach (which tests
// set, as Optimize does, so that each pass is checked). A panic inside a
// pass becomes an internal error naming it.
func RunPipeline(g *Graph, opts Options) error {
	if opts.Level < 0 || opts.Level > MaxLevel {
		return fmt.Errorf("optimisation level %d: the levels are 0 to %d", opts.Level, MaxLevel)
	}
	for _, name := range opts.Disable {
		p, ok := LookupPass(name)
		if !ok {
			return fmt.Errorf("no pass named %q (the passes: %s)", name, strings.Join(PassNames(), ", "))
		}
		if p.Required {
			return fmt.Errorf("pass %s is required and cannot be disabled", name)
		}
	}
	if a := opts.PrintAfter; a != "" && a != "all" {
		if _, ok := LookupPass(a); !ok {
			return fmt.Errorf("no pass named %q (the passes: %s)", a, strings.Join(PassNames(), ", "))
		}
	}
	for _, p := range Passes {
		if p.Level > opts.Level && !p.Required || slices.Contains(opts.Disable, p.Name) {
			continue
		}
		start := time.Now()
		n, err := runPass(g, p, opts.VerifyEach)
		if err != nil {
			return err
		}
		if opts.Timings != nil {
			*opts.Timings = append(*opts.Timings, Timing{Pass: p.Name, Elapsed: time.Since(start), Rewrites: n})
		}
		if opts.Print != nil && (opts.PrintAfter == "all" || opts.PrintAfter == p.Name) {
			if n == 0 && opts.PrintAfter == "all" {
				fmt.Fprintf(opts.Print, "# after %s: no change\n", p.Name)
				continue
			}
			fmt.Fprintf(opts.Print, "# after %s (%d rewrites)\n", p.Name, n)
			g.Dump(opts.Print)
		}
	}
	if err := g.Verify(); err != nil {
		return fmt.Errorf("internal error: the optimised graph is invalid: %v", err)
	}
	return nil
}

// Apply runs the pass alone on g, verifying the result, and returns its
// rewrite count; tests use it to check each pass in isolation.
func (p *Pass) Apply(g *Graph) (int, error) { return runPass(g, *p, true) }

func runPass(g *Graph, p Pass, verify bool) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in pass %s: %v", p.Name, r)
		}
	}()
	n = p.Run(g)
	if verify {
		if verr := g.Verify(); verr != nil {
			return n, fmt.Errorf("internal error: pass %s left an invalid graph: %v", p.Name, verr)
		}
	}
	return n, nil
}
