package compiler

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/resc-dev/resc/diag"
)

// expectRE finds the expectations written in error-case files: a comment
// `# ERROR "regexp"` on the line where an error must be reported. The
// regexp is matched against the rendered diagnostic, chain included.
var expectRE = regexp.MustCompile(`# ERROR "((?:[^"\\]|\\.)*)"`)

// TestErrorCases checks each testdata/errors/*.res: every expected error is
// reported on its line, and nothing else is reported.
func TestErrorCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.res")
	if len(files) < 10 {
		t.Fatalf("found %d error cases", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int][]*regexp.Regexp{}
			for i, line := range strings.Split(string(src), "\n") {
				for _, m := range expectRE.FindAllStringSubmatch(line, -1) {
					want[i+1] = append(want[i+1], regexp.MustCompile(strings.ReplaceAll(m[1], `\"`, `"`)))
				}
			}
			if len(want) == 0 {
				t.Fatal("no # ERROR expectations")
			}
			got := diagnose(path)
			if len(got) == 0 {
				t.Fatal("no errors reported")
			}
			for _, e := range got {
				// An error inside an imported block is expected at the
				// line of this file that instantiated it.
				pos := e.Pos
				for _, f := range e.Chain {
					if pos.Src.Name == path {
						break
					}
					pos = f.Pos
				}
				line, _ := pos.Src.LineCol(pos.Offset)
				var b bytes.Buffer
				diag.Render(&b, e)
				text := b.String()
				matched := false
				for i, re := range want[line] {
					if re != nil && re.MatchString(text) {
						want[line][i] = nil
						matched = true
						break
					}
				}
				if !matched {
					t.Errorf("unexpected error:\n%s", text)
				}
			}
			for line, res := range want {
				for _, re := range res {
					if re != nil {
						t.Errorf("line %d: no error matching %q", line, re)
					}
				}
			}
		})
	}
}

// diagnose checks a file the way `resc check` does and returns its errors.
func diagnose(path string) []*diag.Error {
	p, err := LoadFile(path)
	if err == nil {
		err = p.Check()
	}
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
		l, _ := list.Normalize()
		return l
	case errors.As(err, &one):
		return []*diag.Error{one}
	}
	return nil
}

func TestImportCycle(t *testing.T) {
	_, err := LoadFile("testdata/errors/cycle/a.res")
	if err == nil || !strings.Contains(err.Error(), "import cycle: testdata/errors/cycle/a.res -> testdata/errors/cycle/b.res -> testdata/errors/cycle/a.res") {
		t.Fatalf("got %v", err)
	}
}

// TestErrorCap checks that a file with many errors reports at most
// diag.MaxErrors, sorted by position.
func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("network n() {\n  input(3, 8, 8)\n")
	for i := 0; i < 25; i++ {
		b.WriteString("  relu(nope)\n")
	}
	b.WriteString("}\n")
	p, err := LoadSource("many.res", b.String())
	if err != nil {
		t.Fatal(err)
	}
	var list diag.List
	if !errors.As(p.Check(), &list) {
		t.Fatal("want a diagnostic list")
	}
	l, dropped := list.Normalize()
	if len(l) != diag.MaxErrors || dropped == 0 {
		t.Fatalf("kept %d, dropped %d", len(l), dropped)
	}
	for i := 1; i < len(l); i++ {
		if l[i].Pos.Offset < l[i-1].Pos.Offset {
			t.Fatal("not sorted by position")
		}
	}
}
