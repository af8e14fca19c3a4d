//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptedBuild runs `resc build resnet50` as a real process, sends
// it SIGINT or SIGTERM once it has started writing, and checks that it
// exits 130 or 143 and leaves no temporary file (nor a target) behind.
func TestInterruptedBuild(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "build", "resnet50", "-o", "resnet50.onnx")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), asResc+"=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for !writing(dir) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the build never started writing")
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

// writing reports whether a build in dir has created its temporary file.
func writing(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".resnet50.onnx.tmp") {
			return true
		}
	}
	return false
}
