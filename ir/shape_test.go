package ir

import (
	"math"
	"strings"
	"testing"
)

// TestAddRejectsAttributesOutOfRange checks that the shape rules validate
// attributes before any arithmetic: a zero stride must not divide by zero,
// a huge dilation or padding must not overflow, and a dimension past
// MaxDim is an error.
func TestAddRejectsAttributesOutOfRange(t *testing.T) {
	conv := func(mod func(a *Attrs)) *Node {
		a := Attrs{OutChannels: 8, Kernel: [2]int{3, 3}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: 1}
		mod(&a)
		return &Node{Op: OpConv, Name: "conv", Attrs: a}
	}
	huge := 1 << 62
	cases := []struct {
		name string
		n    *Node
		want string
	}{
		{"zero stride", conv(func(a *Attrs) { a.Strides = [2]int{0, 0} }), "conv stride 0 is out of range"},
		{"one-sided stride", conv(func(a *Attrs) { a.Strides[1] = 0 }), "conv stride 0"},
		{"zero groups", conv(func(a *Attrs) { a.Groups = 0 }), "conv groups 0 is out of range"},
		{"zero kernel", conv(func(a *Attrs) { a.Kernel = [2]int{0, 0} }), "conv kernel 0"},
		{"huge dilation", conv(func(a *Attrs) { a.Dilations = [2]int{huge, huge} }), "conv dilation 4611686018427387904 is out of range (1 to 2147483647)"},
		{"huge pad", conv(func(a *Attrs) { a.Pads = [4]int{huge, huge, huge, huge} }), "conv padding 4611686018427387904"},
		{"negative pad", conv(func(a *Attrs) { a.Pads[0] = -2 }), "conv padding -2"},
		{"huge output", conv(func(a *Attrs) { a.Pads = [4]int{MaxDim, MaxDim, MaxDim, MaxDim} }), "has a dimension larger than 2147483647"},
		{"zero channels", conv(func(a *Attrs) { a.OutChannels = 0 }), "conv output channels 0"},
		{"pool stride", &Node{Op: OpMaxPool, Name: "p", Attrs: Attrs{Kernel: [2]int{2, 2}, Dilations: [2]int{1, 1}}}, "pool stride 0"},
		{"pad", &Node{Op: OpPad, Name: "p", Attrs: Attrs{Pads: [4]int{0, huge, 0, 0}}}, "padding 4611686018427387904"},
		{"option A stride", &Node{Op: OpSubsamplePad, Name: "s", Attrs: Attrs{Strides: [2]int{0, 1}}}, "option-A shortcut stride 0"},
		{"option A channels", &Node{Op: OpSubsamplePad, Name: "s", Attrs: Attrs{Strides: [2]int{1, 1}, ChannelPads: [2]int{-1, 0}}}, "channel padding -1"},
		{"gemm features", &Node{Op: OpGemm, Name: "fc", Attrs: Attrs{OutChannels: huge}}, "output features 4611686018427387904"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &Graph{}
			in, _ := g.Add(&Node{Op: OpInput, Name: "input", Shape: Shape{Batch, 8, 10, 10}})
			if c.n.Op == OpGemm {
				in, _ = g.Add(&Node{Op: OpFlatten, Name: "flat", Inputs: []*Node{in}})
			}
			c.n.Inputs = []*Node{in}
			_, err := g.Add(c.n)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// TestSizesSaturate checks that element counts, parameter counts and MACs
// saturate instead of wrapping to negative numbers.
func TestSizesSaturate(t *testing.T) {
	s := Shape{Batch, MaxDim, MaxDim, MaxDim}
	if s.Elems() != math.MaxInt64 || s.Bytes() != math.MaxInt64 {
		t.Fatalf("elems %d bytes %d", s.Elems(), s.Bytes())
	}
	if n := (Shape{Batch, 3, 4, 5}).Elems(); n != 60 {
		t.Fatalf("elems %d", n)
	}
	p := &Param{Shape: []int{MaxDim, MaxDim, MaxDim}}
	if p.Size() != math.MaxInt64 {
		t.Fatalf("size %d", p.Size())
	}
	g := &Graph{}
	in, _ := g.Add(&Node{Op: OpInput, Name: "input", Shape: Shape{Batch, 1 << 20, 1 << 20, 1 << 20}})
	a := Attrs{OutChannels: 1 << 20, Kernel: [2]int{1, 1}, Strides: [2]int{1, 1}, Dilations: [2]int{1, 1}, Groups: 1}
	w := &Param{Name: "w", Shape: []int{1 << 20, 1 << 20, 1, 1}, Trainable: true}
	for i := 0; i < 3; i++ {
		var err error
		if in, err = g.Add(&Node{Op: OpConv, Name: "c" + string(rune('0'+i)), Inputs: []*Node{in}, Attrs: a, Params: []*Param{w}}); err != nil {
			t.Fatal(err)
		}
	}
	st := g.Stats()
	if st.MACs != math.MaxInt64 || st.Trainable != 3<<40 || st.Total != 3<<40 {
		t.Fatalf("stats %+v", st)
	}
	if peak, _ := g.PeakActivations(); peak != math.MaxInt64 {
		t.Fatalf("peak %d", peak)
	}
	for _, c := range [][3]int64{{0, math.MaxInt64, 0}, {3, 4, 12}, {math.MaxInt64, 2, math.MaxInt64}, {1 << 32, 1 << 31, 1<<63 - 1}} {
		if got := MulSat(c[0], c[1]); got != c[2] {
			t.Errorf("MulSat(%d, %d) = %d", c[0], c[1], got)
		}
	}
	if AddSat(math.MaxInt64-1, 5) != math.MaxInt64 || AddSat(2, 3) != 5 {
		t.Error("AddSat")
	}
}

// TestPeakActivations checks the liveness estimate on small: input,
// conv, bn, relu live in turn, the input kept alive until the add reads it.
func TestPeakActivations(t *testing.T) {
	g := small(t)
	const one = 8 * 10 * 10 * BytesPerElement
	// At bn: the input (read by the add), the conv (read by bn), bn.
	peak, at := g.PeakActivations()
	if peak != 3*one || at.Name != "bn" {
		t.Fatalf("peak %d at %s, want %d at bn", peak, at.Name, 3*one)
	}
}
