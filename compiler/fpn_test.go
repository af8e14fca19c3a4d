package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestTakeOutputs checks what take_outputs() takes: the outputs named in
// its own block body so far (those of the blocks it applied included),
// never an enclosing body's, each once, and that the taken ones stop
// being network outputs.
func TestTakeOutputs(t *testing.T) {
	const src = `
block maps(prefix: string) {
  conv(8, 1)
  output "{prefix}1"
  conv(16, 1)
  output "{prefix}2"
}

block inner() {
  maps("i")
  let t = take_outputs()
  output "inner_took_{len(t)}"
}

network n() {
  input(3, 8, 8)
  maps("o")
  inner
  let t = take_outputs()
  concat(t)
  output "outer_took_{len(t)}"
  let again = take_outputs()
  output "then_{len(again)}"
}
`
	p, err := LoadSource("take.res", src)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("n", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range g.Outputs {
		got = append(got, fmt.Sprintf("%s %v", o.Name, o.Node.Shape))
	}
	// o1 (8), o2 (16) and inner_took_2 (16) concatenated: 40 channels,
	// named outer_took_3 until the second take takes it.
	want := "then_1 [N,40,8,8]"
	if strings.Join(got, " ") != want {
		t.Errorf("outputs %q, want %q", strings.Join(got, " "), want)
	}
}

// TestFrozenBatchNorm checks bn(frozen: true) and the resnet family's
// frozen_bn: the same weights under the same names, the scale and shift
// counted as not trainable.
func TestFrozenBatchNorm(t *testing.T) {
	p, err := LoadStdModel("resnet50")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := p.Build("resnet50", nil)
	if err != nil {
		t.Fatal(err)
	}
	frozen, err := p.Build("resnet50", map[string]string{"frozen_bn": "true"})
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(g *ir.Graph) map[string]bool {
		out := map[string]bool{}
		for _, q := range g.SourceParams() {
			out[q.Name] = q.Trainable
		}
		return out
	}
	a, b := kinds(plain), kinds(frozen)
	if len(a) != len(b) {
		t.Fatalf("%d weights frozen, %d plain", len(b), len(a))
	}
	changed := 0
	for name, tr := range a {
		trf, ok := b[name]
		switch {
		case !ok:
			t.Fatalf("%s is missing with frozen_bn", name)
		case tr != trf:
			changed++
			isAffine := strings.Contains(name, "bn") || strings.Contains(name, "downsample.1")
			if !isAffine || !strings.HasSuffix(name, ".weight") && !strings.HasSuffix(name, ".bias") || trf {
				t.Errorf("%s: trainable %v, frozen %v", name, tr, trf)
			}
		}
	}
	// 53 batch norms, each with a weight and a bias.
	if changed != 2*53 {
		t.Errorf("%d weights became buffers, want 106", changed)
	}
}

// TestFPNBackboneOutputs checks resnet50_fpn_backbone's outputs at sizes
// where the top-down steps are not all doublings, as torchvision gives
// them, and with returned_layers (renumbered from "0", as torchvision's
// return_layers) and no extra level (FeaturePyramidNetwork's
// extra_blocks=None).
func TestFPNBackboneOutputs(t *testing.T) {
	p, err := LoadStdModel("resnet50_fpn_backbone")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args map[string]string
		want string
	}{
		{nil, "0 [256,56,56] 1 [256,28,28] 2 [256,14,14] 3 [256,7,7] pool [256,4,4]"},
		{map[string]string{"size": "100"}, "0 [256,25,25] 1 [256,13,13] 2 [256,7,7] 3 [256,4,4] pool [256,2,2]"},
		{map[string]string{"size": "72", "returned_layers": "2,3,4", "extra": "none"}, "0 [256,9,9] 1 [256,5,5] 2 [256,3,3]"},
	} {
		g, err := p.Build("resnet50_fpn_backbone", c.args)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range g.Outputs {
			s := o.Node.Shape
			got = append(got, fmt.Sprintf("%s [%d,%d,%d]", o.Name, s[1], s[2], s[3]))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v: outputs %q, want %q", c.args, strings.Join(got, " "), c.want)
		}
	}
}

// TestFPNOnOtherBackbones puts the stdlib fpn on a timm ResNet-D and on a
// Keras ResNet50V2: any features_only backbone feeds it, whatever its
// feature maps are named and however many it returns.
func TestFPNOnOtherBackbones(t *testing.T) {
	const src = `
import "detection"
import "timm"
import "keras"

network on_timm() {
  body: timm_resnet(timm_bottleneck, [3, 4, 6, 3], variant: "d", features_only: true, out_indices: [2, 3, 4], size: 96)
  fpn: fpn(take_outputs(), 128, extra: "none")
}

network on_keras() {
  body: keras_resnet([3, 4, 6, 3], preact: true, features_only: true, out_indices: [1, 2], size: 64)
  fpn: fpn(take_outputs(), 32)
}
`
	p, err := LoadSource("backbones.res", src)
	if err != nil {
		t.Fatal(err)
	}
	for net, want := range map[string]string{
		"on_timm":  "0 [128,12,12] 1 [128,6,6] 2 [128,3,3]",
		"on_keras": "0 [32,16,16] 1 [32,8,8] pool [32,4,4]", // ResNetV2 strides in a stage's last block
	} {
		g, err := p.Build(net, nil)
		if err != nil {
			t.Fatalf("%s: %v", net, err)
		}
		var got []string
		for _, o := range g.Outputs {
			s := o.Node.Shape
			got = append(got, fmt.Sprintf("%s [%d,%d,%d]", o.Name, s[1], s[2], s[3]))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: outputs %q, want %q", net, strings.Join(got, " "), want)
		}
	}
}
