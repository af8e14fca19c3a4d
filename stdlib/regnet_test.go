package stdlib_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/internal/testenv"
)

// regnetDesigns are RegNets outside the stdlib's fourteen, each set on
// the regnet family with --set: torchvision's regnet_y_128gf, and designs
// that reach the corners of BlockParams.from_init_params: a group width
// above the first stage's width (min), bottleneck multipliers that make
// the stage width non-integral before int() (0.75: 72 -> 54 -> 56 ->
// 74.67 -> 74, then round(55.5) = 56 in the block), w_a = 0 (one stage),
// one block, five stages, another stem width and class count.
var regnetDesigns = map[string]map[string]any{
	"regnet_y_128gf":  {"depth": 27, "w_0": 456, "w_a": 160.83, "w_m": 2.52, "group_width": 264, "se_ratio": 0.25},
	"wide_groups":     {"depth": 8, "w_0": 24, "w_a": 20.5, "w_m": 2.4, "group_width": 64},
	"bottleneck_0_75": {"depth": 9, "w_0": 72, "w_a": 30.0, "w_m": 2.1, "group_width": 8, "bottleneck_multiplier": 0.75, "se_ratio": 0.5},
	"bottleneck_2":    {"depth": 7, "w_0": 32, "w_a": 18.3, "w_m": 2.6, "group_width": 24, "bottleneck_multiplier": 2.0},
	"one_stage":       {"depth": 3, "w_0": 40, "w_a": 0.0, "w_m": 2.0, "group_width": 16, "se_ratio": 0.25},
	"one_block":       {"depth": 1, "w_0": 64, "w_a": 10.0, "w_m": 1.5, "group_width": 16},
	"five_stages":     {"depth": 30, "w_0": 16, "w_a": 9.3, "w_m": 1.9, "group_width": 8, "se_ratio": 0.25, "stem_width": 24, "num_classes": 10},
}

// TestRegNetDesignSpace builds the regnet family from design parameters
// the named models do not use and compares every weight's name and shape
// with the state_dict of torchvision's RegNet built from the same
// parameters (Debian's python3-torchvision): the stage widths, depths,
// group widths and SE widths are derived alike, not just for the
// fourteen networks TestReferenceFigures and TestTorchvisionZoo check.
func TestRegNetDesignSpace(t *testing.T) {
	if err := exec.Command(testenv.DebianPython, "-c", "import torchvision").Run(); err != nil {
		testenv.Missing(t, "torchvision is not importable by %s (Debian package python3-torchvision): %v", testenv.DebianPython, err)
	}
	arg, err := json.Marshal(regnetDesigns)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(testenv.DebianPython, "-W", "ignore", "testdata/regnet_shapes.py", string(arg)).Output()
	if err != nil {
		t.Fatalf("regnet_shapes.py: %v\n%s", err, out)
	}
	var want map[string]map[string][]int
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	p, err := compiler.LoadStdModel("regnet_x_400mf")
	if err != nil {
		t.Fatal(err)
	}
	for name, design := range regnetDesigns {
		t.Run(name, func(t *testing.T) {
			args := map[string]string{"se_ratio": "0.0", "bottleneck_multiplier": "1.0", "stem_width": "32", "classes": "1000", "size": "64"}
			for k, v := range design {
				if k == "num_classes" {
					k = "classes"
				}
				args[k] = fmt.Sprint(v)
			}
			g, err := p.Build("regnet_x_400mf", args)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]int{}
			for _, w := range g.SourceParams() {
				got[w.Name] = w.Shape
			}
			if len(want[name]) == 0 {
				t.Fatalf("torchvision gave no state_dict for %s", name)
			}
			if !reflect.DeepEqual(got, want[name]) {
				t.Errorf("weights differ from torchvision's:\n%s", shapeDiff(got, want[name]))
			}
		})
	}
}

