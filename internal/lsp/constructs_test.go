package lsp

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc"
)

// newSrc uses the constructs of the language's second edition: a custom
// shortcut, paths with an index, a loop over a list, and a warning.
const newSrc = `block unit(planes: int, stride: int = 1) {
  let grow = planes - channels
  residual {
    conv1: conv(planes, 3, stride: stride)
    bn1: bn
  } shortcut downsample: {
    if stride > 1 {
      avgpool(2, ceil: true)
    }
    pad_channels(after: grow)
  }
}

block multi(out: int) {
  paths: paths 2 as i {
    conv: conv(out, 3, dilation: i + 1)
  }
}

network net() {
  input(3, 16, 16)
  conv1: conv(8, 3)
  for w in [12, 16] {
    "u{w}": unit(w, stride: 2)
  }
  m: multi(16)
  gap
  flatten
  fc1: fc(10)
  fc2: fc(10)
}
`

func TestNewConstructs(t *testing.T) {
	c := newClient(t)
	var init initializeResult
	c.result("initialize", map[string]any{"capabilities": map[string]any{}}, &init)
	path := filepath.Join(t.TempDir(), "new.res")
	uri := pathToURI(path)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 1, "text": newSrc}})

	// Warnings as resc check gives them, as warnings.
	d := c.diagnostics(uri)
	warnings, err := resc.VetString(path, newSrc, resc.Limits{})
	if err != nil || len(warnings) == 0 {
		t.Fatalf("resc check: %v, %v", warnings, err)
	}
	if len(d.Diagnostics) != len(warnings) {
		t.Fatalf("diagnostics %+v, resc check's warnings %+v", d.Diagnostics, warnings)
	}
	for i, w := range warnings {
		g := d.Diagnostics[i]
		if g.Severity != severityWarning || "warning: "+g.Message != w.Message || g.Range.Start != (Position{w.Position.Line - 1, w.Position.Column - 1}) {
			t.Errorf("diagnostic %+v, resc check %+v", g, w)
		}
	}

	for _, tc := range []struct {
		name, needle string
		k            int
		want         []string
	}{
		{"in a custom shortcut", "pad_channels", 0, []string{"2 times", "→ `[N,12,8,8]`", "→ `[N,16,4,4]`"}},
		{"a custom shortcut", "} shortcut", 3, []string{"2 times", "→ `[N,12,8,8]`", "→ `[N,16,4,4]`"}},
		{"paths index", "i + 1", 0, []string{"paths 2 as i"}},
		{"list loop variable", "{w}", 1, []string{"for w in [12, 16]"}},
		{"in paths", "conv: conv(out", 0, []string{"2 times", "→ `[N,16,4,4]`"}},
	} {
		got := c.hoverText(uri, where(t, newSrc, tc.needle, tc.k))
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: hover lacks %q:\n%s", tc.name, w, got)
			}
		}
	}
	var locs []Location
	c.result("textDocument/definition", at(uri, where(t, newSrc, "i + 1", 0)), &locs)
	if len(locs) != 1 || locs[0].Range.Start != where(t, newSrc, "i {", 0) {
		t.Errorf("definition of a paths index: %+v", locs)
	}
}
