package ir_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
)

// TestPassCases runs each pass on its small graphs: it must rewrite
// where the case says it fires, leave the graph alone where it must not,
// and leave a valid graph of the expected shape.
func TestPassCases(t *testing.T) {
	for _, c := range irtest.Cases {
		t.Run(c.Pass+"/"+c.Name, func(t *testing.T) {
			g := c.Build()
			for _, name := range c.Before {
				apply(t, g, name)
			}
			before := dump(g)
			n := apply(t, g, c.Pass)
			if got := irtest.Signature(g); got != c.Want {
				t.Errorf("after %s:\n got %s\nwant %s", c.Pass, got, c.Want)
			}
			if c.Fires != (n > 0) {
				t.Errorf("%s made %d rewrites; fires=%v", c.Pass, n, c.Fires)
			}
			if !c.Fires && dump(g) != before {
				t.Errorf("%s changed a graph it must not:\n%s", c.Pass, dump(g))
			}
			// A pass applied twice finds nothing more to do.
			if again := apply(t, g, c.Pass); again != 0 {
				t.Errorf("%s made %d more rewrites the second time", c.Pass, again)
			}
		})
	}
}

// TestEveryPassHasCases keeps the case table in step with the pipeline.
func TestEveryPassHasCases(t *testing.T) {
	fires, holds := map[string]bool{}, map[string]bool{}
	for _, c := range irtest.Cases {
		if c.Fires {
			fires[c.Pass] = true
		} else {
			holds[c.Pass] = true
		}
	}
	for _, p := range ir.Passes {
		// lower-batchnorm rewrites every batch norm: a graph without one
		// is its only case for not firing, and says nothing.
		if !fires[p.Name] || !holds[p.Name] && p.Name != "lower-batchnorm" {
			t.Errorf("pass %s needs a case where it fires and one where it must not", p.Name)
		}
	}
}

func apply(t *testing.T, g *ir.Graph, name string) int {
	t.Helper()
	p, ok := ir.LookupPass(name)
	if !ok {
		t.Fatalf("no pass %s", name)
	}
	n, err := p.Apply(g)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func dump(g *ir.Graph) string {
	var b bytes.Buffer
	g.Dump(&b)
	return b.String()
}

// TestPipelineChecks covers the pass manager: the table's constraints,
// unknown and required names, and a panicking pass.
func TestPipelineChecks(t *testing.T) {
	g := irtest.Cases[0].Build()
	for _, o := range []ir.Options{
		{Level: 2, Disable: []string{"fold-bn"}},
		{Level: 2, Disable: []string{"dead-nodes"}},
		{Level: 3},
		{Level: 2, PrintAfter: "nope"},
	} {
		if err := ir.RunPipeline(g, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	bad := []ir.Pass{{Name: "b", After: []string{"a"}}, {Name: "a"}}
	if err := ir.CheckPasses(bad); err == nil || !strings.Contains(err.Error(), "must run after a") {
		t.Errorf("out-of-order table: %v", err)
	}
	boom := ir.Pass{Name: "boom", Run: func(*ir.Graph) int { panic("oops") }}
	if _, err := boom.Apply(g); err == nil || !strings.Contains(err.Error(), "internal error in pass boom") {
		t.Errorf("panicking pass: %v", err)
	}
	broken := ir.Pass{Name: "broken", Run: func(g *ir.Graph) int { g.Nodes[1].Shape = ir.Shape{1}; return 1 }}
	if _, err := broken.Apply(irtest.Cases[0].Build()); err == nil || !strings.Contains(err.Error(), "pass broken left an invalid graph") {
		t.Errorf("pass breaking the graph: %v", err)
	}
}

// TestPrintAfterAndTimings checks what the CLI's --print-after and
// --time-passes report.
func TestPrintAfterAndTimings(t *testing.T) {
	g := irtest.Cases[0].Build()
	var out bytes.Buffer
	var timings []ir.Timing
	if err := ir.RunPipeline(g, ir.Options{Level: 2, PrintAfter: "all", Print: &out, Timings: &timings}); err != nil {
		t.Fatal(err)
	}
	if len(timings) != len(ir.Passes) || timings[0].Pass != "dead-nodes" || timings[0].Rewrites != 2 {
		t.Errorf("timings %+v", timings)
	}
	if got := strings.Count(out.String(), "# after "); got != len(ir.Passes) {
		t.Errorf("%d reports for %d passes", got, len(ir.Passes))
	}
	if got := strings.Count(out.String(), "\ngraph "); got != 1 {
		t.Errorf("%d dumps; want one, after the one pass that changed the graph", got)
	}
}

// TestRandomGraphs runs the -O2 pipeline with the verifier after every
// pass on random networks, twice: the second run must find nothing.
func TestRandomGraphs(t *testing.T) {
	for seed := range uint64(300) {
		g := irtest.Random(seed)
		if err := ir.RunPipeline(g, ir.Options{Level: ir.MaxLevel, VerifyEach: true}); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		once := dump(g)
		if err := ir.RunPipeline(g, ir.Options{Level: ir.MaxLevel, VerifyEach: true}); err != nil {
			t.Fatalf("seed %d, second run: %v", seed, err)
		}
		if dump(g) != once {
			t.Fatalf("seed %d: a second run changed the graph:\n%s\nthen\n%s", seed, once, dump(g))
		}
	}
}
