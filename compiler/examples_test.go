package compiler

import (
	"fmt"
	"testing"
)

// TestExamplesMatchStdlib holds the examples that write a stdlib model out
// in full to that model: the same parameters (names, shapes, roles and
// initialisation, so the same weight files load into both), the same
// counts and MACs, and the same input and output shapes.
func TestExamplesMatchStdlib(t *testing.T) {
	for _, c := range []struct {
		file, network string
		set           map[string]string
		model         string
	}{
		{"resnet50.res", "resnet50", nil, "resnet50"},
		{"res2net50.res", "res2net50", nil, "res2net50_26w_4s"},
		{"res2net50.res", "res2net50", map[string]string{"scale": "8"}, "res2net50_26w_8s"},
		{"res2net50.res", "res2net50", map[string]string{"base_width": "48", "scale": "2"}, "res2net50_48w_2s"},
		{"resnest50d.res", "resnest50d", nil, "resnest50d"},
	} {
		t.Run(fmt.Sprintf("%s%v", c.file, c.set), func(t *testing.T) {
			p, err := LoadFile("../examples/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Build(c.network, c.set)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := LoadStdModel(c.model)
			if err != nil {
				t.Fatal(err)
			}
			want, err := sp.Build(c.model, nil)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := got.Stats(), want.Stats(); g.Trainable != w.Trainable || g.Total != w.Total || g.MACs != w.MACs {
				t.Errorf("%d trainable, %d total, %d MACs; %s has %d, %d, %d", g.Trainable, g.Total, g.MACs, c.model, w.Trainable, w.Total, w.MACs)
			}
			if !got.Input.Shape.Equal(want.Input.Shape) {
				t.Errorf("input %v, %s's %v", got.Input.Shape, c.model, want.Input.Shape)
			}
			if len(got.Outputs) != 1 || !got.Outputs[0].Node.Shape.Equal(want.Outputs[0].Node.Shape) {
				t.Errorf("%d outputs; want one of %s's shape %v", len(got.Outputs), c.model, want.Outputs[0].Node.Shape)
			}
			params := map[string]string{}
			for _, q := range want.SourceParams() {
				params[q.Name] = fmt.Sprint(q.Shape, q.Role, q.Init)
			}
			gp := got.SourceParams()
			for _, q := range gp {
				if w, ok := params[q.Name]; !ok {
					t.Errorf("parameter %s is not %s's", q.Name, c.model)
				} else if g := fmt.Sprint(q.Shape, q.Role, q.Init); g != w {
					t.Errorf("parameter %s: %s, %s's %s", q.Name, g, c.model, w)
				}
			}
			if len(gp) != len(params) {
				t.Errorf("%d parameters, %s has %d", len(gp), c.model, len(params))
			}
		})
	}
}

// TestResNeStExampleFeatures checks the example backbone's outputs: timm's
// feature_info names, channels and strides.
func TestResNeStExampleFeatures(t *testing.T) {
	p, err := LoadFile("../examples/resnest50d.res")
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("resnest50d", map[string]string{"features_only": "true", "size": "64"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"act1 [-1 64 32 32]", "layer1 [-1 256 16 16]", "layer2 [-1 512 8 8]", "layer3 [-1 1024 4 4]", "layer4 [-1 2048 2 2]"}
	if len(g.Outputs) != len(want) {
		t.Fatalf("%d outputs, want %d", len(g.Outputs), len(want))
	}
	for i, o := range g.Outputs {
		if got := fmt.Sprint(o.Name, " ", []int(o.Node.Shape)); got != want[i] {
			t.Errorf("output %d: %s, want %s", i, got, want[i])
		}
	}
}
