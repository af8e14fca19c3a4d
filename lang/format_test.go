package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/resc-dev/resc/diag"
)

// sameAST compares two files' syntax trees, ignoring positions.
var sameAST = []cmp.Option{
	cmpopts.IgnoreTypes(diag.Pos{}),
	cmpopts.IgnoreFields(File{}, "Src", "Comments"),
}

func commentTexts(f *File) []string {
	var out []string
	for _, c := range f.Comments {
		out = append(out, c.Text)
	}
	return out
}

// roundTrip checks the formatter's contract on one source: parse, format,
// parse again gives the same tree and the same comments, and formatting
// the formatted text changes nothing.
func roundTrip(t *testing.T, name, src string) {
	t.Helper()
	f1, err := Parse(name, src)
	if err != nil {
		return // only valid input has a contract
	}
	out1 := Format(f1)
	f2, err := Parse(name, string(out1))
	if err != nil {
		t.Fatalf("formatted output does not parse: %v\n%s", err, out1)
	}
	if d := cmp.Diff(f1, f2, sameAST...); d != "" {
		t.Fatalf("formatting changed the tree (-before +after):\n%s\nformatted:\n%s", d, out1)
	}
	if d := cmp.Diff(commentTexts(f1), commentTexts(f2)); d != "" {
		t.Fatalf("formatting lost or changed comments:\n%s", d)
	}
	if out2 := Format(f2); string(out2) != string(out1) {
		t.Fatalf("formatting is not idempotent:\n%s\nthen:\n%s", out1, out2)
	}
}

func corpus(t testing.TB) map[string]string {
	files := map[string]string{}
	for _, pattern := range []string{"../stdlib/*.res", "../examples/*.res", "testdata/*.res"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[p] = string(b)
		}
	}
	return files
}

func TestFormatRoundTrip(t *testing.T) {
	files := corpus(t)
	if len(files) < 3 {
		t.Fatalf("corpus has %d files", len(files))
	}
	for name, src := range files {
		t.Run(filepath.Base(name), func(t *testing.T) { roundTrip(t, name, src) })
	}
}

// TestStdlibIsFormatted keeps the shipped sources in canonical form.
func TestStdlibIsFormatted(t *testing.T) {
	for name, src := range corpus(t) {
		if strings.HasPrefix(name, "testdata") {
			continue
		}
		f, err := Parse(name, src)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if out := string(Format(f)); out != src {
			t.Errorf("%s is not formatted; run resc fmt -w %s", name, name)
		}
	}
}

// TestFormatGolden checks the canonical form of a messy input.
func TestFormatGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/messy.res.in")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/messy.res")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("messy.res.in", string(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(Format(f)); got != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// maxFuzzSource caps a fuzz input: parsing grows with the source, and
// small inputs reach the grammar's corners as well, thousands a second.
const maxFuzzSource = 2 << 10

func FuzzParseFormat(f *testing.F) {
	messy, err := os.ReadFile("testdata/messy.res.in")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(messy))
	f.Add("network n() { input(3, 8, 8); x: relu }")
	f.Add(`const a = -(-1) + 2 * (3 - 4) // 5 % 6 > 1 ? "s{a}" : "{{x}}"`)
	f.Add("import \"resnet\"\n# c\nfn f(x: list[int], y: float = 1e-5) = not x[0] == 1 and y >= 2.0 or f(x)(y: 1)\n")
	f.Add("block b(u: block) {\n  residual {  # r\n    preact { bn(); relu }\n    \"{i}\": u\n  } shortcut s: auto(projection())\n  paths 2 { gate { gap } }\n  if a { } else if b { } else { }\n  for i in 0..3 { assert i < 3, \"m\" }\n}\nnetwork n = b(relu)\n")
	f.Add("block b() {\n  let x = [1, 2][1:] + [3][:1]\n  x = (-2) ** 3 ** 2 + -(2 ** 2)\n  for w in x { output \"o{w}\" }\n  paths 2 as i { conv(i + 1, 1) }\n  residual { relu } shortcut s: { pad_channels(after: 0) }\n}\n")
	// Statements that, on a line of their own, would continue the one
	// before them: the ";" between them must survive formatting.
	f.Add("block b() {\n  x = 1; -(2)\n  y = 2; [3]\n  z = 3; (relu)\n}\n")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > maxFuzzSource {
			return
		}
		// A hang is a failure too: parse and format must finish quickly.
		done := make(chan struct{})
		go func() {
			defer close(done)
			roundTrip(t, "fuzz.res", src)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("parse and format of %d bytes took over 5s: %q", len(src), src)
		}
	})
}
