package fold

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

func names(bs []*Box) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Name + ":" + b.Kind
	}
	return out
}

func optimised(t *testing.T, name string) *ir.Graph {
	t.Helper()
	g := testenv.Build(t, name, nil)
	if err := ir.RunPipeline(g, ir.Options{Level: 2}); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestFoldResnet50Stages(t *testing.T) {
	g := testenv.Build(t, "resnet50", nil)
	fg := Fold(g, 1)
	want := []string{"input:Input", "conv1:Conv", "bn1:BatchNorm", "relu:Relu", "maxpool:MaxPool",
		"layer1:stage", "layer2:stage", "layer3:stage", "layer4:stage",
		"avgpool:GlobalAvgPool", "flatten:Flatten", "fc:Gemm"}
	if got := names(fg.Boxes); !slices.Equal(got, want) {
		t.Fatalf("depth 1 boxes:\n got %q\nwant %q", got, want)
	}
	l2 := fg.Boxes[6]
	if l2.Shape.String() != "[N,512,28,28]" || len(l2.Inputs) != 1 || l2.Inputs[0].From.Name != "layer1" {
		t.Errorf("layer2: shape %v, inputs %v", l2.Shape, l2.Inputs)
	}
	// torchvision's resnet50.layer2 has 1,219,584 trainable parameters
	// and 7,168 running statistics.
	if l2.Params != 1_219_584+7_168 {
		t.Errorf("layer2 params %d", l2.Params)
	}
}

func TestFoldKerasBlocks(t *testing.T) {
	g := testenv.Build(t, "keras_resnet50v2", nil)
	fg := Fold(g, 2)
	got := names(fg.Boxes)
	for _, w := range []string{"conv2_block1:keras_block2", "conv5_block3:keras_block2", "conv1_conv:Conv", "post_bn:BatchNorm"} {
		if !slices.Contains(got, w) {
			t.Errorf("no box %s in %q", w, got)
		}
	}
	// The ambiguous names fold by scope: conv2_block1_1_conv is in
	// conv2_block1, conv1_conv stays single.
	fg = Fold(g, 3)
	got = names(fg.Boxes)
	if !slices.Contains(got, "conv2_block1_preact_bn:BatchNorm") || !slices.Contains(got, "conv2_block1_0_conv:Conv") {
		t.Errorf("depth 3: %q", got[:20])
	}
}

// TestShortcuts counts the shortcut edges of single-op folds: one per
// residual block, as written (the Add's second input) and after fusion
// (the accumulation input).
func TestShortcuts(t *testing.T) {
	for _, c := range []struct {
		model  string
		blocks int
	}{{"resnet50", 16}, {"keras_resnet50v2", 16}, {"cifar_resnet20", 9}, {"resnet18", 8}} {
		for _, level := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/O%d", c.model, level), func(t *testing.T) {
				g := testenv.Build(t, c.model, nil)
				if err := ir.RunPipeline(g, ir.Options{Level: level}); err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, b := range Fold(g, 0).Boxes {
					for _, e := range b.Inputs {
						if e.Shortcut {
							n++
						}
					}
				}
				if n != c.blocks {
					t.Errorf("%d shortcut edges, want %d", n, c.blocks)
				}
			})
		}
	}
}

func TestPathsSumIsNoShortcut(t *testing.T) {
	src := "network n() {\n  input(4, 6, 6)\n  b: paths 2 {\n    c: conv(2, 1)\n  }\n  residual {\n    d: conv(2, 1)\n  }\n}\n"
	p, err := compiler.LoadSource("n.res", src)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("n", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range Fold(g, 0).Boxes {
		for _, e := range b.Inputs {
			got = append(got, fmt.Sprintf("%s→%s %v", e.From.Name, b.Name, e.Shortcut))
		}
	}
	want := []string{"input→b.0.c false", "input→b.1.c false", "b.0.c→b.sum false", "b.1.c→b.sum false",
		"b.sum→d false", "d→add false", "b.sum→add true"}
	if !slices.Equal(got, want) {
		t.Errorf("edges:\n got %q\nwant %q", got, want)
	}
}

func TestNodeKind(t *testing.T) {
	g := optimised(t, "resnet50")
	kinds := map[string]string{}
	for _, n := range g.Nodes {
		kinds[n.Name] = NodeKind(n)
	}
	for name, want := range map[string]string{
		"conv1": "Conv+BN+ReLU", "layer1.0.conv3": "Conv+BN+Add+ReLU", "layer1.0.downsample.0": "Conv+BN",
		"maxpool": "MaxPool", "fc": "Gemm",
	} {
		if kinds[name] != want {
			t.Errorf("%s: %q, want %q", name, kinds[name], want)
		}
	}
}

// TestFoldInvariants checks every model at several depths, as written
// and optimised: each node in one box, the parameters conserved, edges
// only forward, and one box per scope (a scope's nodes are contiguous).
func TestFoldInvariants(t *testing.T) {
	for _, name := range testenv.Models(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, level := range []int{0, 2} {
				g := testenv.Build(t, name, nil)
				if err := ir.RunPipeline(g, ir.Options{Level: level}); err != nil {
					t.Fatal(err)
				}
				total := g.Stats().Total
				sep := compiler.NameSeparator(g.Naming)
				for depth := range 5 {
					fg := Fold(g, depth)
					if want := distinctKeys(g, depth, sep); len(fg.Boxes) != want {
						t.Errorf("O%d depth %d: %d boxes, want %d", level, depth, len(fg.Boxes), want)
					}
					nodes, params := 0, int64(0)
					for i, b := range fg.Boxes {
						nodes += len(b.Nodes)
						params += b.Params
						if b.ID != i {
							t.Fatalf("box %d has ID %d", i, b.ID)
						}
						for _, e := range b.Inputs {
							if e.From.ID >= b.ID {
								t.Errorf("O%d depth %d: edge %s → %s goes back", level, depth, e.From.Name, b.Name)
							}
						}
					}
					if nodes != len(g.Nodes) || params != total {
						t.Errorf("O%d depth %d: %d nodes, %d params; graph has %d, %d", level, depth, nodes, params, len(g.Nodes), total)
					}
				}
			}
		})
	}
}

// distinctKeys counts the boxes a fold at depth should make, computed
// from the names alone: a node's scope prefix or the node itself.
func distinctKeys(g *ir.Graph, depth int, sep string) int {
	keys := map[string]bool{}
	for _, n := range g.Nodes {
		k := "node " + n.Name
		if depth > 0 && len(n.Scope) >= depth {
			k = "scope " + strings.Join(n.Scope[:depth], sep)
		}
		keys[k] = true
	}
	return len(keys)
}

// TestFoldCycleFallsBackToRuns: a label used twice for parameter-free
// blocks with a node between them cannot fold into one box (it would
// read from and feed the box), so each run is a box.
func TestFoldCycleFallsBackToRuns(t *testing.T) {
	src := "block b() {\n  relu\n  sigmoid\n}\nnetwork n() {\n  input(4, 6, 6)\n  a: b()\n  gap\n  a: b()\n}\n"
	p, err := compiler.LoadSource("n.res", src)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("n", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"input:Input", "a:b", "gap:GlobalAvgPool", "a:b"}
	if got := names(Fold(g, 1).Boxes); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
