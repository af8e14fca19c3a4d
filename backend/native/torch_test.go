package native

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// The new ops against PyTorch, whose modules the models come from: each
// op runs natively and as the PyTorch code that defines it (torchvision's
// and timm's), on the same input and parameters, through Debian's
// python3-torch.

// torchScript reads cases as JSON on stdin and writes each one's output.
const torchScript = `
import json, sys, torch
import torch.nn.functional as F
out = {}
for c in json.load(sys.stdin):
    x = torch.tensor(c["x"], dtype=torch.float32).reshape(c["shape"])
    a, p = c["args"], {k: torch.tensor(v, dtype=torch.float32) for k, v in c["params"].items()}
    op = c["op"]
    if op == "silu": y = F.silu(x)
    elif op == "hardswish": y = F.hardswish(x)
    elif op == "hardsigmoid": y = F.hardsigmoid(x)
    elif op == "relu6": y = F.relu6(x)
    elif op == "gelu": y = F.gelu(x)
    elif op == "leaky_relu": y = F.leaky_relu(x, a["alpha"])
    elif op == "tanh": y = torch.tanh(x)
    elif op == "layernorm2d":  # ConvNeXt's LayerNorm2d (torchvision)
        y = F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), p["w"], p["b"], a["eps"]).permute(0, 3, 1, 2)
    elif op == "groupnorm": y = F.group_norm(x, a["groups"], p["w"], p["b"], a["eps"])
    elif op == "upsample": y = F.interpolate(x, scale_factor=tuple(a["factor"]), mode="nearest")
    elif op == "resize": y = F.interpolate(x, size=tuple(a["size"]), mode="nearest")
    elif op == "radix_softmax":  # timm's RadixSoftmax
        b = x.shape[0]
        y = F.softmax(x.view(b, a["groups"], a["radix"], -1).transpose(1, 2), dim=1).reshape(b, -1)
    elif op == "concat": y = torch.cat([x, x[:, a["begin"]:a["end"]]], dim=1)
    else: raise ValueError(op)
    out[c["name"]] = y.reshape(-1).tolist()
json.dump(out, sys.stdout)
`

// A torchCase is one op on a random input of shape [batch, c, h, w].
type torchCase struct {
	Name   string               `json:"name"`
	Op     string               `json:"op"`
	X      []float32            `json:"x"`
	Shape  []int                `json:"shape"`
	Args   map[string]any       `json:"args"`
	Params map[string][]float32 `json:"params"`

	g  *ir.Graph
	ws weights.Set
}

