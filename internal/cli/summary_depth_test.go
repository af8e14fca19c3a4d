package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/golden"
	"github.com/resc-dev/resc/internal/testenv"
)

// foldedSummary runs resc summary --json --depth and decodes its layers
// strictly.
func foldedSummary(t *testing.T, model string, depth int) []jsonFoldedLayer {
	t.Helper()
	code, out, errs := runIn(t, "", "summary", "--json", "--depth", fmt.Sprint(depth), model)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var raw map[string]json.RawMessage
	decodeJSON(t, out, &raw)
	var d int
	if err := json.Unmarshal(raw["depth"], &d); err != nil || d != depth {
		t.Fatalf("depth %s", raw["depth"])
	}
	var layers []jsonFoldedLayer
	dec := json.NewDecoder(bytes.NewReader(raw["layers"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&layers); err != nil {
		t.Fatal(err)
	}
	return layers
}

// torchModules prints, for torchvision's models, each module a summary
// folded to a depth shows (those at that depth, and childless ones above
// it) with its parameter and buffer elements, as torchinfo's depth does.
const torchModules = `
import sys, torchvision
for spec in sys.argv[1:]:
    name, depth = spec.split(":")
    depth = int(depth)
    m = getattr(torchvision.models, name)(weights=None)
    for n, mod in m.named_modules():
        if not n:
            continue
        d = n.count(".") + 1
        if d == depth or (d < depth and not list(mod.children())):
            k = sum(p.numel() for p in mod.parameters()) + sum(b.numel() for bn, b in mod.named_buffers() if not bn.endswith("num_batches_tracked"))
            if k:
                print(spec, n, k)
`

// TestSummaryDepthMatchesTorch folds resnet18 and resnet50 to depths 1-3
// and compares every row that has parameters with the torchvision
// module of that name: the same rows, the same counts.
func TestSummaryDepthMatchesTorch(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import torch, torchvision").Run(); err != nil {
		testenv.Missing(t, "torchvision is not importable by /usr/bin/python3 (Debian package python3-torchvision): %v", err)
	}
	var specs []string
	for _, m := range []string{"resnet18", "resnet50"} {
		for d := 1; d <= 3; d++ {
			specs = append(specs, fmt.Sprintf("%s:%d", m, d))
		}
	}
	out, err := exec.Command("/usr/bin/python3", append([]string{"-W", "ignore", "-c", torchModules}, specs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var spec, name string
		var n int64
		if _, err := fmt.Sscan(line, &spec, &name, &n); err != nil {
			t.Fatalf("torch printed %q", line)
		}
		if want[spec] == nil {
			want[spec] = map[string]int64{}
		}
		want[spec][name] = n
	}
	for _, spec := range specs {
		model, depth, _ := strings.Cut(spec, ":")
		d := int(depth[0] - '0')
		got := map[string]int64{}
		for _, l := range foldedSummary(t, model, d) {
			if l.Params > 0 {
				got[l.Name] = l.Params
			}
		}
		if len(want[spec]) < 5 {
			t.Fatalf("%s: torch listed only %v", spec, want[spec])
		}
		for name, n := range want[spec] {
			if got[name] != n {
				t.Errorf("%s: %s has %d parameters, torchvision %d", spec, name, got[name], n)
			}
		}
		for name := range got {
			if _, ok := want[spec][name]; !ok {
				t.Errorf("%s: row %s is no torchvision module", spec, name)
			}
		}
	}
}

// TestSummaryGolden pins resc summary: the plain table and JSON (the
// files were written by resc before --depth existed, so they show that
// the default output did not change), and folded tables.
func TestSummaryGolden(t *testing.T) {
	for _, c := range []struct {
		file string
		args []string
	}{
		{"cifar_resnet20.txt", []string{"summary", "cifar_resnet20"}},
		{"cifar_resnet20.json", []string{"summary", "--json", "cifar_resnet20"}},
		{"cifar_resnet20_depth1.txt", []string{"summary", "--depth", "1", "cifar_resnet20"}},
		{"resnet18_depth3.txt", []string{"summary", "--depth", "3", "resnet18"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			code, out, errs := runIn(t, "", c.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden.Check(t, filepath.Join("testdata", "summary", c.file), []byte(out), *update,
				"run go test ./internal/cli -run TestSummaryGolden -update")
		})
	}
}

// TestSummaryConnectedTo: the residual merges name their inputs, the
// shortcut marked, at every depth where the merge is a row.
func TestSummaryConnectedTo(t *testing.T) {
	rows := map[string]jsonFoldedLayer{}
	for _, l := range foldedSummary(t, "resnet50", 0) {
		rows[l.Name] = l
	}
	add := rows["layer2.0.add"]
	if strings.Join(add.ConnectedTo, " ") != "layer2.0.bn3 layer2.0.downsample.1" || strings.Join(add.Shortcuts, " ") != "layer2.0.downsample.1" {
		t.Errorf("layer2.0.add: %+v", add)
	}
	if add := rows["layer2.1.add"]; strings.Join(add.Shortcuts, " ") != "layer2.0.relu_2" {
		t.Errorf("layer2.1.add: %+v", add)
	}
	rows = map[string]jsonFoldedLayer{}
	for _, l := range foldedSummary(t, "resnet50", 3) {
		rows[l.Name] = l
	}
	if add := rows["layer2.0.add"]; strings.Join(add.Shortcuts, " ") != "layer2.0.downsample" {
		t.Errorf("depth 3, layer2.0.add: %+v", add)
	}
	if ds := rows["layer2.0.downsample"]; !ds.Folded || ds.Nodes != 2 || ds.Op != "Conv+BatchNorm" || strings.Join(ds.ConnectedTo, " ") != "layer1.2.relu_2" {
		t.Errorf("depth 3, layer2.0.downsample: %+v", ds)
	}
	if code, _, errs := runIn(t, "", "summary", "--depth", "-1", "resnet18"); code != exitUsage || !strings.Contains(errs, "want a depth of 0 or more") {
		t.Errorf("--depth -1: exit %d: %s", code, errs)
	}
}
