package lsp

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/lang"
	"github.com/resc-dev/resc/stdlib"
)

const mainSrc = `import "resnet"
import "lib.res"

const WIDTH = 8

# A residual unit
# of one conv.
block unit(planes: int, stride: int = 1) {
  residual {
    conv1: conv(planes, 3, stride: stride)
    bn1: bn()
    relu
  } shortcut proj: projection()
  relu
}

network tiny(classes: int = 10) {
  input(3, 16, 16)
  stem: conv(twice(WIDTH) // 2, 3)
  for i in 0..2 {
    "layer{i}": unit(WIDTH, stride: 1)
  }
  b: basic(WIDTH)
  gap
  flatten
  fc: fc(classes)
}
`

const libSrc = "fn twice(x: int) = 2 * x\n"

// where is the position of the k-th byte of the first occurrence of
// needle in text (ASCII text: bytes and UTF-16 units agree).
func where(t *testing.T, text, needle string, k int) Position {
	t.Helper()
	i := strings.Index(text, needle)
	if i < 0 {
		t.Fatalf("%q not in the text", needle)
	}
	return positionOf(text, i+k, utf16)
}

// setup writes the test program and opens it; it returns the client and
// the document's URI.
func setup(t *testing.T) (*client, string, string) {
	dir := t.TempDir()
	mainPath := filepath.Join(dir, "main.res")
	for name, text := range map[string]string{"main.res": mainSrc, "lib.res": libSrc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t)
	var init initializeResult
	c.result("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}}, &init)
	for _, capability := range []string{"hoverProvider", "definitionProvider", "documentFormattingProvider", "completionProvider", "textDocumentSync"} {
		if init.Capabilities[capability] == nil {
			t.Errorf("initialize: no %s in %v", capability, init.Capabilities)
		}
	}
	if init.Capabilities["positionEncoding"] != "utf-16" {
		t.Errorf("position encoding %v, want utf-16 (the client offered nothing else)", init.Capabilities["positionEncoding"])
	}
	c.notify("initialized", map[string]any{})
	uri := pathToURI(mainPath)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "res", "version": 1, "text": mainSrc}})
	if d := c.diagnostics(uri); len(d.Diagnostics) != 0 || d.Version == nil || *d.Version != 1 {
		t.Fatalf("a valid file has diagnostics: %+v", d)
	}
	return c, uri, dir
}

func (c *client) hoverText(uri string, p Position) string {
	c.t.Helper()
	var h *Hover
	c.result("textDocument/hover", at(uri, p), &h)
	if h == nil {
		return ""
	}
	return h.Contents.Value
}

