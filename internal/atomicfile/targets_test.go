//go:build unix

package atomicfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWriteFollowsSymlink: writing to a link replaces the file it names
// and keeps the link, through a chain of relative links.
func TestWriteFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	real := filepath.Join(dir, "sub", "real.onnx")
	os.WriteFile(real, []byte("old"), 0o644)
	os.Symlink("sub/real.onnx", filepath.Join(dir, "mid"))
	link := filepath.Join(dir, "link.onnx")
	os.Symlink("mid", link)
	if err := Write(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{link, filepath.Join(dir, "mid")} {
		if info, err := os.Lstat(l); err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a link: %v %v", l, info, err)
		}
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Fatalf("target holds %q", b)
	}
	// A dangling link: its target is created.
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("created.onnx", dangling)
	if err := Write(dangling, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "created.onnx")); string(b) != "x" {
		t.Fatalf("dangling link's target holds %q", b)
	}
	// A loop is an error, not a hang.
	os.Symlink("loop2", filepath.Join(dir, "loop1"))
	os.Symlink("loop1", filepath.Join(dir, "loop2"))
	if err := Write(filepath.Join(dir, "loop1"), []byte("x"), 0o644); err == nil {
		t.Fatal("a symlink loop was written")
	}
}

// TestWriteKeepsMode: an existing file keeps its permissions; a new one
// gets perm.
func TestWriteKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.onnx")
	os.WriteFile(path, []byte("old"), 0o600)
	os.Chmod(path, 0o600)
	if err := Write(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600 kept", info.Mode().Perm())
	}
	// As root, the owner is kept too.
	if os.Geteuid() == 0 {
		os.Chown(path, 1234, 5678)
		if err := Write(path, []byte("newer"), 0o644); err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(path)
		if st := info.Sys().(*syscall.Stat_t); st.Uid != 1234 || st.Gid != 5678 {
			t.Fatalf("owner %d:%d, want 1234:5678 kept", st.Uid, st.Gid)
		}
	}
	fresh := filepath.Join(dir, "fresh.onnx")
	if err := Write(fresh, []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(fresh); info.Mode().Perm() != 0o640 {
		t.Fatalf("new file mode %v, want 0640", info.Mode().Perm())
	}
}

// TestWriteThroughDevices: /dev/null stays a device and a FIFO gets the
// data and stays a FIFO.
func TestWriteThroughDevices(t *testing.T) {
	if err := Write("/dev/null", make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat("/dev/null"); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is now %v (%v)", info.Mode(), err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	data := bytes.Repeat([]byte("resc"), 1<<18)
	if err := Write(fifo, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, data) {
		t.Fatalf("the FIFO's reader got %d bytes, want %d", len(b), len(data))
	}
	if info, _ := os.Lstat(fifo); info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO is now %v", info.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestWriteRefusesFolder(t *testing.T) {
	dir := t.TempDir()
	err := Write(dir, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "folder") {
		t.Fatalf("got %v, want a folder error", err)
	}
}
