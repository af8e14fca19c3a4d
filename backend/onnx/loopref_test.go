package onnx

import (
	"fmt"
	"math"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// A reference evaluator for the tests of the newer ops: each op written
// as a plain loop from its definition (ir/op.go; PyTorch's for the
// activations and norms), in float64, independent of the exporter, so
// that onnxruntime's results on an export can be checked against it.

// loopTensor is a dense row-major tensor with a concrete batch.
type loopTensor struct {
	shape []int
	data  []float64
}

func (t loopTensor) size(from int) int {
	n := 1
	for _, d := range t.shape[from:] {
		n *= d
	}
	return n
}

// loopEval runs g on x (shape [batch, C, H, W]) and returns every output.
func loopEval(g *ir.Graph, w weights.Set, x []float32, batch int) ([]loopTensor, error) {
	vals, err := loopValues(g, w, x, batch)
	if err != nil {
		return nil, err
	}
	var outs []loopTensor
	for _, o := range g.Outputs {
		outs = append(outs, vals[o.Node])
	}
	return outs, nil
}

// loopValues runs g on x and returns every node's value.
func loopValues(g *ir.Graph, w weights.Set, x []float32, batch int) (map[*ir.Node]loopTensor, error) {
	vals := map[*ir.Node]loopTensor{}
	for _, n := range g.Nodes {
		var in []loopTensor
		for _, i := range n.Inputs {
			in = append(in, vals[i])
		}
		shape := append([]int{batch}, n.Shape[1:]...)
		out := loopTensor{shape: shape}
		if n.Op == ir.OpInput {
			for _, v := range x {
				out.data = append(out.data, float64(v))
			}
			vals[n] = out
			continue
		}
		out.data = make([]float64, out.size(0))
		param := func(r ir.Role) []float32 {
			if p := n.Param(r); p != nil {
				return w[p.Name]
			}
			return nil
		}
		if err := loopOp(n, in, out, param); err != nil {
			return nil, fmt.Errorf("%s: %v", n.Name, err)
		}
		vals[n] = out
	}
	return vals, nil
}

func loopAct(op ir.Op, alpha, v float64) float64 {
	relu6 := func(v float64) float64 { return math.Min(math.Max(v, 0), 6) }
	switch op {
	case ir.OpRelu:
		return math.Max(v, 0)
	case ir.OpSigmoid:
		return 1 / (1 + math.Exp(-v))
	case ir.OpSilu:
		return v / (1 + math.Exp(-v))
	case ir.OpHardSwish:
		return v * relu6(v+3) / 6
	case ir.OpHardSigmoid:
		return relu6(v+3) / 6
	case ir.OpRelu6:
		return relu6(v)
	case ir.OpGelu:
		return v * 0.5 * (1 + math.Erf(v/math.Sqrt2))
	case ir.OpLeakyRelu:
		if v < 0 {
			return alpha * v
		}
		return v
	case ir.OpTanh:
		return math.Tanh(v)
	case ir.OpDropPath, ir.OpDropout:
		return v
	}
	panic(op)
}

func loopOp(n *ir.Node, in []loopTensor, out loopTensor, param func(ir.Role) []float32) error {
	a := &n.Attrs
	N, C := out.shape[0], out.shape[1]
	hw := out.size(2)
	switch n.Op {
	case ir.OpRelu, ir.OpSigmoid, ir.OpSilu, ir.OpHardSwish, ir.OpHardSigmoid, ir.OpRelu6, ir.OpGelu, ir.OpLeakyRelu, ir.OpTanh, ir.OpDropPath, ir.OpDropout:
		for i, v := range in[0].data {
			out.data[i] = loopAct(n.Op, a.Alpha, v)
		}
	case ir.OpMul:
		x, y := in[0], in[1]
		per := y.size(2) // 1 for a gate [N,C,1,1]
		for i := range out.data {
			c := i / hw % C
			b := i / (C * hw)
			if per == 1 && hw > 1 {
				out.data[i] = x.data[i] * y.data[b*C+c]
			} else {
				out.data[i] = x.data[i] * y.data[i]
			}
		}
	case ir.OpGlobalAvgPool:
		ih := in[0].size(2)
		for i := range out.data {
			s := 0.0
			for j := range ih {
				s += in[0].data[i*ih+j]
			}
			out.data[i] = s / float64(ih)
		}
	case ir.OpFlatten:
		copy(out.data, in[0].data)
	case ir.OpConcat:
		c0 := 0
		for _, t := range in {
			ct := t.shape[1]
			for b := range N {
				copy(out.data[(b*C+c0)*hw:(b*C+c0+ct)*hw], t.data[b*ct*hw:(b+1)*ct*hw])
			}
			c0 += ct
		}
	case ir.OpSlice:
		ci := in[0].shape[1]
		for b := range N {
			copy(out.data[b*C*hw:(b+1)*C*hw], in[0].data[(b*ci+a.Begin)*hw:(b*ci+a.End)*hw])
		}
	case ir.OpLayerNorm:
		gamma, beta := param(ir.RoleGamma), param(ir.RoleBeta)
		for b := range N {
			for s := range hw {
				at := func(c int) int { return (b*C+c)*hw + s }
				mean, vr := 0.0, 0.0
				for c := range C {
					mean += in[0].data[at(c)]
				}
				mean /= float64(C)
				for c := range C {
					d := in[0].data[at(c)] - mean
					vr += d * d
				}
				vr /= float64(C)
				for c := range C {
					out.data[at(c)] = (in[0].data[at(c)] - mean) / math.Sqrt(vr+a.Epsilon)
				}
			}
		}
		loopAffine(out, gamma, beta)
	case ir.OpGroupNorm:
		g := a.Groups
		per := C / g * hw // a group's values are contiguous in NCHW
		for b := range N {
			for gi := range g {
				vals := in[0].data[(b*g+gi)*per : (b*g+gi+1)*per]
				mean, vr := 0.0, 0.0
				for _, v := range vals {
					mean += v
				}
				mean /= float64(per)
				for _, v := range vals {
					vr += (v - mean) * (v - mean)
				}
				vr /= float64(per)
				for j, v := range vals {
					out.data[(b*g+gi)*per+j] = (v - mean) / math.Sqrt(vr+a.Epsilon)
				}
			}
		}
		loopAffine(out, param(ir.RoleGamma), param(ir.RoleBeta))
	case ir.OpChannelScale:
		copy(out.data, in[0].data)
		loopAffine(out, param(ir.RoleGamma), nil)
	case ir.OpUpsample:
		H, W := out.shape[2], out.shape[3]
		ih, iw := in[0].shape[2], in[0].shape[3]
		for bc := range N * C {
			for y := range H {
				for x := range W {
					// To a size: floor(y · in/out), in exact integers.
					sy, sx := y*ih/H, x*iw/W
					if a.Size == [2]int{} {
						sy, sx = y/a.Factor[0], x/a.Factor[1]
					}
					out.data[(bc*H+y)*W+x] = in[0].data[(bc*ih+sy)*iw+sx]
				}
			}
		}
	case ir.OpSpaceToDepth:
		bs := a.Block
		ic, ih, iw := in[0].shape[1], in[0].shape[2], in[0].shape[3]
		H, W := out.shape[2], out.shape[3]
		for b := range N {
			for c := range ic {
				for i := range bs {
					for j := range bs {
						for h := range H {
							for w := range W {
								oc := (i*bs+j)*ic + c
								out.data[((b*C+oc)*H+h)*W+w] = in[0].data[((b*ic+c)*ih+h*bs+i)*iw+w*bs+j]
							}
						}
					}
				}
			}
		}
	case ir.OpRadixSoftmax:
		r, g := a.Radix, a.Groups
		k := C / (g * r)
		for b := range N {
			for s := range hw {
				at := func(c int) int { return (b*C+c)*hw + s }
				for gi := range g {
					for ki := range k {
						m := math.Inf(-1)
						for ri := range r {
							m = math.Max(m, in[0].data[at((gi*r+ri)*k+ki)])
						}
						sum := 0.0
						for ri := range r {
							sum += math.Exp(in[0].data[at((gi*r+ri)*k+ki)] - m)
						}
						for ri := range r {
							out.data[at((ri*g+gi)*k+ki)] = math.Exp(in[0].data[at((gi*r+ri)*k+ki)]-m) / sum
						}
					}
				}
			}
		}
	case ir.OpConv:
		// Only the per-pixel linear layer: out[o] = act(Σ_c w[o,c]·x[c] + b[o]).
		if !ir.LinearWeight(n) || a.Residual || a.PostAffine {
			return fmt.Errorf("no reference for %s but a per-pixel linear layer", n.Op)
		}
		w, bias := param(ir.RoleWeight), param(ir.RoleBias)
		ci := in[0].shape[1]
		for b := range N {
			for o := range C {
				for s := range hw {
					v := 0.0
					if bias != nil {
						v = float64(bias[o])
					}
					for c := range ci {
						v += float64(w[o*ci+c]) * in[0].data[(b*ci+c)*hw+s]
					}
					if a.Act != ir.ActNone {
						v = loopAct(a.Act.Op(), a.Alpha, v)
					}
					out.data[(b*C+o)*hw+s] = v
				}
			}
		}
	default:
		return fmt.Errorf("no reference for %s", n.Op)
	}
	return nil
}

// loopAffine applies y·gamma[c] + beta[c] in place, each where given.
func loopAffine(t loopTensor, gamma, beta []float32) {
	C, hw := t.shape[1], t.size(2)
	for i := range t.data {
		c := i / hw % C
		if gamma != nil {
			t.data[i] *= float64(gamma[c])
		}
		if beta != nil {
			t.data[i] += float64(beta[c])
		}
	}
}
