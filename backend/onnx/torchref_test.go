package onnx

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/npy"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

// torchRefScript computes each op of a manifest with PyTorch (float64),
// the way the models resc describes were written in it (timm's rSoftMax
// for radix_softmax; ONNX's own reshape-and-transpose definition for
// SpaceToDepth, which torch lacks), and prints, per entry, its name, the
// largest difference from the expected output and the largest |expected|.
const torchRefScript = `
import sys, json, numpy as np, torch
import torch.nn.functional as F
for r in json.load(open(sys.argv[1])):
    x = torch.from_numpy(np.load(r["x"])).double()
    p = {k: torch.from_numpy(np.load(v)).double() for k, v in r["params"].items()}
    a, op = r["attrs"], r["op"]
    c = x.shape[1]
    if op == "Silu": y = F.silu(x)
    elif op == "HardSwish": y = F.hardswish(x)
    elif op == "HardSigmoid": y = F.hardsigmoid(x)
    elif op == "Relu6": y = F.relu6(x)
    elif op == "Gelu": y = F.gelu(x)
    elif op == "LeakyRelu": y = F.leaky_relu(x, a["Alpha"])
    elif op == "Tanh": y = torch.tanh(x)
    elif op == "Slice": y = x[:, a["Begin"]:a["End"]]
    elif op == "LayerNorm":
        y = F.layer_norm(x.movedim(1, -1), (c,), p.get("gamma"), p.get("beta"), a["Epsilon"]).movedim(-1, 1)
    elif op == "GroupNorm": y = F.group_norm(x, a["Groups"], p.get("gamma"), p.get("beta"), a["Epsilon"])
    elif op == "ChannelScale": y = x * p["gamma"].reshape([c] + [1] * (x.dim() - 2))
    elif op == "Upsample" and a["Size"] != [0, 0]: y = F.interpolate(x, size=tuple(a["Size"]), mode="nearest")
    elif op == "Upsample": y = F.interpolate(x, scale_factor=tuple(float(f) for f in a["Factor"]), mode="nearest")
    elif op == "SpaceToDepth":
        b = a["Block"]; n, _, h, w = x.shape
        y = x.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4).reshape(n, c * b * b, h // b, w // b)
    elif op == "Conv":  # the per-pixel linear layer, as ConvNeXt's Permute, Linear, Permute
        y = F.linear(x.movedim(1, -1), p["weight"], p.get("bias")).movedim(-1, 1)
        if r["act"] == "gelu": y = F.gelu(y)
        elif r["act"] != "none": raise SystemExit("no torch form for " + r["act"])
    elif op == "RadixSoftmax":
        n = x.shape[0]
        y = x.reshape(n, a["Groups"], a["Radix"], -1).transpose(1, 2).softmax(dim=1).reshape(x.shape)
    else: raise SystemExit("no torch form for " + op)
    want = np.load(r["want"]).astype(np.float64)
    got = y.numpy()
    if got.shape != want.shape:
        print(r["name"], "shape", got.shape, want.shape); continue
    print(r["name"], float(np.max(np.abs(got - want))), float(np.max(np.abs(want))), flush=True)
`

// TestLoopReferenceMatchesTorch checks the plain loops that the new ops'
// exports are held to against PyTorch: each op case's op, on the value
// the loops give its input, must come out of torch as it comes out of
// loopEval, within 1e-5 of the largest output. So the loops carry
// PyTorch's meaning (GroupNorm's grouping, HardSigmoid's slope,
// timm's radix order), not only the author's reading of it.
func TestLoopReferenceMatchesTorch(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import torch").Run(); err != nil {
		testenv.Missing(t, "torch is not importable by %s (Debian package python3-torch)", debianPython)
	}
	dir := t.TempDir()
	type entry struct {
		Name   string            `json:"name"`
		Op     string            `json:"op"`
		X      string            `json:"x"`
		Want   string            `json:"want"`
		Attrs  ir.Attrs          `json:"attrs"`
		Params map[string]string `json:"params"`
		Act    string            `json:"act"` // the fused activation's name
	}
	var manifest []entry
	write := func(name string, v loopTensor) string {
		path := filepath.Join(dir, name+".npy")
		f := make([]float32, len(v.data))
		for i, x := range v.data {
			f[i] = float32(x)
		}
		if err := npy.WriteFile(path, f, v.shape); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for i, cs := range newOpCases() {
		g, w := cs.build(uint64(i))
		n := g.Outputs[0].Node
		if len(n.Inputs) != 1 || n.Op == ir.OpDropPath {
			continue
		}
		x, _ := randomInput(g, 2, uint64(i))
		for k := range x {
			x[k] *= 3
		}
		// The op's input, rounded to float32 as torch will read it, and
		// the loops' output from that.
		vals, err := loopValues(g, w, x, 2)
		if err != nil {
			t.Fatal(err)
		}
		in := vals[n.Inputs[0]]
		for k, v := range in.data {
			in.data[k] = float64(float32(v))
		}
		out := loopTensor{shape: append([]int{2}, n.Shape[1:]...)}
		out.data = make([]float64, out.size(0))
		if err := loopOp(n, []loopTensor{in}, out, func(r ir.Role) []float32 {
			if p := n.Param(r); p != nil {
				return w[p.Name]
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		e := entry{Name: cs.name, Op: n.Op.String(), X: write(cs.name+".x", in), Want: write(cs.name+".want", out), Attrs: n.Attrs, Params: map[string]string{}, Act: n.Attrs.Act.String()}
		for _, p := range n.Params {
			role := map[ir.Role]string{ir.RoleGamma: "gamma", ir.RoleBeta: "beta", ir.RoleWeight: "weight", ir.RoleBias: "bias"}[p.Role]
			path := filepath.Join(dir, cs.name+"."+role+".npy")
			if err := npy.WriteFile(path, w[p.Name], p.Shape); err != nil {
				t.Fatal(err)
			}
			e.Params[role] = path
		}
		manifest = append(manifest, e)
	}
	mpath := filepath.Join(dir, "manifest.json")
	b, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mpath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(debianPython, "-W", "ignore", "-c", torchRefScript, mpath).CombinedOutput()
	if err != nil {
		t.Fatalf("torch: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(manifest) {
		t.Fatalf("torch answered %d of %d cases:\n%s", len(lines), len(manifest), out)
	}
	for _, line := range lines {
		f := strings.Fields(line)
		diff, err1 := strconv.ParseFloat(f[1], 64)
		maxAbs, err2 := strconv.ParseFloat(f[len(f)-1], 64)
		if len(f) != 3 || err1 != nil || err2 != nil || !(diff <= 1e-5*maxAbs) {
			t.Errorf("%s: torch and the loops differ: %s", f[0], strings.Join(f[1:], " "))
		}
	}
	t.Logf("%d ops checked against torch", len(manifest))
}
