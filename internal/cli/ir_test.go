package cli

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPrintAfterGolden pins `resc ir --print-after all` for one plain,
// one pre-activation and one grouped model: every rewrite of every pass
// shows up as a diff here.
func TestPrintAfterGolden(t *testing.T) {
	for _, name := range []string{"resnet50", "keras_resnet50v2", "resnext50_32x4d"} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Main([]string{"ir", "--print-after", "all", "--verify-each", name}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			golden.Check(t, filepath.Join("testdata", "print-after", name+".txt"), out.Bytes(), *update,
				"run go test ./internal/cli -run TestPrintAfterGolden -update")
		})
	}
}

// TestIRFlags covers the pass flags' errors and listings.
func TestIRFlags(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ir", "--passes"}, 0, "fuse-residual"},
		{[]string{"ir", "--disable", "fuse-activations", "resnet18"}, 2, "did you mean fuse-activation?"},
		{[]string{"ir", "--disable", "dead-nodes", "resnet18"}, 2, "required"},
		{[]string{"ir", "--print-after", "fuse-resid", "resnet18"}, 2, "did you mean fuse-residual?"},
		{[]string{"ir", "-O0", "-O2", "resnet18"}, 2, "exclude each other"},
		{[]string{"build", "-O1", "-O2", "resnet18"}, 2, "exclude each other"},
		{[]string{"ir", "--passes", "resnet18"}, 2, "takes no MODEL"},
		{[]string{"ir", "--time-passes", "resnet18"}, 0, "fuse-activation"},
		{[]string{"ir", "--disable", "fuse-activation,fuse-residual", "resnet18"}, 0, "Relu("},
		{[]string{"ir", "-O0", "resnet18"}, 0, "BatchNorm("},
		{[]string{"ir", "-O1", "keras_resnet50"}, 0, "conv1_conv = Conv(%0) out=64 kernel=7x7 stride=2x2 pads=3,3,3,3"},
		{[]string{"bench", "--backend", "native:O5", "resnet18"}, 2, "the levels are O0, O1 and O2"},
		{[]string{"run", "--disable", "nope", "resnet18"}, 2, "no such pass"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := Main(c.args, &out, &errb)
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("resc %s: exit %d, want %d with %q\nstdout: %.300s\nstderr: %s", strings.Join(c.args, " "), code, c.code, c.want, out.String(), errb.String())
		}
	}
}
