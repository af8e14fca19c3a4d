package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes pins the contract: 0 success, 1 a mistake in the input,
// 2 a mistake in the command line; and never a Go stack trace.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.res")
	os.WriteFile(bad, []byte("network n() {\n  input(3, 8, 8)\n  conv(x, 3)\n}\n"), 0o644)
	two := filepath.Join(dir, "two.res")
	os.WriteFile(two, []byte("network a() {\n  input(3, 8, 8)\n}\n\nnetwork b() {\n  input(3, 8, 8)\n}\n"), 0o644)
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"check", "resnet18"}, 0},
		{[]string{"summary", "--json", "cifar_resnet20"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"help", "fmt"}, 0},
		{[]string{"check", bad}, 1},
		{[]string{"check", filepath.Join(dir, "missing.res")}, 1},
		{[]string{"check", "no_such_model"}, 1},
		{[]string{}, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"check"}, 2},
		{[]string{"check", "--nope", "resnet18"}, 2},
		{[]string{"summary", "resnet18", "--set", "clases=3"}, 2},
		{[]string{"summary", "resnet18", "--set", "classes=three"}, 2},
		{[]string{"summary", "resnet18", "--set", "noequals"}, 2},
		{[]string{"summary", two}, 2},
		{[]string{"summary", two, "--model", "c"}, 2},
		{[]string{"summary", two, "--model", "b"}, 0},
		{[]string{"fmt"}, 2},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if got := Main(c.args, &out, &errb); got != c.code {
			t.Errorf("resc %s: exit %d, want %d\nstderr: %s", strings.Join(c.args, " "), got, c.code, errb.String())
		}
		if strings.Contains(errb.String(), "goroutine ") {
			t.Errorf("resc %s printed a stack trace", strings.Join(c.args, " "))
		}
	}
}

// TestPanicBecomesInternalError checks the last line of defence.
func TestPanicBecomesInternalError(t *testing.T) {
	register(&command{name: "boom", run: func(*ctx, any, []string) error { panic("kaboom") }})
	defer func() { commands = commands[:len(commands)-1] }()
	var out, errb bytes.Buffer
	if code := Main([]string{"boom"}, &out, &errb); code != exitUser {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errb.String(), "internal error: kaboom") || strings.Contains(errb.String(), "goroutine") {
		t.Fatalf("stderr: %s", errb.String())
	}
}
