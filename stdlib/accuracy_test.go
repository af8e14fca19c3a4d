package stdlib

import (
	"strings"
	"testing"
)

// The embedded table parses, and every row is either a figure or a
// reasoned absence.
func TestAccuraciesParse(t *testing.T) {
	rows, err := Accuracies()
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, r := range rows {
		if r.Published {
			published++
		} else if r.Note == "" {
			t.Errorf("%s: no figure and no reason", r.Model)
		}
	}
	if published < 40 {
		t.Errorf("%d models with a published figure, want the stdlib's ImageNet models (at least 40)", published)
	}
}

func TestParseAccuraciesErrors(t *testing.T) {
	const header = "model\ttop1\ttop5\tsize\tweights\tsource\tnote\n"
	row := func(fields ...string) string { return strings.Join(fields, "\t") + "\n" }
	cases := []struct{ name, text, want string }{
		{"no header", "# only comments\n", "no header"},
		{"bad header", "model\ttop1\tx\tsize\tweights\tsource\tnote\n", "header"},
		{"short row", header + "m\t1\n", "2 fields, want 7"},
		{"twice", header + row("m", "70", "90", "224", "w", "https://x", "") + row("m", "70", "90", "224", "w", "https://x", ""), "listed twice"},
		{"not https", header + row("m", "70", "90", "224", "w", "x", ""), "https source"},
		{"bad size", header + row("m", "70", "90", "0", "w", "https://x", ""), "size"},
		{"over 100", header + row("m", "101", "-", "224", "w", "https://x", ""), "top1"},
		{"fraction ok but zero", header + row("m", "0", "-", "224", "w", "https://x", ""), "top1"},
		{"top5 below top1", header + row("m", "80", "70", "224", "w", "https://x", ""), "below top1"},
		{"absent without reason", header + row("m", "-", "-", "224", "w", "https://x", ""), "note saying why"},
		{"absent with top5", header + row("m", "-", "90", "224", "w", "https://x", "why"), "note saying why"},
	}
	for _, c := range cases {
		_, err := parseAccuracies(c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	rows, err := parseAccuracies(header + row("m", "70.5", "-", "256", "w", "https://x", "n"))
	if err != nil || len(rows) != 1 || rows[0].Top1 != 70.5 || rows[0].Top5 != 0 || rows[0].Size != 256 || !rows[0].Published {
		t.Errorf("a good row: %+v, %v", rows, err)
	}
}

// FuzzParseAccuracies: any text gives rows or an error, never a panic, and
// every row it accepts is well formed.
func FuzzParseAccuracies(f *testing.F) {
	f.Add(accuracyTable[:min(len(accuracyTable), 4000)])
	f.Add("model\ttop1\ttop5\tsize\tweights\tsource\tnote\nm\t-\t-\t1\tw\thttps://\tn\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		rows, err := parseAccuracies(text)
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Model == "" || r.Size <= 0 || (r.Published && !(r.Top1 > 0 && r.Top1 <= 100)) || (!r.Published && r.Note == "") {
				t.Fatalf("accepted a bad row: %+v", r)
			}
		}
	})
}
