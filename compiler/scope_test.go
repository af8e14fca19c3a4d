package compiler

import (
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestNodeScopes checks that every node's Scope is the label path its name
// was composed from, in both naming styles, for blocks, shortcuts, loops
// and paths.
func TestNodeScopes(t *testing.T) {
	for _, name := range []string{"resnet50", "keras_resnet50v2", "cifar_resnet20"} {
		t.Run(name, func(t *testing.T) {
			p, err := LoadStdModel(name)
			if err != nil {
				t.Fatal(err)
			}
			g, err := p.Build(name, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkScopes(t, g)
		})
	}
	t.Run("want", func(t *testing.T) {
		p, err := LoadStdModel("resnet50")
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build("resnet50", nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{
			"conv1":                 nil,
			"layer1.0.conv1":        {"layer1", "0"},
			"layer1.0.add":          {"layer1", "0"},
			"layer1.0.downsample.1": {"layer1", "0", "downsample"},
			"fc":                    nil,
		}
		for _, n := range g.Nodes {
			if w, ok := want[n.Name]; ok {
				if !slices.Equal(n.Scope, w) {
					t.Errorf("%s: scope %q, want %q", n.Name, n.Scope, w)
				}
				delete(want, n.Name)
			}
		}
		if len(want) > 0 {
			t.Errorf("nodes not found: %v", want)
		}
	})
}

func checkScopes(t *testing.T, g *ir.Graph) {
	t.Helper()
	sep := namingStyles[g.Naming].sep
	for _, n := range g.Nodes {
		if len(n.Scope) == 0 {
			continue
		}
		if prefix := strings.Join(n.Scope, sep) + sep; !strings.HasPrefix(n.Name, prefix) {
			t.Errorf("%s: scope %q is not the start of its name", n.Name, n.Scope)
		}
	}
}

// TestPathsScopes checks that merge-paths gives the merged nodes the
// scope the paths share.
func TestPathsScopes(t *testing.T) {
	src := "network n() {\n  input(4, 6, 6)\n  b: paths 4 {\n    c: conv(2, 1)\n    r: relu\n    d: conv(2, 1)\n  }\n}\n"
	p, err := LoadSource("n.res", src)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("n", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Nodes {
		if n.Name == "b.2.d" && !slices.Equal(n.Scope, []string{"b", "2"}) {
			t.Errorf("%s: scope %q", n.Name, n.Scope)
		}
	}
	if err := ir.RunPipeline(g, ir.Options{Level: 2}); err != nil {
		t.Fatal(err)
	}
	merged := 0
	for _, n := range g.Nodes {
		if n.Op == ir.OpConv {
			merged++
			if !slices.Equal(n.Scope, []string{"b"}) {
				t.Errorf("merged %s: scope %q, want [b]", n.Name, n.Scope)
			}
		}
	}
	if merged != 2 {
		t.Errorf("%d convs after merge-paths, want 2", merged)
	}
}
