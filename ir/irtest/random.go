package irtest

import (
	"math/rand/v2"

	"github.com/resc-dev/resc/ir"
)

// Random builds a small random network from seed: convs of assorted
// kernels, strides, paddings and groups, batch norms, activations, zero
// pads, pools, dropout, residual adds, squeeze-and-excitation gates and
// summed parallel paths, each wherever the shapes allow, so that the
// passes meet their patterns in combinations no hand-written case lists.
func Random(seed uint64) *ir.Graph {
	r := rand.New(rand.NewPCG(seed, 7))
	b, x := New(4*(1+r.IntN(2)), 5+r.IntN(5), 5+r.IntN(5))
	live := []*ir.Node{x}
	for range 4 + r.IntN(10) {
		if y := b.randomStep(r, x, live); y != nil {
			x = y
			live = append(live, y)
		}
	}
	return b.Graph(x)
}

// randomStep applies one random operation to x (or combines it with an
// earlier tensor); nil when the one chosen does not fit x's shape.
func (b *B) randomStep(r *rand.Rand, x *ir.Node, live []*ir.Node) *ir.Node {
	c, h, w := x.Shape[1], x.Shape[2], x.Shape[3]
	switch r.IntN(12) {
	case 0, 1:
		return b.randomConv(r, x)
	case 2:
		return b.BN(x)
	case 3:
		return b.Relu(x)
	case 4:
		if r.IntN(2) == 0 {
			return b.Sigmoid(x)
		}
		return b.Dropout(x)
	case 5:
		return b.ZeroPad(x, r.IntN(2))
	case 6:
		op := ir.OpMaxPool
		if r.IntN(2) == 0 {
			op = ir.OpAvgPool
		}
		// No 1×1 pools: onnxruntime 1.24's own Pad fusion turns Pad → 1×1
		// pool into a pool whose padding is not below its kernel, which it
		// then rejects (the identity pools drop-identity removes have cases
		// of their own).
		if k := 2 + r.IntN(2); k <= min(h, w) {
			return b.Pool(op, x, k, 1+r.IntN(2))
		}
	case 7, 8:
		// A residual add with an earlier tensor of the same shape, or with
		// a branch computed from x.
		for _, y := range live {
			if y != x && y.Shape.Equal(x.Shape) && r.IntN(2) == 0 {
				return b.Add(x, y)
			}
		}
		branch := b.Conv(b.Relu(b.BN(b.Conv(x, c, 1))), c, 3, Pad(1))
		if r.IntN(2) == 0 {
			branch = b.BN(branch)
		}
		return b.Add(branch, x)
	case 9:
		gate := b.Sigmoid(b.Conv(b.Relu(b.Conv(b.GAP(x), c, 1, Bias())), c, 1, Bias()))
		return b.Mul(x, gate)
	case 10:
		// Cardinality: n identical paths summed.
		n, d := 2+r.IntN(3), 1+r.IntN(2)
		k := 1 + 2*r.IntN(2)
		var ends []*ir.Node
		for range n {
			p := b.Relu(b.BN(b.Conv(x, d, 1)))
			p = b.Relu(b.BN(b.Conv(p, d, k, Pad(k/2))))
			ends = append(ends, b.Conv(p, c, 1))
		}
		return b.BN(b.Add(ends...))
	case 11:
		return b.Relu(b.BN(b.randomConv(r, x)))
	}
	return nil
}

func (b *B) randomConv(r *rand.Rand, x *ir.Node) *ir.Node {
	c, h, w := x.Shape[1], x.Shape[2], x.Shape[3]
	k := 1 + 2*r.IntN(2)
	pad := r.IntN(2) * (k / 2)
	if k > min(h, w)+2*pad {
		k, pad = 1, 0
	}
	opts := []ConvOpt{Pad(pad)}
	if r.IntN(3) == 0 && min(h, w)+2*pad >= k+1 {
		opts = append(opts, Stride(2))
	}
	out := 4 * (1 + r.IntN(2))
	switch g := r.IntN(3); {
	case g == 1 && c%2 == 0 && out%2 == 0:
		opts = append(opts, Groups(2))
	case g == 2 && out%c == 0:
		opts = append(opts, Groups(c)) // depthwise
	}
	if r.IntN(2) == 0 {
		opts = append(opts, Bias())
	}
	return b.Conv(x, out, k, opts...)
}