// shapeDiff lists the names whose shapes differ or that one side lacks,
// at most 20.
func shapeDiff(got, want map[string][]int) string {
	var lines []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			lines = append(lines, fmt.Sprintf("missing %s %v", k, w))
		} else if !reflect.DeepEqual(g, w) {
			lines = append(lines, fmt.Sprintf("%s: %v, torchvision %v", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			lines = append(lines, fmt.Sprintf("extra %s %v", k, g))
		}
	}
	sort.Strings(lines)
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("... and %d more", len(lines)-20))
	}
	return strings.Join(lines, "\n")
}

// TestRegNetErrors: a design torchvision rejects, or one that leaves a
// stage without channels, is one error at the family's assert, with the
// reason, not a division by zero inside a helper or a second error.
func TestRegNetErrors(t *testing.T) {
	p, err := compiler.LoadStdModel("regnet_y_400mf")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		set  map[string]string
		want string
	}{
		{map[string]string{"depth": "0"}, "depth must be from 1 to 10000 blocks, got 0"},
		{map[string]string{"depth": "100000000"}, "depth must be from 1 to 10000 blocks"},
		{map[string]string{"w_m": "1.0"}, "invalid RegNet settings"},
		{map[string]string{"w_0": "20"}, "invalid RegNet settings"},
		{map[string]string{"w_a": "-1"}, "invalid RegNet settings"},
		{map[string]string{"group_width": "0"}, "group_width must be positive"},
		{map[string]string{"se_ratio": "-0.5"}, "se_ratio must not be negative"},
		{map[string]string{"bottleneck_multiplier": "0.001"}, "leaves the 48-wide first stage no bottleneck channel"},
		{map[string]string{"features_only": "true", "out_indices": "0,5"}, "out_indices must be distinct feature indices from 0 to 4, got [0, 5]"},
	} {
		_, err := p.Build("regnet_y_400mf", c.set)
		var l diag.List
		if !errors.As(err, &l) {
			t.Errorf("%v: got %v, want a diagnostic", c.set, err)
			continue
		}
		if len(l) != 1 || !strings.Contains(l[0].Msg, c.want) || !l[0].Pos.IsValid() {
			t.Errorf("%v: got\n%v\nwant one located error containing %q", c.set, err, c.want)
		}
	}
}

// TestRegNetFeatures: with features_only, regnet_y_400mf's outputs are
// the stem and the stages picked, under the names torchvision's
// create_feature_extractor gives them, at strides 2 to 32 with the stage
// widths of torchvision's BlockParams (48, 104, 208, 440); no head, and no
// stage past the last one picked.
func TestRegNetFeatures(t *testing.T) {
	p, err := compiler.LoadStdModel("regnet_y_400mf")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		indices string
		want    []string
		blocks  int // stages built
	}{
		{"0,1,2,3,4", []string{"stem [N,32,112,112]", "trunk_output.block1 [N,48,56,56]", "trunk_output.block2 [N,104,28,28]", "trunk_output.block3 [N,208,14,14]", "trunk_output.block4 [N,440,7,7]"}, 4},
		{"2,0", []string{"stem [N,32,112,112]", "trunk_output.block2 [N,104,28,28]"}, 2},
		{"0", []string{"stem [N,32,112,112]"}, 0},
	} {
		g, err := p.Build("regnet_y_400mf", map[string]string{"features_only": "true", "out_indices": c.indices})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range g.Outputs {
			s := o.Node.Shape
			got = append(got, fmt.Sprintf("%s [N,%d,%d,%d]", o.Name, s[1], s[2], s[3]))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("out_indices %s: outputs %q, want %q", c.indices, got, c.want)
		}
		for _, w := range g.SourceParams() {
			if strings.HasPrefix(w.Name, "fc.") {
				t.Errorf("out_indices %s: a features_only network has %s", c.indices, w.Name)
			}
			if strings.HasPrefix(w.Name, fmt.Sprintf("trunk_output.block%d.", c.blocks+1)) {
				t.Errorf("out_indices %s: stage %d is built (%s)", c.indices, c.blocks+1, w.Name)
			}
		}
	}
}
