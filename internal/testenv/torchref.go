package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// DebianPython is the interpreter Debian's python3-torch, python3-onnx and
// the other reference packages install for (a pyenv or venv python3 on
// PATH may not see them).
const DebianPython = "/usr/bin/python3"

// torchRefDir is scripts/, the directory holding the torchref package: the
// independent torch references of the stdlib's residual families.
func torchRefDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate internal/testenv")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts")
}

// torchImportable reports, once per test binary, whether Debian's python3
// imports torch and numpy (importing torch takes a second or two).
var torchImportable = sync.OnceValue(func() error {
	return exec.Command(DebianPython, "-c", "import torch, numpy").Run()
})

// TorchRef runs `python3 -m torchref.MODULE ARGS...` (scripts/torchref)
// with Debian's python3 and returns its standard output. It calls Missing
// when torch or numpy cannot be imported, and fails the test, with the
// script's standard error, when the script fails.
func TorchRef(t testing.TB, module string, args ...string) []byte {
	t.Helper()
	if err := torchImportable(); err != nil {
		Missing(t, "torch and numpy are not importable by %s (Debian packages python3-torch, python3-numpy)", DebianPython)
	}
	cmd := exec.Command(DebianPython, append([]string{"-W", "ignore", "-m", "torchref." + module}, args...)...)
	cmd.Dir = torchRefDir(t)
	// No __pycache__ in the source tree from a test run.
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python3 -m torchref.%s %v: %v\n%s%s", module, args, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}
