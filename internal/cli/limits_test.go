package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestResourceLimits checks the commands against networks and batches too
// large to run: each is refused before anything is allocated, with exit 1
// and a message saying what it would take, while a bad batch value is a
// usage error (exit 2), and --limits raises the limits.
func TestResourceLimits(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("network n() {\n  input(3, 8, 8)\n  "+body+"\n  gap\n  flatten\n  fc(2)\n}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wide := file("wide.res", "conv(1000000000, 1)")
	padded := file("padded.res", "conv(8, 3, pad: 1000000000)")
	big := filepath.Join(dir, "big.res")
	os.WriteFile(big, []byte("network big() {\n  input(3, 65536, 65536)\n  relu\n}\n"), 0o644)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"check", wide}, 1, "tensor [N,1000000000,8,8] would take 238 GiB per image"},
		{[]string{"build", padded, "-o", filepath.Join(dir, "p.onnx")}, 1, "tensor [N,8,2000000006,2000000006] would take 111 EiB per image"},
		{[]string{"summary", big}, 1, "tensor [N,3,65536,65536] would take 48 GiB per image"},
		{[]string{"summary", big, "--limits", "elements=2e10,memory=200GiB"}, 0, ""},
		{[]string{"summary", big, "--limits", "elements=lots"}, 2, "elements=lots: not a number"},
		{[]string{"check", "resnet50", "--set", "classes=1000000000"}, 1, "weight fc.weight [1000000000,2048] would take 7.45 TiB"},
		{[]string{"check", "resnet50", "--set", "size=100000"}, 1, "tensor [N,3,100000,100000] would take 112 GiB per image"},
		{[]string{"run", "cifar_resnet20", "--batch", "100000000"}, 1, "a batch of 100000000 would need"},
		{[]string{"bench", "cifar_resnet20", "--batch", "100000000"}, 1, "a batch of 100000000 would need"},
		{[]string{"build", "cifar_resnet20", "--batch", "100000000", "-o", filepath.Join(dir, "c.onnx")}, 1, "a batch of 100000000 would need"},
		{[]string{"run", "cifar_resnet20", "--batch", "0"}, 2, "--batch must be a positive"},
		{[]string{"run", "cifar_resnet20", "--batch", "-3"}, 2, "--batch must be a positive"},
		{[]string{"bench", "cifar_resnet20", "--batch", "0"}, 2, "--batch"},
		{[]string{"build", "cifar_resnet20", "--batch", "-5"}, 2, "--batch must be positive"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		got := Main(c.args, &out, &errb)
		if got != c.code || !strings.Contains(errb.String(), c.msg) {
			t.Errorf("resc %s: exit %d, want %d with %q\nstderr: %s", strings.Join(c.args, " "), got, c.code, c.msg, errb.String())
		}
		if strings.Contains(errb.String(), "goroutine ") || strings.Contains(errb.String(), "internal error") {
			t.Errorf("resc %s crashed: %s", strings.Join(c.args, " "), errb.String())
		}
	}
}

// TestFmtDeepNesting checks that fmt reads with the parser's nesting limit:
// 300,000 nested parentheses are an error at once, not a stack overflow.
func TestFmtDeepNesting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep.res")
	src := "const a = " + strings.Repeat("(", 300_000) + "1" + strings.Repeat(")", 300_000) + "\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"fmt", path}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "deep.res:1:211: nested too deeply (more than 200 levels)") {
		t.Fatalf("exit %d: %.300s", code, errb.String())
	}
	if errb.Len() > 1000 {
		t.Errorf("printed %d bytes of error", errb.Len())
	}
}

// TestSummaryNeverNegative: with the limits raised, counts that do not fit
// in 64 bits saturate; summary never prints a wrapped, negative count.
func TestSummaryNeverNegative(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.res")
	src := "network n() {\n  input(1, 65536, 65536)\n  conv(1, 65535, pad: 32767)\n  conv(1, 65535, pad: 32767)\n}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Main([]string{"summary", path, "--limits", "elements=1e10,params=1e10,memory=1TiB"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if regexp.MustCompile(`\s-\d`).MatchString(out.String()) || !strings.Contains(out.String(), "MACs:                 9,223,372,036,854,775,807") {
		t.Fatalf("summary:\n%s", out.String())
	}
}
