package ir

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Batch marks the symbolic batch dimension in a Shape.
const Batch = -1

// A Shape is a tensor's dimensions, outermost first. Dimension 0 is the
// batch, Batch when symbolic. Activations are [N,C,H,W]; after Flatten, [N,C].
type Shape []int

func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d == Batch {
			parts[i] = "N"
		} else {
			parts[i] = strconv.Itoa(d)
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// Equal reports whether two shapes are the same.
func (s Shape) Equal(t Shape) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// Elems is the number of elements per image (the batch dimension
// excluded), math.MaxInt64 when it does not fit.
func (s Shape) Elems() int64 {
	n := int64(1)
	for _, d := range s[1:] {
		n = MulSat(n, int64(d))
	}
	return n
}

// MulSat multiplies two non-negative counts, saturating at math.MaxInt64.
func MulSat(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// AddSat adds two non-negative counts, saturating at math.MaxInt64.
func AddSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// inRange checks one attribute against [lo, MaxDim].
func inRange(what string, v, lo int) error {
	if v < lo || v > MaxDim {
		return fmt.Errorf("%s %d is out of range (%d to %d)", what, v, lo, MaxDim)
	}
	return nil
}

// windowAttrs checks a sliding window's attributes before any arithmetic.
func windowAttrs(a *Attrs, what string) error {
	for i := 0; i < 2; i++ {
		for _, c := range []struct {
			name   string
			v, min int
		}{{"kernel", a.Kernel[i], 1}, {"stride", a.Strides[i], 1}, {"dilation", a.Dilations[i], 1}} {
			if err := inRange(what+" "+c.name, c.v, c.min); err != nil {
				return err
			}
		}
	}
	return padAttrs(a.Pads, what)
}

func padAttrs(pads [4]int, what string) error {
	for _, p := range pads {
		if err := inRange(what+" padding", p, 0); err != nil {
			return err
		}
	}
	return nil
}

func need4(in Shape, what string) error {
	if len(in) != 4 {
		return fmt.Errorf("%s needs an [N,C,H,W] input, got %v", what, in)
	}
	return nil
}

func sameShape(_ *Node, in []Shape) (Shape, error) { return in[0], nil }

func addShape(_ *Node, in []Shape) (Shape, error) {
	for _, s := range in[1:] {
		if !s.Equal(in[0]) {
			return nil, fmt.Errorf("add of different shapes %v and %v", in[0], s)
		}
	}
	return in[0], nil
}

// mulShape allows x·g with g of x's shape (elementwise) or, for a gate,
// [N,C,1,1] broadcast over space.
func mulShape(_ *Node, in []Shape) (Shape, error) {
	x, g := in[0], in[1]
	if x.Equal(g) {
		return x, nil
	}
	if err := need4(x, "a gate"); err != nil {
		return nil, err
	}
	if len(g) != 4 || g[1] != x[1] || g[2] != 1 || g[3] != 1 {
		return nil, fmt.Errorf("gate of shape %v does not broadcast over %v (want [N,%d,1,1])", g, x, x[1])
	}
	return x, nil
}

// outSize is the output extent of a sliding window; ceil selects ceil_mode.
func outSize(in, k, stride, padBefore, padAfter, dilation int, ceil bool) int {
	span := in + padBefore + padAfter - dilation*(k-1) - 1
	if span < 0 {
		return 0
	}
	if ceil {
		o := (span+stride-1)/stride + 1
		// The last window must start inside the input or the leading padding.
		if (o-1)*stride >= in+padBefore {
			o--
		}
		return o
	}
	return span/stride + 1
}

func windowShape(n *Node, in Shape, channels int, what string) (Shape, error) {
	if err := need4(in, what); err != nil {
		return nil, err
	}
	a := &n.Attrs
	if err := windowAttrs(a, what); err != nil {
		return nil, err
	}
	out := Shape{in[0], channels, 0, 0}
	for i := 0; i < 2; i++ {
		padded := in[2+i] + a.Pads[i] + a.Pads[i+2]
		if extent := a.Dilations[i]*(a.Kernel[i]-1) + 1; extent > padded {
			return nil, fmt.Errorf("%s kernel %dx%d is larger than its padded input %dx%d",
				what, a.Kernel[0], a.Kernel[1], in[2]+a.Pads[0]+a.Pads[2], in[3]+a.Pads[1]+a.Pads[3])
		}
		out[2+i] = outSize(in[2+i], a.Kernel[i], a.Strides[i], a.Pads[i], a.Pads[i+2], a.Dilations[i], a.CeilMode)
	}
	return out, nil
}

func convShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if err := need4(x, "conv"); err != nil {
		return nil, err
	}
	g := n.Attrs.Groups
	if err := inRange("conv groups", g, 1); err != nil {
		return nil, err
	}
	if err := inRange("conv output channels", n.Attrs.OutChannels, 1); err != nil {
		return nil, err
	}
	if x[1]%g != 0 || n.Attrs.OutChannels%g != 0 {
		return nil, fmt.Errorf("groups=%d must divide both input channels (%d) and output channels (%d)", g, x[1], n.Attrs.OutChannels)
	}
	return windowShape(n, x, n.Attrs.OutChannels, "conv")
}

func poolShape(n *Node, in []Shape) (Shape, error) {
	return windowShape(n, in[0], in[0][1], "pool")
}

func globalPoolShape(_ *Node, in []Shape) (Shape, error) {
	if err := need4(in[0], "global pooling"); err != nil {
		return nil, err
	}
	return Shape{in[0][0], in[0][1], 1, 1}, nil
}

func flattenShape(_ *Node, in []Shape) (Shape, error) {
	n := in[0].Elems()
	if n > MaxDim {
		return nil, fmt.Errorf("flatten of %v gives %d features, more than %d", in[0], n, MaxDim)
	}
	return Shape{in[0][0], int(n)}, nil
}

func gemmShape(n *Node, in []Shape) (Shape, error) {
	if len(in[0]) != 2 {
		return nil, fmt.Errorf("fully connected layer needs an [N,features] input, got %v (flatten first)", in[0])
	}
	if err := inRange("fully connected output features", n.Attrs.OutChannels, 1); err != nil {
		return nil, err
	}
	return Shape{in[0][0], n.Attrs.OutChannels}, nil
}

func padShape(n *Node, in []Shape) (Shape, error) {
	if err := need4(in[0], "pad"); err != nil {
		return nil, err
	}
	p := n.Attrs.Pads
	for _, v := range p {
		if err := inRange("padding", v, 0); err != nil {
			return nil, err
		}
	}
	return Shape{in[0][0], in[0][1], in[0][2] + p[0] + p[2], in[0][3] + p[1] + p[3]}, nil
}

func subsamplePadShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if err := need4(x, "option-A shortcut"); err != nil {
		return nil, err
	}
	s := n.Attrs.Strides
	c := n.Attrs.ChannelPads
	for _, v := range []int{s[0], s[1]} {
		if err := inRange("option-A shortcut stride", v, 1); err != nil {
			return nil, err
		}
	}
	for _, v := range c {
		if err := inRange("option-A shortcut channel padding", v, 0); err != nil {
			return nil, err
		}
	}
	return Shape{x[0], x[1] + c[0] + c[1], (x[2] + s[0] - 1) / s[0], (x[3] + s[1] - 1) / s[1]}, nil
}

func channelConvShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if len(x) != 4 || x[2] != 1 || x[3] != 1 {
		return nil, fmt.Errorf("channel conv needs a pooled [N,C,1,1] input, got %v", x)
	}
	if err := inRange("channel conv kernel", n.Attrs.Kernel[0], 1); err != nil {
		return nil, err
	}
	return x, nil
}

func convMACs(n *Node) int64 {
	in, out := n.Inputs[0].Shape, n.Shape
	perOut := MulSat(int64(in[1]/n.Attrs.Groups), MulSat(int64(n.Attrs.Kernel[0]), int64(n.Attrs.Kernel[1])))
	return MulSat(out.Elems(), perOut)
}

func gemmMACs(n *Node) int64 {
	return MulSat(int64(n.Inputs[0].Shape[1]), int64(n.Attrs.OutChannels))
}

func channelConvMACs(n *Node) int64 {
	return MulSat(int64(n.Shape[1]), int64(n.Attrs.Kernel[0]))
}

func concatShape(_ *Node, in []Shape) (Shape, error) {
	out := append(Shape(nil), in[0]...)
	if len(out) < 2 {
		return nil, fmt.Errorf("concat needs tensors with channels, got %v", in[0])
	}
	c := int64(0)
	for _, s := range in {
		if len(s) != len(out) || s[0] != out[0] || !Shape(s[2:]).Equal(out[2:]) {
			return nil, fmt.Errorf("concat of %v and %v: all but the channels must agree", in[0], s)
		}
		c += int64(s[1])
	}
	if c > MaxDim {
		return nil, fmt.Errorf("concat gives %d channels, more than %d", c, MaxDim)
	}
	out[1] = int(c)
	return out, nil
}

func sliceShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if len(x) < 2 {
		return nil, fmt.Errorf("a channel slice needs a tensor with channels, got %v", x)
	}
	b, e := n.Attrs.Begin, n.Attrs.End
	if b < 0 || e > x[1] || b >= e {
		return nil, fmt.Errorf("channels [%d, %d) are not a non-empty range of the %d channels of %v", b, e, x[1], x)
	}
	out := append(Shape(nil), x...)
	out[1] = e - b
	return out, nil
}

// channelNormShape is the rule of ops with one parameter per channel of a
// tensor with channels (LayerNorm, ChannelScale).
func channelNormShape(_ *Node, in []Shape) (Shape, error) {
	if len(in[0]) < 2 {
		return nil, fmt.Errorf("needs a tensor with channels, got %v", in[0])
	}
	return in[0], nil
}

func groupNormShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if len(x) < 2 {
		return nil, fmt.Errorf("group norm needs a tensor with channels, got %v", x)
	}
	g := n.Attrs.Groups
	if err := inRange("group norm groups", g, 1); err != nil {
		return nil, err
	}
	if x[1]%g != 0 {
		return nil, fmt.Errorf("group norm: %d groups do not divide %d channels", g, x[1])
	}
	return x, nil
}

func upsampleShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if err := need4(x, "upsample"); err != nil {
		return nil, err
	}
	if sz := n.Attrs.Size; sz != [2]int{} {
		for _, d := range sz {
			if err := inRange("upsample size", d, 1); err != nil {
				return nil, err
			}
		}
		return Shape{x[0], x[1], sz[0], sz[1]}, nil
	}
	f := n.Attrs.Factor
	out := Shape{x[0], x[1], 0, 0}
	for i := range 2 {
		if err := inRange("upsample factor", f[i], 1); err != nil {
			return nil, err
		}
		d := int64(x[2+i]) * int64(f[i])
		if d > MaxDim {
			return nil, &TooLargeError{Shape: Shape{x[0], x[1], x[2] * f[0], x[3] * f[1]}}
		}
		out[2+i] = int(d)
	}
	return out, nil
}

func spaceToDepthShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if err := need4(x, "space_to_depth"); err != nil {
		return nil, err
	}
	b := n.Attrs.Block
	if err := inRange("space_to_depth block", b, 1); err != nil {
		return nil, err
	}
	if x[2]%b != 0 || x[3]%b != 0 {
		return nil, fmt.Errorf("space_to_depth block %d must divide the height and width of %v", b, x)
	}
	c := int64(x[1]) * int64(b) * int64(b)
	if c > MaxDim {
		return nil, fmt.Errorf("space_to_depth gives %d channels, more than %d", c, MaxDim)
	}
	return Shape{x[0], int(c), x[2] / b, x[3] / b}, nil
}

func radixSoftmaxShape(n *Node, in []Shape) (Shape, error) {
	x := in[0]
	if len(x) < 2 {
		return nil, fmt.Errorf("radix softmax needs a tensor with channels, got %v", x)
	}
	r, g := n.Attrs.Radix, n.Attrs.Groups
	if err := inRange("radix", r, 1); err != nil {
		return nil, err
	}
	if err := inRange("radix softmax groups", g, 1); err != nil {
		return nil, err
	}
	if int64(x[1])%(int64(r)*int64(g)) != 0 {
		return nil, fmt.Errorf("radix %d times %d groups must divide the %d channels of %v", r, g, x[1], x)
	}
	return x, nil
}
