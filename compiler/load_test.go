package compiler

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
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

// TestSpecialSources: a device, a FIFO or an oversized file as the source
// or an import is refused at once with a clear error, never read.
func TestSpecialSources(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero or FIFOs")
	}
	dir := writeTree(t, map[string]string{
		"zero.res": "import \"dev.res\"\n" + twiceNet,
		"fifo.res": "import \"pipe.res\"\n" + twiceNet,
	})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.res"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/zero", filepath.Join(dir, "dev.res"))
	big := filepath.Join(dir, "big.res")
	f, _ := os.Create(big)
	f.Truncate(MaxSourceBytes + 1)
	f.Close()
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "cannot read /dev/zero: it is a character device, not a regular file"},
		{filepath.Join(dir, "pipe.res"), "it is a FIFO, not a regular file"},
		{filepath.Join(dir, "zero.res"), `zero.res:1:1: cannot import dev.res: it is a character device, not a regular file`},
		{filepath.Join(dir, "fifo.res"), `fifo.res:1:1: cannot import pipe.res: it is a FIFO, not a regular file`},
		{big, "it is more than the 64 MB limit for source files"},
	} {
		done := make(chan error, 1)
		go func() { _, err := LoadFile(c.path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("LoadFile(%s): %v, want %q", c.path, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("LoadFile(%s) hangs", c.path)
		}
	}
}
