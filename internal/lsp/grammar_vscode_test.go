package lsp

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/stdlib"
)

// textmateModules is where scripts/install-textmate.sh puts VS Code's
// TextMate engine, or "".
func textmateModules() string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home := os.Getenv("HOME")
		if home == "" {
			return ""
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "resc", "textmate-9.3.2", "node_modules")
}

// TestGrammarVSCode runs the grammar in VS Code's own engine
// (vscode-textmate on Oniguruma) over every stdlib file and the samples
// of the other grammar tests, and checks that it gives every byte the
// scopes the Go engine of grammar_test.go gives: the Go engine's verdicts
// are VS Code's.
func TestGrammarVSCode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node: %v", err)
	}
	modules := textmateModules()
	if _, err := os.Stat(filepath.Join(modules, "vscode-textmate", "package.json")); err != nil {
		testenv.Missing(t, "vscode-textmate (scripts/install-textmate.sh installs it): %v", err)
	}
	g := loadGrammar(t)
	dir := t.TempDir()
	texts := map[string]string{
		"keywords.res": strings.Join(append(keywordsAndComing(), "blocks inputs x_for for_x as2"), " (\"{x}\") f(x) \n") + "\n",
		"scopes.res":   grammarSample,
	}
	for _, m := range stdlib.Modules() {
		texts[m+".res"], _ = stdlib.Source(m)
	}
	var files []string
	for name, text := range texts {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	grammar, err := filepath.Abs(grammarPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, append([]string{"testdata/vscode-tokenize.js", grammar}, files...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vscode-tokenize.js: %v", err)
	}
	var vscode map[string][]string
	if err := json.Unmarshal(out, &vscode); err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		text := texts[name]
		want := vscode[path]
		if len(want) != len(text) {
			t.Fatalf("%s: VS Code scoped %d bytes of %d", name, len(want), len(text))
		}
		mine := g.scopes(t, text)
		bad := 0
		for i := range text {
			a, b := slices.Sorted(slices.Values(mine[i])), strings.Fields(want[i])
			slices.Sort(b)
			if !slices.Equal(a, b) {
				if bad++; bad <= 5 {
					line := strings.Count(text[:i], "\n") + 1
					t.Errorf("%s:%d, byte %q: Go engine %v, VS Code %v", name, line, text[i], a, b)
				}
			}
		}
		if bad > 5 {
			t.Errorf("%s: %d bytes differ", name, bad)
		}
	}
}
