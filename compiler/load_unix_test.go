//go:build unix

package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialSources: a device, a FIFO or an oversized file as the source
// or an import is refused at once with a clear error, never read.
func TestSpecialSources(t *testing.T) {
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
		{big, "it is more than the 1 MB limit for source files"},
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
