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
		Params: []*Param{{Name: "bn.weight", Role: RoleGamma, Shape: []int{8}, Trainable: true}, {Name: "bn.bias", Role: RoleBeta, Shape: []int{8}, Trainable: true},
			{Name: "bn.running_mean", Role: RoleMean, Shape: []int{8}}, {Name: "bn.running_var", Role: RoleVar, Shape: []int{8}}}}))
	relu := must(g.Add(&Node{Op: OpRelu, Name: "relu", Inputs: []*Node{bn}}))
	g.Outputs = []Output{{Name: "logits", Node: must(g.Add(&Node{Op: OpAdd, Name: "add", Inputs: []*Node{relu, in}}))}}
	return g
}

func TestVerifyAccepts(t *testing.T) {
	g := small(t)
	if err := g.Verify(); err != nil {
		t.Fatal(err)
	}
	s := g.Stats()
	if s.Trainable != 8*4*9+2*8 || s.Total != s.Trainable+2*8 || s.MACs != 8*10*10*4*9 {
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
		"foreign output":    func(g *Graph) { g.Outputs[0].Node = &Node{ID: 2, Name: "x"} },
		"no output":         func(g *Graph) { g.Outputs = nil },
		"unnamed output":    func(g *Graph) { g.Outputs[0].Name = "" },
		"same output names": func(g *Graph) { g.Outputs = append(g.Outputs, g.Outputs[0]) },
		"bn param shape":    func(g *Graph) { g.Nodes[2].Params[3].Shape = []int{4} },
		"bn param missing":  func(g *Graph) { g.Nodes[2].Params = g.Nodes[2].Params[:3] },
		"bn role twice":     func(g *Graph) { g.Nodes[2].Params[1].Role = RoleGamma },
		"huge stride":       func(g *Graph) { g.Nodes[1].Attrs.Strides = [2]int{1 << 40, 1} },
		"negative pads":     func(g *Graph) { g.Nodes[1].Attrs.Pads = [4]int{-1, 0, 0, 0} },
		"nil input":         func(g *Graph) { g.Nodes[3].Inputs[0] = nil },
		"unknown op":        func(g *Graph) { g.Nodes[3].Op = numOps },
		"rank 0 shape":      func(g *Graph) { g.Nodes[3].Shape = nil; g.Nodes[4].Shape = nil },
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
	want := `graph small naming=torch params=304 total=320 macs=28800
%0 input = Input() : [N,8,10,10]
%1 conv = Conv(%0) out=8 kernel=3x3 pads=1,1,1,1 groups=2 : [N,8,10,10]
    conv.weight [8,4,3,3] kaiming_fan_out
%2 bn = BatchNorm(%1) eps=1e-05 : [N,8,10,10]
    bn.weight [8] kaiming_fan_out
    bn.bias [8] kaiming_fan_out
    bn.running_mean [8] kaiming_fan_out buffer
    bn.running_var [8] kaiming_fan_out buffer
%3 relu = Relu(%2) : [N,8,10,10]
%4 add = Add(%3, %0) : [N,8,10,10]
output logits %4
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
	if len(g.Nodes) != 5 || g.Outputs[0].Node.Inputs[0] != relu {
		t.Fatalf("dropout not bypassed: %d nodes", len(g.Nodes))
	}
	if err := Optimize(g, 1); err != nil || len(g.Nodes) != 5 {
		t.Fatal("second run changed the graph")
	}
}

// TestAddRejects gives Add nodes whose shape rule would divide by zero,
// overflow or index out of range: each must be an error, not a panic.
func TestAddRejects(t *testing.T) {
	conv := func(change func(a *Attrs)) *Node {
		a := Attrs{OutChannels: 8, Kernel: [2]int{3, 3}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: 1}
		change(&a)
		return &Node{Op: OpConv, Name: "c", Attrs: a}
	}
	cases := map[string]struct {
		n    *Node
		want string
	}{
		"group 0":           {conv(func(a *Attrs) { a.Groups = 0 }), "groups"},
		"zero strides":      {conv(func(a *Attrs) { a.Strides = [2]int{0, 0} }), "stride"},
		"zero kernel":       {conv(func(a *Attrs) { a.Kernel = [2]int{0, 3} }), "kernel"},
		"huge dilation":     {conv(func(a *Attrs) { a.Dilations = [2]int{1 << 62, 1} }), "dilation"},
		"huge pads":         {conv(func(a *Attrs) { a.Pads = [4]int{1 << 62, 0, 1 << 62, 0} }), "padding"},
		"output too large":  {conv(func(a *Attrs) { a.Pads = [4]int{1 << 30, 1 << 30, 1 << 30, 1 << 30} }), "too large"},
		"no channels":       {conv(func(a *Attrs) { a.OutChannels = 0 }), "output channels"},
		"unknown op":        {&Node{Op: numOps, Name: "u"}, "unknown op"},
		"nil input":         {&Node{Op: OpRelu, Name: "r", Inputs: []*Node{nil}}, "missing"},
		"subsample stride":  {&Node{Op: OpSubsamplePad, Name: "s", Attrs: Attrs{Strides: [2]int{0, 0}}}, "stride"},
		"negative pad":      {&Node{Op: OpPad, Name: "p", Attrs: Attrs{Pads: [4]int{-3, 0, 0, 0}}}, "padding"},
		"dropout rate":      {&Node{Op: OpDropout, Name: "d", Attrs: Attrs{Rate: 1}}, "rate"},
		"even channel conv": {&Node{Op: OpChannelConv, Name: "e", Attrs: Attrs{Kernel: [2]int{2, 1}}}, "odd"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			g := &Graph{Name: "g"}
			in, err := g.Add(&Node{Op: OpInput, Name: "input", Shape: Shape{Batch, 8, 10, 10}})
			if err != nil {
				t.Fatal(err)
			}
			if c.n.Inputs == nil && c.n.Op != OpInput {
				c.n.Inputs = []*Node{in}
			}
			_, err = g.Add(c.n)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Add: error %v, want one mentioning %q", err, c.want)
			}
		})
	}
	for _, s := range []Shape{{Batch, 3, 1 << 31, 1}, {Batch, 1 << 20, 1 << 20, 1 << 20}, {Batch, 3, 0, 4}, {}, {0, 3, 4, 4}} {
		g := &Graph{Name: "g"}
		if _, err := g.Add(&Node{Op: OpInput, Name: "input", Shape: s}); err == nil {
			t.Errorf("input of shape %v accepted", s)
		}
	}
}
