package ir

import (
	"bytes"
	"strings"
	"testing"
)

// small builds input → conv → bn → relu → add(relu, input) for the tests.
func small(t *testing.T) *Graph {
	t.Helper()
	g := &Graph{Name: "small", Naming: "torch"}
	must := func(n *Node, err error) *Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	in := must(g.Add(&Node{Op: OpInput, Name: "input", Shape: Shape{Batch, 8, 10, 10}}))
	conv := must(g.Add(&Node{Op: OpConv, Name: "conv", Inputs: []*Node{in}, Attrs: Attrs{OutChannels: 8, Kernel: [2]int{3, 3},
		Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Pads: [4]int{1, 1, 1, 1}, Groups: 2},
		Params: []*Param{{Name: "conv.weight", Shape: []int{8, 4, 3, 3}, Trainable: true}}}))
	bn := must(g.Add(&Node{Op: OpBatchNorm, Name: "bn", Inputs: []*Node{conv}, Attrs: Attrs{Epsilon: 1e-5, Scale: true, Center: true},
		Params: []*Param{{Name: "bn.weight", Shape: []int{8}, Trainable: true}, {Name: "bn.running_mean", Shape: []int{8}}}}))
	relu := must(g.Add(&Node{Op: OpRelu, Name: "relu", Inputs: []*Node{bn}}))
	g.Output = must(g.Add(&Node{Op: OpAdd, Name: "add", Inputs: []*Node{relu, in}}))
	return g
}

func TestVerifyAccepts(t *testing.T) {
	g := small(t)
	if err := g.Verify(); err != nil {
		t.Fatal(err)
	}
	s := g.Stats()
	if s.Trainable != 8*4*9+8 || s.Total != s.Trainable+8 || s.MACs != 8*10*10*4*9 {
		t.Fatalf("stats %+v", s)
	}
}

// TestVerifyRejects breaks one invariant at a time; the verifier must
// notice each.
func TestVerifyRejects(t *testing.T) {
	cases := map[string]func(g *Graph){
		"wrong shape":       func(g *Graph) { g.Nodes[1].Shape = Shape{Batch, 8, 9, 10} },
		"duplicate name":    func(g *Graph) { g.Nodes[2].Name = "conv" },
		"duplicate param":   func(g *Graph) { g.Nodes[2].Params[0].Name = "conv.weight" },
		"forward reference": func(g *Graph) { g.Nodes[1].Inputs[0] = g.Nodes[3] },
		"bad id":            func(g *Graph) { g.Nodes[2].ID = 7 },
		"arity":             func(g *Graph) { g.Nodes[4].Inputs = g.Nodes[4].Inputs[:1] },
		"zero stride":       func(g *Graph) { g.Nodes[1].Attrs.Strides = [2]int{0, 1} },
		"bad groups":        func(g *Graph) { g.Nodes[1].Attrs.Groups = 3 },
		"zero epsilon":      func(g *Graph) { g.Nodes[2].Attrs.Epsilon = 0 },
		"foreign output":    func(g *Graph) { g.Output = &Node{ID: 2, Name: "x"} },
		"no output":         func(g *Graph) { g.Output = nil },
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			g := small(t)
			breakIt(g)
			if err := g.Verify(); err == nil {
				t.Fatal("verifier accepted a broken graph")
			}
		})
	}
}

