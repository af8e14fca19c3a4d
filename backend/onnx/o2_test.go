package onnx

import (
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// TestO2ResnetExport pins what -O2 does to resnet50's ONNX file: no
// BatchNormalization is left (each is folded into its conv), and the node
// count drops from 175 to 122: 53 Conv, 49 Relu and 16 Add remain, since
// standard ONNX has no conv with a fused activation or residual and the
// epilogues are written back out as Add and Relu nodes. The IR itself
// goes from 176 nodes to 58, under a third.
func TestO2ResnetExport(t *testing.T) {
	counts := map[int]map[string]int{}
	nodes := map[int]int{}
	irNodes := map[int]int{}
	for _, level := range []int{0, 2} {
		g := build(t, "resnet50", nil)
		if err := ir.Optimize(g, level); err != nil {
			t.Fatal(err)
		}
		irNodes[level] = len(g.Nodes)
		m, err := ExportModel(g, weights.Init(g, 1), Options{})
		if err != nil {
			t.Fatal(err)
		}
		counts[level] = map[string]int{}
		for _, n := range m.Graph.Node {
			counts[level][n.GetOpType()]++
		}
		nodes[level] = len(m.Graph.Node)
	}
	if n := counts[2]["BatchNormalization"]; n != 0 || counts[0]["BatchNormalization"] != 53 {
		t.Errorf("BatchNormalization: %d at -O0, %d at -O2", counts[0]["BatchNormalization"], n)
	}
	if nodes[0] != 175 || nodes[2] != 122 {
		t.Errorf("ONNX nodes: %d at -O0, %d at -O2; want 175 and 122", nodes[0], nodes[2])
	}
	if irNodes[2]*100 > irNodes[0]*60 {
		t.Errorf("IR nodes: %d at -O2 is more than 60%% of -O0's %d", irNodes[2], irNodes[0])
	}
	for _, op := range []string{"Conv", "Relu", "Add", "Gemm"} {
		if counts[0][op] != counts[2][op] {
			t.Errorf("%s: %d at -O0, %d at -O2", op, counts[0][op], counts[2][op])
		}
	}
}
