//go:build unix

package userfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o644)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 3000), 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink("small", link)
	if b, err := Read(small, 5, "tests"); err != nil || string(b) != "hello" {
		t.Fatalf("Read(small) = %q, %v", b, err)
	}
	if b, err := Read(link, 5, "tests"); err != nil || string(b) != "hello" {
		t.Fatalf("Read(link) = %q, %v", b, err)
	}
	for _, c := range []struct{ path, want string }{
		{small, "it is more than the 4 bytes limit for tests"},
		{big, "it is 2.9 KB, over the 2 KB limit"},
		{fifo, "it is a FIFO, not a regular file"},
		{"/dev/zero", "it is a character device, not a regular file"},
		{dir, "it is a folder, not a regular file"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		limit := int64(2048)
		if c.path == small {
			limit = 4
		}
		done := make(chan error, 1)
		go func() { _, err := Read(c.path, limit, "tests"); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Read(%s): %v, want %q", c.path, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Read(%s) hangs", c.path)
		}
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{5: "5 bytes", 2048: "2 KB", 64 << 20: "64 MB", 3 << 29: "1.5 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