func TestOutSize(t *testing.T) {
	cases := []struct {
		in, k, s, pb, pa, d int
		ceil                bool
		want                int
	}{
		{224, 7, 2, 3, 3, 1, false, 112},
		{112, 3, 2, 1, 1, 1, false, 56},
		{112, 3, 2, 0, 0, 1, true, 56}, // Caffe SENet stem pool: ceil, no padding
		{113, 3, 2, 0, 0, 1, false, 56},
		{113, 3, 2, 0, 0, 1, true, 56},
		{7, 2, 2, 0, 0, 1, true, 4}, // ResNet-D avg pool on an odd map
		{6, 1, 2, 0, 0, 1, false, 3},
		{28, 3, 1, 2, 2, 2, false, 28}, // dilated 3x3
		{5, 2, 2, 0, 0, 1, true, 3},
		{4, 3, 2, 1, 1, 1, true, 3},
		{5, 2, 2, 1, 1, 1, true, 3}, // a fourth window would start in the end padding
	}
	for _, c := range cases {
		if got := outSize(c.in, c.k, c.s, c.pb, c.pa, c.d, c.ceil); got != c.want {
			t.Errorf("outSize(%+v) = %d, want %d", c, got, c.want)
		}
	}
}

func TestShapeErrors(t *testing.T) {
	g := &Graph{Name: "g"}
	in, _ := g.Add(&Node{Op: OpInput, Name: "input", Shape: Shape{Batch, 3, 4, 4}})
	_, err := g.Add(&Node{Op: OpConv, Name: "c", Inputs: []*Node{in}, Attrs: Attrs{OutChannels: 4, Kernel: [2]int{7, 7},
		Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: 1}})
	if err == nil || !strings.Contains(err.Error(), "larger than its padded input 4x4") {
		t.Fatalf("got %v", err)
	}
	_, err = g.Add(&Node{Op: OpGemm, Name: "fc", Inputs: []*Node{in}, Attrs: Attrs{OutChannels: 2}})
	if err == nil || !strings.Contains(err.Error(), "flatten first") {
		t.Fatalf("got %v", err)
	}
	_, err = g.Add(&Node{Op: OpAdd, Name: "a", Inputs: []*Node{in}})
	if err == nil {
		t.Fatal("add with one input accepted")
	}
}

func TestDump(t *testing.T) {
	var b bytes.Buffer
	small(t).Dump(&b)
	want := `graph small naming=torch params=296 total=304 macs=28800
%0 input = Input() : [N,8,10,10]
%1 conv = Conv(%0) out=8 kernel=3x3 pads=1,1,1,1 groups=2 : [N,8,10,10]
    conv.weight [8,4,3,3] kaiming_fan_out
%2 bn = BatchNorm(%1) eps=1e-05 : [N,8,10,10]
    bn.weight [8] kaiming_fan_out
    bn.running_mean [8] kaiming_fan_out buffer
%3 relu = Relu(%2) : [N,8,10,10]
%4 add = Add(%3, %0) : [N,8,10,10]
output %4
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestOpTable(t *testing.T) {
	seen := map[string]bool{}
	for _, op := range Ops() {
		info := op.Info()
		if info.Name == "" || info.Shape == nil {
			t.Errorf("op %d has no name or shape rule", op)
		}
		if seen[info.Name] {
			t.Errorf("op name %s twice", info.Name)
		}
		seen[info.Name] = true
	}
}

func TestDropDropout(t *testing.T) {
	g := small(t)
	relu := g.Nodes[3]
	d, err := g.Add(&Node{Op: OpDropout, Name: "drop", Inputs: []*Node{relu}, Attrs: Attrs{Rate: 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	g.Nodes[4].Inputs[0] = d // add reads the dropout: out of order on purpose, then fixed below
	g.Nodes[4], g.Nodes[5] = g.Nodes[5], g.Nodes[4]
	g.Nodes[4].ID, g.Nodes[5].ID = 4, 5
	if err := g.Verify(); err != nil {
		t.Fatal(err)
	}
	if err := Optimize(g, 0); err != nil || len(g.Nodes) != 6 {
		t.Fatalf("-O0 changed the graph: %v, %d nodes", err, len(g.Nodes))
	}
	if err := Optimize(g, 1); err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) != 5 || g.Output.Inputs[0] != relu {
		t.Fatalf("dropout not bypassed: %d nodes", len(g.Nodes))
	}
	if err := Optimize(g, 1); err != nil || len(g.Nodes) != 5 {
		t.Fatal("second run changed the graph")
	}
}