func torchCases(t *testing.T) []*torchCase {
	const batch = 2
	var cases []*torchCase
	add := func(name, op string, c, h, w int, args map[string]any, build func(b *graphBuilder, x *ir.Node) *ir.Node) {
		b, x := newGraph(t, name, c, h, w)
		g := b.graph(build(b, x))
		ws := fusedWeights(g, uint64(len(cases)+1))
		tc := &torchCase{Name: name, Op: op, X: randomInput(g, batch, uint64(len(cases))), Shape: []int{batch, c, h, w},
			Args: args, Params: map[string][]float32{}, g: g, ws: ws}
		for _, p := range g.SourceParams() {
			tc.Params[map[ir.Role]string{ir.RoleGamma: "w", ir.RoleBeta: "b"}[p.Role]] = ws[p.Name]
		}
		cases = append(cases, tc)
	}
	for _, act := range allActs[3:] {
		alpha := actAlpha(act)
		add(act.String(), act.String(), 3, 5, 7, map[string]any{"alpha": alpha}, func(b *graphBuilder, x *ir.Node) *ir.Node {
			return b.node(act.Op(), "act", ir.Attrs{Alpha: alpha}, x)
		})
		// Scaled up, so that the piecewise activations see every piece.
		for i := range cases[len(cases)-1].X {
			cases[len(cases)-1].X[i] *= 4
		}
	}
	for _, s := range [][3]int{{13, 5, 7}, {40, 17, 16}} {
		add(fmt.Sprintf("layernorm2d/%v", s), "layernorm2d", s[0], s[1], s[2], map[string]any{"eps": 1e-6}, func(b *graphBuilder, x *ir.Node) *ir.Node {
			return b.add(&ir.Node{Op: ir.OpLayerNorm, Name: "ln", Inputs: []*ir.Node{x},
				Attrs: ir.Attrs{Epsilon: 1e-6, Scale: true, Center: true}, Params: normTestParams("ln", s[0], true, true)})
		})
	}
	add("groupnorm", "groupnorm", 12, 5, 6, map[string]any{"groups": 4, "eps": 1e-5}, func(b *graphBuilder, x *ir.Node) *ir.Node {
		return b.add(&ir.Node{Op: ir.OpGroupNorm, Name: "gn", Inputs: []*ir.Node{x},
			Attrs: ir.Attrs{Epsilon: 1e-5, Groups: 4, Scale: true, Center: true}, Params: normTestParams("gn", 12, true, true)})
	})
	add("upsample", "upsample", 3, 4, 5, map[string]any{"factor": []int{2, 3}}, func(b *graphBuilder, x *ir.Node) *ir.Node {
		return b.node(ir.OpUpsample, "up", ir.Attrs{Factor: [2]int{2, 3}}, x)
	})
	// Upsample to a size, as the FPN's top-down path: ratios that are not
	// integers (4 to 7, 7 to 13), one exactly 2, and a shrink.
	for _, s := range [][4]int{{4, 5, 7, 13}, {7, 4, 13, 8}, {5, 6, 3, 4}} {
		size := [2]int{s[2], s[3]}
		add(fmt.Sprintf("resize/%v", s), "resize", 3, s[0], s[1], map[string]any{"size": size}, func(b *graphBuilder, x *ir.Node) *ir.Node {
			return b.node(ir.OpUpsample, "up", ir.Attrs{Size: size}, x)
		})
	}
	add("radix_softmax", "radix_softmax", 24, 1, 1, map[string]any{"radix": 2, "groups": 3}, func(b *graphBuilder, x *ir.Node) *ir.Node {
		return b.node(ir.OpRadixSoftmax, "rsm", ir.Attrs{Radix: 2, Groups: 3}, x)
	})
	add("concat_slice", "concat", 6, 3, 4, map[string]any{"begin": 1, "end": 4}, func(b *graphBuilder, x *ir.Node) *ir.Node {
		return b.node(ir.OpConcat, "cat", ir.Attrs{}, x, b.node(ir.OpSlice, "slice", ir.Attrs{Begin: 1, End: 4}, x))
	})
	return cases
}

// TestOpsMatchTorch runs each case natively (fast and reference) and in
// PyTorch: within 1e-5 of PyTorch's float32 result, relative to its
// largest magnitude.
func TestOpsMatchTorch(t *testing.T) {
	if err := exec.Command(torchPython, "-c", "import torch").Run(); err != nil {
		testenv.Missing(t, "PyTorch is not available to %s (Debian package python3-torch)", torchPython)
	}
	cases := torchCases(t)
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(torchPython, "-c", torchScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("torch: %v\n%s", err, stderr.String())
	}
	var want map[string][]float32
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		for _, ref := range []bool{false, true} {
			got := runModel(t, c.g, c.ws, Options{Threads: 2, reference: ref}, c.X, c.Shape[0])
			w := want[c.Name]
			if len(got) != len(w) {
				t.Errorf("%s: %d values, torch %d", c.Name, len(got), len(w))
				continue
			}
			d, m := maxDiff(got, w), maxAbs(w)
			if d > 1e-5*max(1, m) {
				t.Errorf("%s (reference %v): max |native − torch| = %g, max |torch| = %g", c.Name, ref, d, m)
			}
			if !ref {
				t.Logf("%s: max |native − torch| = %.3g, max |torch| = %.3g", c.Name, d, m)
			}
		}
	}
}

// torchPython is Debian's interpreter, the one python3-torch installs for.
const torchPython = "/usr/bin/python3"
