package compiler

import (
	"testing"
)

// TestFamilyHooks checks that the family blocks' part parameters replace
// the part and keep the reference names around it.
func TestFamilyHooks(t *testing.T) {
	src := `import "timm"
import "resnet"

block rs_stem_pool() {
  0: conv(channels, 3, stride: 2)
  1: bn
  2: relu
}

block deep_stem() {
  conv1: conv(32, 3, stride: 2)
  bn1: bn
  relu
  conv2: conv(64, 3)
}

network rs = timm_resnet(timm_bottleneck, [1, 1, 1, 1], variant: "d", stem_pool: rs_stem_pool)
network tv = resnet(basic, [1, 1, 1, 1], stem: deep_stem)
`
	p, err := LoadSource("hooks.res", src)
	if err != nil {
		t.Fatal(err)
	}
	for net, want := range map[string][]string{
		"rs": {"maxpool.0.weight", "maxpool.1.running_var", "conv1.0.weight", "layer1.0.conv1.weight"},
		"tv": {"conv1.weight", "conv2.weight", "bn1.weight", "layer1.0.conv1.weight"},
	} {
		g, err := p.Build(net, nil)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, q := range g.SourceParams() {
			names[q.Name] = true
		}
		for _, w := range want {
			if !names[w] {
				t.Errorf("%s: no weight %s", net, w)
			}
		}
		if net == "rs" {
			for _, n := range g.Nodes {
				if n.Op.String() == "MaxPool" {
					t.Errorf("rs still has a max pool: %s", n.Name)
				}
			}
		}
	}
}