func TestSession(t *testing.T) {
	c, uri, dir := setup(t)

	t.Run("hover", func(t *testing.T) {
		for _, tc := range []struct {
			name, needle string
			k            int
			want         []string
		}{
			// A layer: its output shape, parameters and weight's name.
			{"layer", "stem:", 1, []string{"`stem (Conv)` → `[N,8,16,16]` · 216 parameters", "`stem.weight` [8,3,3,3]"}},
			// A block call in a loop: both executions, labelled by scope.
			{"block call", `"layer{i}"`, 3, []string{"2 times", "`block unit \"layer0\"` → `[N,8,16,16]` · 704 parameters (32 non-trainable)",
				"`block unit \"layer1\"`", "`layer0.conv1.weight` [8,8,3,3]", "`layer0.bn1.running_var` [8]"}},
			// A layer inside a block: every instance.
			{"layer in a block", "conv1:", 0, []string{"2 times", "`layer0.conv1 (Conv)` → `[N,8,16,16]` · 576 parameters", "`layer1.conv1 (Conv)`"}},
			// A stdlib block's call: its signature, and what it added.
			{"stdlib block", "basic(WIDTH)", 2, []string{"block basic(planes: int, stride: int = 1", "`b.conv1.weight` [8,8,3,3]"}},
			// A comment above a declaration is its documentation.
			{"documented block", "unit(WIDTH", 1, []string{"block unit(planes: int, stride: int = 1)\n```\n\nA residual unit\nof one conv."}},
			// The residual: the merge's shape and everything inside.
			{"residual", "residual {", 2, []string{"`layer0.add (Add)` → `[N,8,16,16]` · 704 parameters (32 non-trainable)"}},
			// Its shortcut clause: the projection's layers.
			{"shortcut", "} shortcut", 3, []string{"2 times", "→ `[N,8,16,16]` · 96 parameters (16 non-trainable)", "`layer0.proj.0.weight` [8,8,1,1]"}},
			// A network's name: its input and output.
			{"network", "tiny", 1, []string{"network tiny(classes: int = 10)", "input `[N,3,16,16]` → output `logits` `[N,10]`"}},
			{"builtin", "conv(planes", 1, []string{"conv(out: int, kernel: int, stride: int = 1", "2-D convolution"}},
			{"named argument", "stride: stride", 1, []string{"(parameter of conv) stride: int = 1"}},
			{"parameter", "stride)", 1, []string{"(parameter) stride: int = 1"}},
			{"fn", "twice(", 1, []string{"fn twice(x: int) = 2 * x"}},
			{"const", "WIDTH)", 1, []string{"const WIDTH = 8"}},
			{"loop variable", "{i}", 1, []string{"for i in 0..2"}},
		} {
			got := c.hoverText(uri, where(t, mainSrc, tc.needle, tc.k))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s: hover lacks %q:\n%s", tc.name, w, got)
				}
			}
		}
		// The network's totals are resc summary's.
		m, err := resc.LoadFile(filepath.Join(dir, "main.res"), resc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := m.Summary()
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("· %s parameters (%s non-trainable)", thousands(sum.Total), thousands(sum.NonTrainable))
		if got := c.hoverText(uri, where(t, mainSrc, "tiny", 0)); !strings.Contains(got, want) {
			t.Errorf("network: hover lacks %q:\n%s", want, got)
		}
		if got := c.hoverText(uri, where(t, mainSrc, "import", 0)); got != "" {
			t.Errorf("hover on a keyword: %q", got)
		}
	})

	t.Run("definition", func(t *testing.T) {
		resnet, _ := stdlib.Source("resnet")
		for _, tc := range []struct {
			name, needle string
			k            int
			file, text   string // the file and text of the declaration
			decl         string // the declaration's text, starting at its name
		}{
			{"stdlib block", "basic(WIDTH)", 1, "resnet.res", resnet, "basic(planes"},
			{"block", "unit(WIDTH, stride: 1)", 1, "main.res", mainSrc, "unit(planes"},
			{"const", "WIDTH)", 2, "main.res", mainSrc, "WIDTH = 8"},
			{"parameter", "stride)", 2, "main.res", mainSrc, "stride: int = 1"},
			{"named argument", "stride: 1", 2, "main.res", mainSrc, "stride: int = 1"},
			{"fn in an import", "twice(", 0, "lib.res", libSrc, "twice(x"},
			{"loop variable", "{i}", 1, "main.res", mainSrc, "i in 0..2"},
		} {
			var locs []Location
			c.result("textDocument/definition", at(uri, where(t, mainSrc, tc.needle, tc.k)), &locs)
			if len(locs) != 1 {
				t.Errorf("%s: %d locations", tc.name, len(locs))
				continue
			}
			path := uriToPath(locs[0].URI)
			if filepath.Base(path) != tc.file {
				t.Errorf("%s: definition in %s, want %s", tc.name, locs[0].URI, tc.file)
				continue
			}
			if got := locs[0].Range.Start; got != where(t, tc.text, tc.decl, 0) {
				t.Errorf("%s: definition at %+v, want %+v", tc.name, got, where(t, tc.text, tc.decl, 0))
			}
			// The file is there for the editor to open, with that text.
			if b, err := os.ReadFile(path); err != nil || string(b) != tc.text {
				t.Errorf("%s: %s: %v", tc.name, path, err)
			}
		}
		for needle, file := range map[string]string{`"resnet"`: "resnet.res", `"lib.res"`: "lib.res"} {
			var locs []Location
			c.result("textDocument/definition", at(uri, where(t, mainSrc, needle, 2)), &locs)
			if len(locs) != 1 || filepath.Base(uriToPath(locs[0].URI)) != file {
				t.Errorf("import %s: %+v", needle, locs)
			}
		}
		var locs []Location
		c.result("textDocument/definition", at(uri, where(t, mainSrc, "relu", 1)), &locs)
		if len(locs) != 0 {
			t.Errorf("a builtin has a definition: %+v", locs)
		}
	})

	t.Run("completion", func(t *testing.T) {
		labels := func(p Position) map[string]CompletionItem {
			var l completionList
			c.result("textDocument/completion", at(uri, p), &l)
			out := map[string]CompletionItem{}
			for _, it := range l.Items {
				out[it.Label] = it
			}
			return out
		}
		// After "conv(planes, 3, ": conv's parameters not yet given first.
		got := labels(where(t, mainSrc, "stride: stride", 0))
		if it, ok := got["dilation"]; !ok || it.InsertText != "dilation: " || it.SortText >= got["unit"].SortText {
			t.Errorf("in conv(: dilation is %+v", it)
		}
		// At a statement: builtin layers, blocks (the stdlib's too), keywords.
		got = labels(where(t, mainSrc, "gap", 0))
		for _, w := range []string{"conv", "relu", "unit", "basic", "bottleneck", "twice", "WIDTH", "classes", "residual", "projection"} {
			if _, ok := got[w]; !ok {
				t.Errorf("completion at a statement lacks %s", w)
			}
		}
		if _, ok := got["dilation"]; ok {
			t.Error("conv's parameters proposed outside a call")
		}
		// In an import's string: the stdlib modules.
		got = labels(where(t, mainSrc, `"resnet"`, 1))
		if _, ok := got["timm"]; !ok || len(got) != len(stdlib.Modules()) {
			t.Errorf("in an import: %v", got)
		}
		// After naming: the styles.
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": 5},
			"contentChanges": []any{map[string]any{"text": mainSrc + "network m() {\n  naming to\n"}},
		})
		c.diagnostics(uri)
		got = labels(Position{len(strings.Split(mainSrc, "\n")), 11})
		if _, ok := got["torch"]; !ok || len(got) != 2 {
			t.Errorf("after naming: %v", got)
		}
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": 6},
			"contentChanges": []any{map[string]any{"text": mainSrc}},
		})
		if d := c.diagnostics(uri); len(d.Diagnostics) != 0 {
			t.Fatalf("diagnostics after the undo: %+v", d.Diagnostics)
		}
		// After "unit(": the block's own parameters.
		got = labels(where(t, mainSrc, "unit(WIDTH, stride: 1)", 5))
		if it, ok := got["stride"]; !ok || it.Detail != "stride: int = 1" {
			t.Errorf("in unit(: stride is %+v", it)
		}
	})

	t.Run("diagnostics", func(t *testing.T) {
		// An edit that makes the block fail in each instantiation: the
		// diagnostic is resc check's, with its chain.
		edit := "    assert planes > 100, \"planes {planes} is too few\"\n"
		p := where(t, mainSrc, "  residual", 0)
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": 2},
			"contentChanges": []any{map[string]any{"range": Range{p, p}, "text": edit}},
		})
		text := strings.Replace(mainSrc, "  residual", edit+"  residual", 1)
		d := c.diagnostics(uri)
		if *d.Version != 2 {
			t.Errorf("version %d", *d.Version)
		}
		want := resc.Diagnostics(resc.CheckString(filepath.Join(dir, "main.res"), text, resc.Limits{}))
		if len(want) == 0 || len(d.Diagnostics) != len(want) {
			t.Fatalf("%d diagnostics, resc check has %d: %+v", len(d.Diagnostics), len(want), d.Diagnostics)
		}
		for i, w := range want {
			g := d.Diagnostics[i]
			if g.Message != w.Message || g.Range.Start != (Position{w.Position.Line - 1, w.Position.Column - 1}) {
				t.Errorf("diagnostic %d: %+v, resc check: %+v", i, g, w)
			}
			if len(g.RelatedInformation) != len(w.Chain) {
				t.Fatalf("diagnostic %d: related %+v, chain %+v", i, g.RelatedInformation, w.Chain)
			}
			for j, f := range w.Chain {
				r := g.RelatedInformation[j]
				if r.Message != "in "+f.What || r.Location.URI != uri || r.Location.Range.Start != (Position{f.Position.Line - 1, f.Position.Column - 1}) {
					t.Errorf("frame %d: %+v, resc check: %+v", j, r, f)
				}
			}
		}
		if !strings.Contains(d.Diagnostics[0].Message, "planes 8 is too few") || !strings.Contains(d.Diagnostics[0].RelatedInformation[0].Message, `block unit "layer0"`) {
			t.Errorf("diagnostic: %+v", d.Diagnostics[0])
		}
		// A syntax error while typing; completion still knows the blocks.
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": 3},
			"contentChanges": []any{map[string]any{"text": mainSrc + "block broken(\n"}},
		})
		d = c.diagnostics(uri)
		if len(d.Diagnostics) != 1 || !strings.Contains(d.Diagnostics[0].Message, "syntax error") {
			t.Errorf("syntax error: %+v", d.Diagnostics)
		}
		var l completionList
		c.result("textDocument/completion", at(uri, where(t, mainSrc+"block broken(\n", "gap", 0)), &l)
		found := false
		for _, it := range l.Items {
			found = found || it.Label == "bottleneck"
		}
		if !found {
			t.Error("completion forgets the blocks while the text does not parse")
		}
		// Back to valid: the diagnostics clear.
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": 4},
			"contentChanges": []any{map[string]any{"text": mainSrc}},
		})
		if d := c.diagnostics(uri); len(d.Diagnostics) != 0 {
			t.Errorf("diagnostics after the fix: %+v", d.Diagnostics)
		}
	})

	t.Run("typing", func(t *testing.T) {
		// Keystrokes faster than the checks: each is applied, the checks
		// may be coalesced, and the last diagnostics are the last text's.
		p := where(t, mainSrc, "  gap", 0)
		typed := "  relu(x)  # typed"
		for i := range len(typed) {
			q := Position{p.Line, p.Character + i}
			c.notify("textDocument/didChange", map[string]any{
				"textDocument":   map[string]any{"uri": uri, "version": 10 + i},
				"contentChanges": []any{map[string]any{"range": Range{q, q}, "text": typed[i : i+1]}},
			})
		}
		final := 10 + len(typed) - 1
		// A request is answered on the edited text.
		text := strings.Replace(mainSrc, "  gap", typed+"  gap", 1)
		if got := c.hoverText(uri, where(t, text, "# typed", 0)); got != "" {
			t.Errorf("hover on the new comment: %q", got)
		}
		last := 0
		var d publishDiagnosticsParams
		for last < final {
			d = c.diagnostics(uri)
			if *d.Version <= last {
				t.Fatalf("diagnostics for version %d after %d", *d.Version, last)
			}
			last = *d.Version
		}
		want := resc.Diagnostics(resc.CheckString(filepath.Join(dir, "main.res"), text, resc.Limits{}))
		if len(want) == 0 || len(d.Diagnostics) != len(want) {
			t.Fatalf("after typing: %+v, resc check: %+v", d.Diagnostics, want)
		}
		for i, w := range want {
			if g := d.Diagnostics[i]; g.Message != w.Message || g.Range.Start != (Position{w.Position.Line - 1, w.Position.Column - 1}) {
				t.Errorf("after typing: %+v, resc check: %+v", g, w)
			}
		}
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": 100},
			"contentChanges": []any{map[string]any{"text": mainSrc}},
		})
		if d := c.diagnostics(uri); len(d.Diagnostics) != 0 {
			t.Errorf("diagnostics after the undo: %+v", d.Diagnostics)
		}
	})

	t.Run("open import", func(t *testing.T) {
		// An import open in the editor is read as it is there, unsaved;
		// its edits re-check the document that imports it.
		luri := pathToURI(filepath.Join(dir, "lib.res"))
		lib := "fn twice(x: int) = 3 * x\n"
		c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": luri, "languageId": "res", "version": 1, "text": lib}})
		var main publishDiagnosticsParams
		for range 2 {
			d := c.diagnostics("")
			if d.URI == uri {
				main = d
			} else if d.URI != luri || len(d.Diagnostics) != 0 {
				t.Errorf("lib.res: %+v", d)
			}
		}
		if main.URI != uri || len(main.Diagnostics) != 0 {
			t.Fatalf("main.res after opening lib.res: %+v", main)
		}
		if got := c.hoverText(uri, where(t, mainSrc, "stem:", 0)); !strings.Contains(got, "`[N,12,16,16]`") {
			t.Errorf("stem with twice = 3x: %s", got)
		}
		// An error in the import: shown on main.res's import, with its place.
		broken := "fn twice(x: int) = 3 * y\n"
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": luri, "version": 2},
			"contentChanges": []any{map[string]any{"text": broken}},
		})
		for main.URI = ""; main.URI != uri; {
			main = c.diagnostics("")
		}
		if len(main.Diagnostics) != 1 {
			t.Fatalf("main.res with a broken import: %+v", main)
		}
		g := main.Diagnostics[0]
		if g.Range.Start != where(t, mainSrc, `import "lib.res"`, 0) || !strings.HasSuffix(g.Message, "lib.res:1:24: undefined: y") ||
			len(g.RelatedInformation) != 1 || g.RelatedInformation[0].Location.URI != luri || g.RelatedInformation[0].Location.Range.Start != (Position{0, 23}) {
			t.Errorf("main.res with a broken import: %+v", g)
		}
		// Closed unsaved: the file on disk again.
		c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": luri}})
		for main.URI = ""; main.URI != uri; {
			main = c.diagnostics("")
		}
		if len(main.Diagnostics) != 0 {
			t.Errorf("main.res after closing lib.res: %+v", main)
		}
		if got := c.hoverText(uri, where(t, mainSrc, "stem:", 0)); !strings.Contains(got, "`[N,8,16,16]`") {
			t.Errorf("stem with twice = 2x: %s", got)
		}
	})

	t.Run("formatting", func(t *testing.T) {
		messy := "network   n( ) {\n    input(3,8,8)   # the input\n  conv(4,3)\n}"
		muri := pathToURI(filepath.Join(dir, "messy.res"))
		c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": muri, "languageId": "res", "version": 1, "text": messy}})
		c.diagnostics(muri)
		var edits []TextEdit
		c.result("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": muri}, "options": map[string]any{"tabSize": 2, "insertSpaces": true}}, &edits)
		f, err := lang.Parse("messy.res", messy)
		if err != nil {
			t.Fatal(err)
		}
		if len(edits) != 1 || edits[0].NewText != string(lang.Format(f)) || edits[0].Range != rangeOf(messy, 0, len(messy), utf16) {
			t.Errorf("formatting: %+v", edits)
		}
		c.result("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri}}, &edits)
		if len(edits) != 0 {
			t.Errorf("formatting a formatted file: %+v", edits)
		}
		c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": muri}})
		if d := c.diagnostics(muri); len(d.Diagnostics) != 0 {
			t.Errorf("close: %+v", d)
		}
	})

	t.Run("shutdown", func(t *testing.T) {
		res, err := c.call("shutdown", nil)
		if err != nil || string(res) != "null" {
			t.Fatalf("shutdown: %s %v", res, err)
		}
		if _, err := c.call("textDocument/hover", at(uri, Position{})); err == nil || err.Code != codeInvalidRequest {
			t.Errorf("hover after shutdown: %+v", err)
		}
		c.notify("exit", nil)
		if err := <-c.done; err != nil {
			t.Errorf("Serve after shutdown and exit: %v", err)
		}
	})
}

