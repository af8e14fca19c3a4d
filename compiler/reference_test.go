package compiler

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// refRow is one row of testdata/reference.tsv: a model's published or
// computed figures from its reference implementation.
type refRow struct {
	name, reference  string
	trainable, total int64
	gmacs            float64
	input, status    string
}

func readReference(t *testing.T) []refRow {
	f, err := os.Open("testdata/reference.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []refRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 7 {
			t.Fatalf("bad row %q", line)
		}
		tr, _ := strconv.ParseInt(c[2], 10, 64)
		to, _ := strconv.ParseInt(c[3], 10, 64)
		gm, _ := strconv.ParseFloat(c[4], 64)
		rows = append(rows, refRow{c[0], c[1], tr, to, gm, c[5], c[6]})
	}
	if len(rows) < 50 {
		t.Fatalf("reference table has %d rows", len(rows))
	}
	return rows
}

// TestReferenceFigures builds every model of the reference table from the
// stdlib and compares trainable and total parameters (exact) and GMACs (to
// the table's three decimals).
func TestReferenceFigures(t *testing.T) {
	for _, r := range readReference(t) {
		t.Run(r.name, func(t *testing.T) {
			p, err := LoadStdModel(r.name)
			if err != nil {
				t.Fatal(err)
			}
			g, err := p.Build(r.name, nil)
			if err != nil {
				t.Fatal(err)
			}
			in := g.Input.Shape
			if got := strconv.Itoa(in[1]) + "x" + strconv.Itoa(in[2]) + "x" + strconv.Itoa(in[3]); got != r.input {
				t.Errorf("input %s, reference %s", got, r.input)
			}
			s := g.Stats()
			if s.Trainable != r.trainable {
				t.Errorf("trainable params %d, reference %d (off by %d)", s.Trainable, r.trainable, s.Trainable-r.trainable)
			}
			if s.Total != r.total {
				t.Errorf("total params %d, reference %d (off by %d)", s.Total, r.total, s.Total-r.total)
			}
			// Every figure is printed to three decimals: the count must
			// round to it.
			if gmacs := float64(s.MACs) / 1e9; math.Abs(gmacs-r.gmacs) > 0.0005+1e-9 {
				t.Errorf("GMACs %.5f, reference %.3f", gmacs, r.gmacs)
			}
		})
	}
}

// TestKerasWithoutTop checks include_top=False against Keras's counts.
func TestKerasWithoutTop(t *testing.T) {
	for _, c := range []struct {
		name             string
		trainable, total int64
	}{
		{"keras_resnet50", 23534592, 23587712},
		{"keras_resnet50v2", 23519360, 23564800},
	} {
		p, err := LoadStdModel(c.name)
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build(c.name, map[string]string{"include_top": "false"})
		if err != nil {
			t.Fatal(err)
		}
		if s := g.Stats(); s.Trainable != c.trainable || s.Total != c.total {
			t.Errorf("%s include_top=false: %d trainable, %d total; Keras has %d and %d", c.name, s.Trainable, s.Total, c.trainable, c.total)
		}
	}
}

// TestStdlibCoversReference checks that every stdlib model is in the
// reference table, so none goes untested.
func TestStdlibCoversReference(t *testing.T) {
	rows := map[string]bool{}
	for _, r := range readReference(t) {
		rows[r.name] = true
	}
	models, err := StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		if !rows[m.Name] {
			t.Errorf("stdlib model %s (module %s) has no row in the reference table", m.Name, m.Module)
		}
	}
}
