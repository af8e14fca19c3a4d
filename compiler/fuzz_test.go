package compiler

import (
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/stdlib"
)

func stdlibModuleNames(t testing.TB) []string {
	m := stdlib.Modules()
	if len(m) == 0 {
		t.Fatal("no stdlib modules")
	}
	return m
}

// maxFuzzSource caps a fuzz input: the front end's costs grow with the
// source, and small inputs reach its corners as well, thousands a second.
const maxFuzzSource = 2 << 10

// fuzzSeeds are small programs that use every construct: the fuzzer
// mutates them, so each feature should appear in one.
var fuzzSeeds = []string{
	"network n() {\n  input(3, 8, 8)\n  residual {\n    conv(8, 3, stride: 2)\n  }\n  gap\n  flatten\n  fc(2)\n}\n",
	"block b(c: int, s: int = 1) {\n  residual {\n    preact {\n      bn()\n      relu\n    }\n    conv(c, 3, stride: s)\n  } shortcut sc: auto(avg_projection())\n}\n\nnetwork n(k: int = 2) {\n  naming keras\n  input(3, 8, 8)\n  for i in 0..k {\n    \"s{i}\": b(8 * (i + 1), s: i == 0 ? 1 : 2)\n  }\n  gap\n}\n",
	"const w = [1, 2, 3]\nfn f(x: int) = x < 2 ? x : f(x - 1) + f(x - 2)\n\nnetwork n() {\n  input(4, 6, 6)\n  paths 2 {\n    conv(f(5), 1, groups: 1)\n  }\n  gate {\n    gap\n    channel_conv(3)\n    sigmoid\n  }\n  if len(w) > 2 {\n    maxpool(2, ceil: true)\n  } else {\n    avgpool(3, pad: 1, count_include_pad: false)\n  }\n  zeropad(1)\n  dropout(0.5)\n  flatten\n  fc(3, bias: false)\n  softmax\n}\n",
	"network a = b(2)\n\nblock b(n: int, u: shortcut = pad_shortcut) {\n  input(3, 4, 4)\n  residual {\n    conv(6, 1, stride: 2, pad: 0)\n  } shortcut u\n  assert channels == 3, \"c={channels} {height}x{width}\"\n  gmp\n  let z = max(1, round(2.5), int(-2.7), floor(abs(-1.5)), ceil(log2(4.0)))\n}\n",
	"import \"resnet\"\n\nnetwork n = resnet(basic, [1, 1, 1, 1], classes: 4)\n",
	// An empty custom shortcut: a body, not a kind (it was taken for a
	// kind, and checking it dereferenced nil).
	"block b() {\n  residual {\n    relu\n  } shortcut {\n  }\n}\n\nnetwork n() {\n  input(3, 8, 8)\n  b\n}\n",
	"block r(w: int) {\n  residual {\n    conv(w * 2, 1)\n    let xs = split(current, 2)\n    let outs = []\n    for i in 0..2 {\n      i == 0 ? xs[i] : xs[i] + outs[i - 1]\n      \"c{i}\": conv(w, 3)\n      outs = outs + [current]\n    }\n    concat(outs)\n  } shortcut s: {\n    pad_channels(after: w * 2 - channels)\n  }\n}\n\nnetwork n() {\n  input(3, 8, 8)\n  r(4)\n  output a\n  paths 2 as i {\n    conv(8, 3, dilation: i + 1)\n    silu\n  }\n  let t = current\n  gap\n  conv(16, 1)\n  radix_softmax(2)\n  let g = split(current, 2)\n  t * g[0] + t * g[1]\n  layernorm\n  groupnorm(2)\n  upsample\n  layer_scale(0.1)\n  drop_path(0.1)\n  space_to_depth\n  for w in [1, 2][1:] {\n    leaky_relu(0.1 * w ** 2)\n  }\n  gelu\n  hardswish\n  hardsigmoid\n  relu6\n  tanh\n  output b\n}\n",
}

// FuzzCheck feeds arbitrary source to the whole front end: loading,
// resolution and elaboration must report errors, never panic or hang, and a
// graph that elaborates must verify.
func FuzzCheck(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > maxFuzzSource {
			return
		}
		p, err := LoadSource("fuzz.res", src)
		if err != nil {
			return
		}
		p.Limits.steps = 20_000
		_ = p.CheckNames()
		for _, n := range p.Networks() {
			g, err := p.Build(n.Name, nil)
			if err == nil {
				if verr := g.Verify(); verr != nil {
					t.Fatalf("built graph fails verification: %v", verr)
				}
				s := g.Stats()
				if s.Trainable < 0 || s.Total < s.Trainable || s.MACs < 0 {
					t.Fatalf("stats %+v", s)
				}
				// The passes see every graph the language can make.
				if err := ir.RunPipeline(g, ir.Options{Level: ir.MaxLevel, VerifyEach: true}); err != nil {
					t.Fatalf("passes: %v", err)
				}
			}
		}
	})
}

// TestFuzzSeedsElaborate keeps the seeds useful: each must elaborate, so
// that mutations start from programs that get past the front door.
func TestFuzzSeedsElaborate(t *testing.T) {
	for i, s := range fuzzSeeds {
		if len(s) > maxFuzzSource {
			t.Errorf("seed %d is over the size cap", i)
		}
		p, err := LoadSource("seed.res", s)
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if err := p.Check(); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}
