package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	for _, data := range []string{"first", "second"} {
		if err := Write(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != data {
			t.Fatalf("file holds %q, want %q", b, data)
		}
	}
}

// TestFailureKeepsOldFile: a write that fails midway leaves the old file
// as it was and no temporary file behind.
func TestFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.onnx")
	os.WriteFile(path, []byte("good"), 0o644)
	boom := errors.New("boom")
	err := WriteFunc(path, 0o644, func(w io.Writer) error {
		w.Write(make([]byte, 40<<20)) // past a writeback chunk
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "good" {
		t.Fatalf("old file clobbered: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
	// And a failure with no old file leaves no file at all.
	fresh := filepath.Join(dir, "new.onnx")
	WriteFunc(fresh, 0o644, func(io.Writer) error { return boom })
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Fatalf("a failed write left %s", fresh)
	}
}

// TestLongName: a target whose name is as long as names may be still
// gets a temporary file (whose name adds a dot and a suffix).
func TestLongName(t *testing.T) {
	path := filepath.Join(t.TempDir(), strings.Repeat("n", 250)+".onnx")
	if err := Write(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "x" {
		t.Fatalf("holds %q", b)
	}
}