// TestProtocolErrors checks the replies to what a client should not send.
func TestProtocolErrors(t *testing.T) {
	c := newClient(t)
	if _, err := c.call("textDocument/hover", at("file:///x.res", Position{})); err == nil || err.Code != codeServerNotInitialized {
		t.Errorf("hover before initialize: %+v", err)
	}
	var init initializeResult
	c.result("initialize", map[string]any{"capabilities": map[string]any{"general": map[string]any{"positionEncodings": []string{"utf-8", "utf-16"}}}}, &init)
	if init.Capabilities["positionEncoding"] != "utf-8" {
		t.Errorf("position encoding %v, want utf-8 (offered first)", init.Capabilities["positionEncoding"])
	}
	if _, err := c.call("workspace/symbol", map[string]any{}); err == nil || err.Code != codeMethodNotFound {
		t.Errorf("unknown method: %+v", err)
	}
	if _, err := c.call("textDocument/hover", at("file:///not-open.res", Position{})); err == nil || err.Code != codeInvalidParams {
		t.Errorf("hover on a closed document: %+v", err)
	}
	if _, err := c.call("textDocument/hover", "not an object"); err == nil || err.Code != codeInvalidParams {
		t.Errorf("bad params: %+v", err)
	}
	// Content that is not JSON: a parse error, and the session goes on.
	if _, err := c.out.Write([]byte("Content-Length: 5\r\n\r\n{oops")); err != nil {
		t.Fatal(err)
	}
	if m := c.next(); m.Error == nil || m.Error.Code != codeParseError || string(m.ID) != "null" {
		t.Errorf("bad JSON: %+v", m)
	}
	// Exit without shutdown: Serve says so.
	c.notify("exit", nil)
	if err := <-c.done; err != ErrNoShutdown {
		t.Errorf("exit without shutdown: %v", err)
	}
}

