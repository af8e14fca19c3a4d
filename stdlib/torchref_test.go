package stdlib_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/testenv"
)

// The tables the torch references are held to: the residual zoo's rows for
// the families torchref implements, and the stdlib's existing reference
// table, whose timm rows the comparison harness is proven on.
const (
	zooTable    = "../scripts/torchref/reference.tsv"
	stdlibTable = "../compiler/testdata/reference.tsv"
)

// existingTimm are the stdlib's timm models that torchref also implements
// (its timm ResNet skeleton with timm's own blocks).
var existingTimm = []string{"resnet18d", "resnet50d", "seresnext50_32x4d", "ecaresnet50d"}

// shortRows is one model per torchref family, counted under -short.
var shortRows = []string{"res2net50_26w_4s", "resnest14d", "skresnet18", "pyramidnet110_a48", "preact_resnet164", "resnet18d", "ecaresnet50d"}

type tableRow struct {
	trainable, total int64
	gmacs            float64
	input            string
}

func readTable(t *testing.T, path string) (map[string]tableRow, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]tableRow{}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 7 {
			t.Fatalf("%s: bad row %q", path, line)
		}
		tr, err1 := strconv.ParseInt(c[2], 10, 64)
		to, err2 := strconv.ParseInt(c[3], 10, 64)
		gm, err3 := strconv.ParseFloat(c[4], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s: bad row %q", path, line)
		}
		rows[c[0]] = tableRow{tr, to, gm, c[5]}
		names = append(names, c[0])
	}
	return rows, names
}

// torchCount is one line of `python3 -m torchref.count --json`.
type torchCount struct {
	Name      string `json:"name"`
	Trainable int64  `json:"trainable"`
	Total     int64  `json:"total"`
	MACs      int64  `json:"macs"`
	Input     []int  `json:"input"`
}

// TestTorchRefCounts instantiates the torch references (scripts/torchref)
// of every residual-zoo row in the Res2Net, ResNeSt, SKNet, PyramidNet and
// pre-activation families, and of the stdlib timm models the comparison
// harness uses, counts their parameters, buffers and conv + linear MACs
// (forward hooks on the meta device, at the row's input size), and checks
// them against the tables: parameters exactly, MACs at the table's
// rounding. Where the stdlib has a model of the same name, its own
// figures must equal torch's exactly, MACs to the unit. Under -short, one
// model per family.
func TestTorchRefCounts(t *testing.T) {
	zoo, zooNames := readTable(t, zooTable)
	if len(zooNames) != 25 {
		t.Fatalf("%s has %d rows, want the 25 of the five families", zooTable, len(zooNames))
	}
	std, _ := readTable(t, stdlibTable)
	want := map[string]tableRow{}
	names := append([]string(nil), zooNames...)
	for n, r := range zoo {
		want[n] = r
	}
	for _, n := range existingTimm {
		r, ok := std[n]
		if !ok {
			t.Fatalf("%s has no row %s", stdlibTable, n)
		}
		want[n] = r
		names = append(names, n)
	}
	if testing.Short() {
		names = shortRows
	}
	out := testenv.TorchRef(t, "count", append([]string{"--json", "--table", "torchref/reference.tsv", "--table", "../compiler/testdata/reference.tsv"}, names...)...)
	got := map[string]torchCount{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var c torchCount
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("torchref.count output: %v\n%s", err, out)
		}
		got[c.Name] = c
	}
	inStdlib := map[string]bool{}
	models, err := compiler.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		inStdlib[m.Name] = true
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c, ok := got[name]
			if !ok {
				t.Fatalf("torchref.count reported nothing for %s", name)
			}
			r := want[name]
			if c.Trainable != r.trainable {
				t.Errorf("torch: trainable %d, table %d (off by %d)", c.Trainable, r.trainable, c.Trainable-r.trainable)
			}
			if c.Total != r.total {
				t.Errorf("torch: total %d, table %d (off by %d)", c.Total, r.total, c.Total-r.total)
			}
			if g := float64(c.MACs) / 1e9; math.Abs(g-r.gmacs) > 0.0005 {
				t.Errorf("torch: GMACs %.4f, table %.3f", g, r.gmacs)
			}
			if in := fmt.Sprintf("%dx%dx%d", c.Input[0], c.Input[1], c.Input[2]); len(c.Input) != 3 || in != r.input {
				t.Errorf("torch counted at %v, table input %s", c.Input, r.input)
			}
			if !inStdlib[name] {
				t.Logf("not in the stdlib yet: torch's figures checked against the table only")
				return
			}
			g := testenv.Build(t, name, nil)
			if in := g.Input.Shape; in[1] != c.Input[0] || in[2] != c.Input[1] || in[3] != c.Input[2] {
				t.Errorf("stdlib input %v, torch's %v", in[1:], c.Input)
			}
			s := g.Stats()
			if s.Trainable != c.Trainable || s.Total != c.Total || s.MACs != c.MACs {
				t.Errorf("stdlib %+v, torch trainable %d total %d MACs %d", s, c.Trainable, c.Total, c.MACs)
			}
		})
	}
}
