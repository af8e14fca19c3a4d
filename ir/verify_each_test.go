package ir_test

import (
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
)

// VerifyEach is what checks every pass: a pass that breaks the graph and a
// later one that repairs it go unnoticed without it, and are caught with
// it, naming the pass. Nothing else (being inside a test) turns it on.
func TestVerifyEachIsExplicit(t *testing.T) {
	saved := ir.Passes
	t.Cleanup(func() { ir.Passes = saved })
	var shape ir.Shape
	ir.Passes = []ir.Pass{
		{Name: "breaks", Required: true, Run: func(g *ir.Graph) int {
			shape = g.Nodes[1].Shape
			g.Nodes[1].Shape = ir.Shape{1}
			return 1
		}},
		{Name: "repairs", Required: true, Run: func(g *ir.Graph) int { g.Nodes[1].Shape = shape; return 1 }},
	}
	if err := ir.RunPipeline(irtest.Cases[0].Build(), ir.Options{}); err != nil {
		t.Errorf("without VerifyEach: %v", err)
	}
	err := ir.RunPipeline(irtest.Cases[0].Build(), ir.Options{VerifyEach: true})
	if err == nil || !strings.Contains(err.Error(), "pass breaks left an invalid graph") {
		t.Errorf("with VerifyEach: %v", err)
	}
}
