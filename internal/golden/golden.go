// Package golden compares test output with files checked in under
// testdata, and rewrites them when a test runs with -update.
package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Check compares got with the file at path, reporting the first line that
// differs; with update set it writes got there instead. hint says how to
// regenerate the file.
func Check(t testing.TB, path string, got []byte, update bool, hint string) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (%s)", err, hint)
	}
	if string(got) == string(want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			t.Fatalf("output differs from %s at line %d:\ngot:  %s\nwant: %s\n(%s if the change is intended)", path, i+1, gl[i], wl[i], hint)
		}
	}
	t.Fatalf("output has %d lines, %s has %d (%s if the change is intended)", len(gl), path, len(wl), hint)
}
