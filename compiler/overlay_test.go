package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSourceOverlay(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.res")
	if err := os.WriteFile(lib, []byte("const W = 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "main.res")
	src := "import \"lib.res\"\nimport \"./sub/../lib.res\"\nnetwork n() {\n  input(3, 8, 8)\n  conv(W, 3)\n}\n"
	// On disk: W is 4.
	p, err := LoadSourceOverlay(root, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("n", nil)
	if err != nil || g.Nodes[len(g.Nodes)-1].Shape[1] != 4 {
		t.Fatalf("from disk: %v", err)
	}
	// In the overlay: W is 6, imported under two spellings as one file.
	p, err = LoadSourceOverlay(root, src, Overlay{lib: "const W = 6\n"})
	if err != nil {
		t.Fatal(err)
	}
	g, err = p.Build("n", nil)
	if err != nil || g.Nodes[len(g.Nodes)-1].Shape[1] != 6 || len(p.Files) != 2 {
		t.Fatalf("from the overlay: %v, %d files", err, len(p.Files))
	}
	// An overlaid file that is not on disk yet.
	other := filepath.Join(dir, "new.res")
	if _, err := LoadSourceOverlay(root, "import \"new.res\"\n", Overlay{other: "const X = 1\n"}); err != nil {
		t.Errorf("a new file: %v", err)
	}
	if _, err := LoadSourceOverlay(root, "import \"new.res\"\n", Overlay{other: strings.Repeat(" ", MaxSourceBytes+1)}); err == nil || !strings.Contains(err.Error(), "larger than the limit") {
		t.Errorf("a huge overlay: %v", err)
	}
}