// TestStdlibDocument opens a stdlib module's copy, as go to definition
// leads the editor to: it is the stdlib module (no duplicate
// declarations), and its own imports resolve.
func TestStdlibDocument(t *testing.T) {
	c := newClient(t)
	var init initializeResult
	c.result("initialize", map[string]any{"capabilities": map[string]any{}}, &init)
	var locs []Location
	text := "import \"resnet\"\nnetwork n = resnet(basic, [1, 1, 1, 1], size: 32)\n"
	uri := pathToURI(filepath.Join(t.TempDir(), "n.res"))
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 1, "text": text}})
	if d := c.diagnostics(uri); len(d.Diagnostics) != 0 {
		t.Fatalf("%+v", d.Diagnostics)
	}
	c.result("textDocument/definition", at(uri, where(t, text, "resnet(", 1)), &locs)
	if len(locs) != 1 {
		t.Fatalf("definition: %+v", locs)
	}
	resnet, _ := stdlib.Source("resnet")
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": locs[0].URI, "version": 1, "text": resnet}})
	if d := c.diagnostics(locs[0].URI); len(d.Diagnostics) != 0 {
		t.Fatalf("the stdlib copy has diagnostics: %+v", d.Diagnostics)
	}
	// From the copy to the module it imports.
	var inner []Location
	c.result("textDocument/definition", at(locs[0].URI, where(t, resnet, `"common"`, 1)), &inner)
	if len(inner) != 1 || filepath.Base(uriToPath(inner[0].URI)) != "common.res" {
		t.Errorf("import in the stdlib copy: %+v", inner)
	}
	// Edited (it is read-only on disk, not in the editor's buffer), it is
	// a file of its own: its edits count, and it still imports "common".
	edited := strings.Replace(resnet, "  relu\n}", "  relu\n  bogus\n}", 1)
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": locs[0].URI, "version": 2},
		"contentChanges": []any{map[string]any{"text": edited}},
	})
	d := c.diagnostics(locs[0].URI)
	if len(d.Diagnostics) == 0 || !strings.Contains(d.Diagnostics[0].Message, "bogus") || d.Diagnostics[0].Range.Start != where(t, edited, "bogus", 0) {
		t.Errorf("the edited stdlib copy: %+v", d.Diagnostics)
	}
	var h *Hover
	c.result("textDocument/hover", at(locs[0].URI, where(t, edited, "conv1: conv(planes, 3", 0)), &h)
	if h != nil {
		t.Errorf("hover in a block whose networks all fail: %+v", h)
	}
}

