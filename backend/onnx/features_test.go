package onnx

import (
	"fmt"
	"strings"
	"testing"
)

// TestFeaturesOnlyExport exports the stdlib families' features_only
// backbones: the ONNX graph's outputs carry the reference's names and the
// feature shapes (batch symbolic), and onnx.checker's full check (strict
// shape inference) accepts the model.
func TestFeaturesOnlyExport(t *testing.T) {
	c := startChecker(t)
	dir := t.TempDir()
	for _, cs := range []struct {
		model, outIndices, want string
	}{
		{"resnet18", "", "relu [64,32,32] layer1 [64,16,16] layer2 [128,8,8] layer3 [256,4,4] layer4 [512,2,2]"},
		{"resnet50d", "1,3", "layer1 [256,16,16] layer3 [1024,4,4]"},
		{"keras_resnet50", "0,4", "conv1_relu [64,32,32] conv5_block3_out [2048,2,2]"},
		{"keras_resnet50v2", "", "conv1_conv [64,32,32] conv2_block2_out [256,16,16] conv3_block3_out [512,8,8] conv4_block5_out [1024,4,4] post_relu [2048,2,2]"},
	} {
		args := map[string]string{"size": "64", "features_only": "true"}
		if cs.outIndices != "" {
			args["out_indices"] = cs.outIndices
		}
		g := build(t, cs.model, args)
		path := exportFile(t, dir, g, Options{})
		m, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range m.GetGraph().GetOutput() {
			dims := o.GetType().GetTensorType().GetShape().GetDim()
			s := make([]string, len(dims)-1)
			for i, d := range dims[1:] {
				s[i] = fmt.Sprint(d.GetDimValue())
			}
			if dims[0].GetDimParam() == "" {
				t.Errorf("%s: output %s has a fixed batch", cs.model, o.GetName())
			}
			got = append(got, fmt.Sprintf("%s [%s]", o.GetName(), strings.Join(s, ",")))
		}
		if g := strings.Join(got, " "); g != cs.want {
			t.Errorf("%s out_indices %q: ONNX outputs\n  %s\nwant\n  %s", cs.model, cs.outIndices, g, cs.want)
		}
		if err := c.check(path); err != nil {
			t.Errorf("%s features_only: onnx.checker: %v", cs.model, err)
		}
	}
}
