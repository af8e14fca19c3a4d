package compiler

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeTree writes files (path → text) under a new folder and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const twiceNet = `network n() {
  input(3, 8, 8)
  twice
}
`

// TestImportIdentity: a file imported under two spellings, or through a
// symbolic link, is one import, not a redeclaration.
func TestImportIdentity(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"main/a.res": "import \"../imp/b.res\"\nimport \"../imp/c.res\"\n" + twiceNet,
		"imp/b.res":  "block twice() {\n  relu\n  relu\n}\n",
		"imp/c.res":  "import \"./b.res\"\nimport \"../imp/../imp/b.res\"\n",
	})
	if runtime.GOOS != "windows" {
		if err := os.Symlink("b.res", filepath.Join(dir, "imp", "link.res")); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "imp", "c.res"), []byte("import \"./b.res\"\nimport \"link.res\"\n"), 0o644)
	}
	p, err := LoadFile(filepath.Join(dir, "main", "a.res"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 3 {
		t.Errorf("%d files loaded, want 3 (a, b once, c)", len(p.Files))
	}
	if len(p.Inputs) != 3 {
		t.Errorf("inputs %v, want the three files", p.Inputs)
	}
	// A cycle through another spelling is still a cycle.
	cyc := writeTree(t, map[string]string{
		"x/a.res": "import \"../x/b.res\"\n",
		"x/b.res": "import \"./a.res\"\n",
	})
	_, err = LoadFile(filepath.Join(cyc, "x", "a.res"))
	if err == nil || !strings.Contains(err.Error(), "import cycle") {
		t.Fatalf("got %v, want an import cycle", err)
	}
}
