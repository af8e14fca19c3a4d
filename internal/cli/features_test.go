package cli

import (
	"strings"
	"testing"
)

// TestSummaryFeatures: resc summary lists a features_only backbone's
// outputs, with their names and shapes, for each stdlib family; --set
// gives out_indices as a list; a bad list is a usage error, an index out of
// range an input error that names it.
func TestSummaryFeatures(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"resnet50", "--set", "features_only=true"},
			"Outputs:              relu [N,64,112,112], layer1 [N,256,56,56], layer2 [N,512,28,28], layer3 [N,1024,14,14], layer4 [N,2048,7,7]\n"},
		{[]string{"seresnet18", "--set", "features_only=true", "--set", "out_indices=[0, 4]", "--set", "size=64"},
			"Outputs:              act1 [N,64,32,32], layer4 [N,512,2,2]\n"},
		{[]string{"keras_resnet101", "--set", "features_only=true", "--set", "out_indices=3,4"},
			"Outputs:              conv4_block23_out [N,1024,14,14], conv5_block3_out [N,2048,7,7]\n"},
		{[]string{"pyramidnet272_a200"}, "Outputs:              logits [N,10]\n"},
	} {
		code, out, errs := runIn(t, "", append([]string{"summary"}, c.args...)...)
		if code != 0 {
			t.Errorf("summary %v: exit %d: %s", c.args, code, errs)
			continue
		}
		if !strings.HasSuffix(out, c.want) {
			t.Errorf("summary %v ends\n%s\nwant\n%s", c.args, out[max(0, len(out)-300):], c.want)
		}
	}
	if code, _, errs := runIn(t, "", "summary", "resnet18", "--set", "out_indices=1,two"); code != exitUsage || !strings.Contains(errs, `"two" is not an int`) {
		t.Errorf("a bad list: exit %d, %s", code, errs)
	}
	code, _, errs := runIn(t, "", "summary", "resnet18", "--set", "features_only=true", "--set", "out_indices=[1, 7]")
	if code != 1 || !strings.Contains(errs, "out_indices must be distinct feature indices from 0 to 4, got [1, 7]") || !strings.Contains(errs, "in network resnet18") {
		t.Errorf("an index out of range: exit %d, %s", code, errs)
	}
}