// TestNoStdlibCopies: where the stdlib copies cannot be written, the
// server says so and works, without definitions into the stdlib.
func TestNoStdlibCopies(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	c := newClientWith(t, Options{StdlibRoot: file, Log: &syncWriter{w: &log}})
	var init initializeResult
	c.result("initialize", map[string]any{"capabilities": map[string]any{}}, &init)
	text := "import \"resnet\"\nnetwork n = resnet(basic, [1, 1, 1, 1], size: 32, classes: -1)\n"
	uri := pathToURI(filepath.Join(t.TempDir(), "n.res"))
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 1, "text": text}})
	d := c.diagnostics(uri)
	if len(d.Diagnostics) == 0 {
		t.Fatal("no diagnostics for classes: -1")
	}
	for _, r := range d.Diagnostics[0].RelatedInformation {
		if r.Location.URI == "" || strings.HasPrefix(r.Location.URI, "stdlib/") {
			t.Errorf("a related place without a URI: %+v", r)
		}
	}
	var locs []Location
	c.result("textDocument/definition", at(uri, where(t, text, "resnet(", 1)), &locs)
	if len(locs) != 0 {
		t.Errorf("definition without stdlib copies: %+v", locs)
	}
	c.call("shutdown", nil)
	c.notify("exit", nil)
	<-c.done
	if !strings.Contains(log.String(), "cannot write the stdlib") {
		t.Errorf("log: %q", log.String())
	}
}

// syncWriter lets the test read what the server's goroutine wrote.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
