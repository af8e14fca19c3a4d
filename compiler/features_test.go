package compiler

import (
	"fmt"
	"strings"
	"testing"
)

// TestFeaturesOnly builds the stdlib ResNet families with features_only
// and checks their outputs, in order, under the references' names
// (torchvision's IntermediateLayerGetter, timm's feature_info, Keras's
// layer names, classification_models' as segmentation_models picks them),
// with their shapes; and, where the reference publishes a headless count,
// the parameters: the backbone without its head, and no stage past the
// last feature.
func TestFeaturesOnly(t *testing.T) {
	for _, c := range []struct {
		model, outIndices string
		want              string // name [C,H,W] ...
		trainable, total  int64  // 0: not checked
	}{
		// torchvision resnet50 less fc (2048*1000 + 1000): timm's
		// features_only resnet50 has the same 23,508,032.
		{"resnet50", "", "relu [64,112,112] layer1 [256,56,56] layer2 [512,28,28] layer3 [1024,14,14] layer4 [2048,7,7]", 25557032 - 2049000, 0},
		{"resnet18", "[1, 2]", "layer1 [64,56,56] layer2 [128,28,28]", 0, 0},
		{"resnet18", "4,0", "relu [64,112,112] layer4 [512,7,7]", 11689512 - 513000, 0},
		{"resnext50_32x4d", "3", "layer3 [1024,14,14]", 0, 0},
		{"resnet50d", "", "act1 [64,112,112] layer1 [256,56,56] layer2 [512,28,28] layer3 [1024,14,14] layer4 [2048,7,7]", 25576264 - 2049000, 0},
		{"seresnet50", "[0]", "act1 [64,112,112]", 0, 0},
		{"ecaresnet50d", "1,2,3", "layer1 [256,56,56] layer2 [512,28,28] layer3 [1024,14,14]", 0, 0},
		// Keras's include_top=False counts (TestKerasWithoutTop).
		{"keras_resnet50", "", "conv1_relu [64,112,112] conv2_block3_out [256,56,56] conv3_block4_out [512,28,28] conv4_block6_out [1024,14,14] conv5_block3_out [2048,7,7]", 23534592, 23587712},
		{"keras_resnet50v2", "", "conv1_conv [64,112,112] conv2_block2_out [256,56,56] conv3_block3_out [512,28,28] conv4_block5_out [1024,14,14] post_relu [2048,7,7]", 23519360, 23564800},
		{"keras_resnet101v2", "[3]", "conv4_block22_out [1024,14,14]", 0, 0},
		{"keras_resnet152", "[2, 3]", "conv3_block8_out [512,28,28] conv4_block36_out [1024,14,14]", 0, 0},
		// classification_models: the pre-activation family as
		// segmentation_models takes its features, ResNeXt's stage outputs.
		{"cm_resnet18", "", "relu0 [64,112,112] stage2_unit1_relu1 [64,56,56] stage3_unit1_relu1 [128,28,28] stage4_unit1_relu1 [256,14,14] relu1 [512,7,7]", 0, 0},
		{"cm_resnet50", "0,3", "relu0 [64,112,112] stage4_unit1_relu1 [1024,14,14]", 0, 0},
		{"cm_seresnet34", "1", "stage2_unit1_relu1 [64,56,56]", 0, 0},
		{"cm_resnext50", "", "relu0 [64,112,112] stage1_unit3_relu [256,56,56] stage2_unit4_relu [512,28,28] stage3_unit6_relu [1024,14,14] stage4_unit3_relu [2048,7,7]", 0, 0},
	} {
		t.Run(c.model+"/"+c.outIndices, func(t *testing.T) {
			p, err := LoadStdModel(c.model)
			if err != nil {
				t.Fatal(err)
			}
			args := map[string]string{"features_only": "true"}
			if c.outIndices != "" {
				args["out_indices"] = c.outIndices
			}
			g, err := p.Build(c.model, args)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range g.Outputs {
				s := o.Node.Shape
				got = append(got, fmt.Sprintf("%s [%d,%d,%d]", o.Name, s[1], s[2], s[3]))
			}
			if g := strings.Join(got, " "); g != c.want {
				t.Errorf("outputs\n  %s\nwant\n  %s", g, c.want)
			}
			s := g.Stats()
			if c.outIndices == "" {
				// All five features reach the end of the trunk: the
				// parameters are those of the network without its top.
				h, err := p.Build(c.model, map[string]string{"include_top": "false"})
				if err != nil {
					t.Fatal(err)
				}
				if hs := h.Stats(); hs.Trainable != s.Trainable || hs.Total != s.Total {
					t.Errorf("%d trainable, %d total params; include_top=false has %d and %d", s.Trainable, s.Total, hs.Trainable, hs.Total)
				}
			}
			if c.trainable != 0 && s.Trainable != c.trainable {
				t.Errorf("trainable params %d, want %d", s.Trainable, c.trainable)
			}
			if c.total != 0 && s.Total != c.total {
				t.Errorf("total params %d, want %d", s.Total, c.total)
			}
		})
	}
}

// TestFeaturesOnlyTruncates checks that features_only builds no stage past
// the last feature picked: resnet18 up to layer2 has the stem's, layer1's
// and layer2's parameters and nothing else.
func TestFeaturesOnlyTruncates(t *testing.T) {
	p, err := LoadStdModel("resnet18")
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("resnet18", map[string]string{"features_only": "true", "out_indices": "2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.Nodes {
		if strings.HasPrefix(n.Name, "layer3") || strings.HasPrefix(n.Name, "layer4") || n.Name == "fc" {
			t.Fatalf("node %s past the last feature", n.Name)
		}
	}
	// conv1 + bn1, layer1 (2 basic blocks of 64), layer2 (128, with a
	// projection in block 0).
	stem := int64(64*3*49 + 2*64)
	layer1 := int64(2 * (2*64*64*9 + 2*2*64))
	layer2 := int64(128*64*9 + 128*128*9 + 2*2*128 + 128*64 + 2*128 + 2*128*128*9 + 2*2*128)
	if got := g.Stats().Trainable; got != stem+layer1+layer2 {
		t.Errorf("trainable params %d, want %d", got, stem+layer1+layer2)
	}
}
