package onnx

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// The activations beyond relu and sigmoid fused into epilogues: each is
// exported after a conv (bias, residual, post-affine), a Mul with a
// residual, an Add and a ScaleShift at the opsets where its ONNX form
// changes, validated by onnx.checker, and run in onnxruntime against the
// IR's definition computed here in float64.

// newFusedActs are the activations with a composed or opset-dependent
// ONNX form.
var newFusedActs = []ir.Act{ir.ActSilu, ir.ActHardSwish, ir.ActHardSigmoid, ir.ActRelu6, ir.ActGelu, ir.ActLeakyRelu, ir.ActTanh}

// fusedActSlope is the tests' LeakyRelu slope.
const fusedActSlope = 0.1

// actDef is the activation's definition in float64.
func actDef(a ir.Act, x float64) float64 {
	switch a {
	case ir.ActSilu:
		return x / (1 + math.Exp(-x))
	case ir.ActHardSwish:
		return x * math.Min(math.Max(x+3, 0), 6) / 6
	case ir.ActHardSigmoid:
		return math.Min(math.Max(x+3, 0), 6) / 6
	case ir.ActRelu6:
		return math.Min(math.Max(x, 0), 6)
	case ir.ActGelu:
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	case ir.ActLeakyRelu:
		if x < 0 {
			return fusedActSlope * x
		}
		return x
	case ir.ActTanh:
		return math.Tanh(x)
	}
	panic("no definition for " + a.String())
}

// fusedActGraphs are the four fused nodes with act, each the graph's
// output, and the name of the fused node.
func fusedActGraphs(t *testing.T, act ir.Act) map[string]*ir.Graph {
	gs := map[string]*ir.Graph{
		"f": fusedConv(t, "conv_"+act.String(), true, true, true, act, true),
		"m": mulGraph(t, "mul_"+act.String(), true, true, act, true),
		"a": addGraph(t, "add_"+act.String(), true, 2, act, true),
		"s": scaleShiftGraph(t, "scaleshift_"+act.String(), true, act, true),
	}
	for name, g := range gs {
		for _, n := range g.Nodes {
			if n.Name == name && act == ir.ActLeakyRelu {
				n.Attrs.Alpha = fusedActSlope
			}
		}
	}
	return gs
}

// fusedActOpsets are the opsets around each form's change: HardSwish at
// 14, Gelu at 20.
var fusedActOpsets = []int{MinOpset, 14, DefaultOpset, 20, MaxOpset}

// fusedActCheckedOpset is the newest opset Debian's python3-onnx (1.12)
// checker knows; onnxruntime runs the newer ones.
const fusedActCheckedOpset = 17

// TestFusedActivationsExport checks the nodes each form writes at each
// opset and has onnx.checker validate them up to the newest opset it knows.
func TestFusedActivationsExport(t *testing.T) {
	c := startChecker(t)
	dir := t.TempDir()
	for _, act := range newFusedActs {
		for node, g := range fusedActGraphs(t, act) {
			for _, opset := range fusedActOpsets {
				m, err := ExportModel(g, normalWeights(g, 1), Options{Opset: opset})
				if err != nil {
					t.Fatalf("%s at opset %d: %v", g.Name, opset, err)
				}
				var ops []string
				for _, n := range m.Graph.Node {
					ops = append(ops, n.GetOpType())
				}
				want := map[ir.Act][]string{
					ir.ActSilu: {"Sigmoid", "Mul"}, ir.ActHardSigmoid: {"HardSigmoid"}, ir.ActRelu6: {"Clip"},
					ir.ActLeakyRelu: {"LeakyRelu"}, ir.ActTanh: {"Tanh"},
					ir.ActHardSwish: {"HardSwish"}, ir.ActGelu: {"Gelu"},
				}[act]
				if act == ir.ActHardSwish && opset < 14 {
					want = []string{"HardSigmoid", "Mul"}
				}
				if act == ir.ActGelu && opset < 20 {
					want = []string{"Div", "Erf", "Add", "Mul", "Mul"}
				}
				if tail := ops[len(ops)-len(want):]; !slices.Equal(tail, want) {
					t.Errorf("%s at opset %d ends in %v, want %v", g.Name, opset, tail, want)
				}
				if last := m.Graph.Node[len(m.Graph.Node)-1]; last.GetName() != node || last.GetOutput()[0] != "logits" {
					t.Errorf("%s at opset %d: the last node is %s producing %v", g.Name, opset, last.GetName(), last.GetOutput())
				}
				if opset > fusedActCheckedOpset {
					continue
				}
				if err := c.check(exportFile(t, dir, g, Options{Opset: opset})); err != nil {
					t.Errorf("%s at opset %d: onnx.checker: %v", g.Name, opset, err)
				}
			}
		}
	}
}

// TestOnnxruntimeFusedActivations runs each fused activation's export in
// onnxruntime at each opset against the definition: refEval computes the
// node without its activation (refEpilogue knows relu and sigmoid only),
// actDef applies it.
func TestOnnxruntimeFusedActivations(t *testing.T) {
	for _, act := range newFusedActs {
		for _, g := range fusedActGraphs(t, act) {
			w := normalWeights(g, 3)
			x, shape := randomInput(g, 2, 4)
			ref := refEval(g, w, x, 2)
			for i, v := range ref {
				ref[i] = actDef(act, v)
			}
			for _, opset := range fusedActOpsets {
				t.Run(fmt.Sprintf("%s/opset%d", g.Name, opset), func(t *testing.T) {
					got, _, err := session(t, g, w, Options{Opset: opset}).Run(x, shape)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(ref) {
						t.Fatalf("%d values, want %d", len(got), len(ref))
					}
					for i := range ref {
						if d := math.Abs(float64(got[i]) - ref[i]); d > 1e-4*math.Max(1, math.Abs(ref[i])) {
							t.Fatalf("output %d is %v in onnxruntime, %v by the definition", i, got[i], ref[i])
						}
					}
				})
			}
		}
	}
}
