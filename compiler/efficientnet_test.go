package compiler

import (
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestEfficientNetOptions builds the EfficientNet family with torchvision's
// options set away from the named models' values and compares the counts
// with torchvision 0.14.1's own model of those options:
// EfficientNet(_efficientnet_conf(ARCH, width_mult=W, depth_mult=D)[0],
// 0.2, last_channel=..., num_classes=K), counted as reference.tsv counts
// (trainable, + BN running statistics, Conv2d and Linear MACs at batch 1).
// width_mult 0.75 takes make_divisible's 10% correction (24 * 0.75 = 18
// rounds to 24, not 16).
func TestEfficientNetOptions(t *testing.T) {
	for _, c := range []struct {
		model            string
		args             map[string]string
		trainable, total int64
		macs             int64
	}{
		{"efficientnet_b0", map[string]string{"width_mult": "0.75", "depth_mult": "0.6", "classes": "10", "size": "96"}, 1844608, 1869568, 40901904},
		{"efficientnet_b0", map[string]string{"width_mult": "1.3", "depth_mult": "1.7", "classes": "100", "size": "128"}, 14007224, 14116056, 419419328},
		{"efficientnet_v2_s", map[string]string{"classes": "10", "size": "96"}, 20190298, 20344170, 526219712},
	} {
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			g := buildEfficientNet(t, c.model, c.args)
			s := g.Stats()
			if s.Trainable != c.trainable || s.Total != c.total || s.MACs != c.macs {
				t.Errorf("%v: trainable %d, total %d, MACs %d; torchvision %d, %d, %d", c.args, s.Trainable, s.Total, s.MACs, c.trainable, c.total, c.macs)
			}
		})
	}
}

// Without the top, the network ends in the pooled head features (1280 for
// B0) or the feature map, and has no classifier weights; dropout is
// accepted at any rate torch accepts and changes nothing.
func TestEfficientNetHeadless(t *testing.T) {
	for _, c := range []struct {
		pooling string
		shape   []int
	}{{"avg", []int{-1, 1280}}, {"max", []int{-1, 1280}}, {"none", []int{-1, 1280, 2, 2}}} {
		g := buildEfficientNet(t, "efficientnet_b0", map[string]string{"include_top": "false", "pooling": c.pooling, "size": "64", "dropout": "0.9"})
		out := g.Outputs[0].Node.Shape
		if !slices.Equal(out[1:], c.shape[1:]) {
			t.Errorf("pooling %s: output %v, want %v", c.pooling, out, c.shape)
		}
		for _, n := range g.Nodes {
			for _, p := range n.Params {
				if strings.HasPrefix(p.Name, "classifier.") {
					t.Errorf("pooling %s: headless network has %s", c.pooling, p.Name)
				}
			}
		}
	}
}

// A setting whose rows are malformed or whose stages do not chain, and a
// stride other than 1 or 2, are errors at the network, not a malformed graph.
func TestEfficientNetBadSettings(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`import "efficientnet"
network n = efficientnet([[0, 1, 3, 1, 32, 16, 1], [0, 6, 3, 2, 24, 40, 2]], size: 32)`, "stage 2 takes 24 channels, the stage before gives 16"},
		{`import "efficientnet"
network n = efficientnet([[0, 1, 3, 3, 32, 16, 1]], size: 32)`, "illegal stride value 3"},
		{`import "efficientnet"
network n = efficientnet([], size: 32)`, "must not be empty"},
		{`import "efficientnet"
network n = efficientnet([[0, 1, 3, 1, 32, 16]], size: 32)`, "each row of the setting is"},
		{`import "efficientnet"
network n = efficientnet([[2, 1, 3, 1, 32, 16, 1]], size: 32)`, "each row of the setting is"},
	} {
		_, err := buildEfficientNetSource(c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

func buildEfficientNet(t *testing.T, model string, args map[string]string) *ir.Graph {
	t.Helper()
	p, err := LoadStdModel(model)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build(model, args)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func buildEfficientNetSource(src string) (*ir.Graph, error) {
	p, err := LoadSource("t.res", src)
	if err != nil {
		return nil, err
	}
	return p.Build("n", nil)
}
