//go:build unix

package atomicfile

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalRemovesTemp runs a real process that is writing a file, sends
// it SIGINT or SIGTERM mid-write, and checks that it exits 130 or 143 and
// leaves neither the temporary file nor a target behind.
func TestSignalRemovesTemp(t *testing.T) {
	if dir := os.Getenv("ATOMICFILE_HELPER_DIR"); dir != "" {
		signalHelper(dir)
		return
	}
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSignalRemovesTemp$")
			cmd.Env = append(os.Environ(), "ATOMICFILE_HELPER_DIR="+dir)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the temporary file to appear, then signal.
			deadline := time.Now().Add(30 * time.Second)
			for !hasTemp(dir) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the helper never started writing")
				}
				time.Sleep(5 * time.Millisecond)
			}
			cmd.Process.Signal(c.sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != c.code {
				t.Fatalf("exit %v, want status %d", err, c.code)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
}

func hasTemp(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".out.onnx.tmp") {
			return true
		}
	}
	return false
}

// signalHelper writes a file that never finishes, until a signal ends it.
func signalHelper(dir string) {
	CleanUpOnSignal()
	WriteFunc(filepath.Join(dir, "out.onnx"), 0o644, func(w io.Writer) error {
		w.Write(make([]byte, 2<<20))
		time.Sleep(time.Minute)
		return nil
	})
	os.Exit(3)
}
