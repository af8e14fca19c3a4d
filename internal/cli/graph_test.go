package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGraphCommand covers resc graph's outputs and errors: the default
// file name, -o with either format, the standard output, and usage
// errors for bad flag values.
func TestGraphCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "net.res")
	os.WriteFile(src, []byte("network n() {\n  input(3, 8, 8)\n  s: residual {\n    c: conv(3, 3)\n  }\n}\n"), 0o644)
	svg := filepath.Join(dir, "r.svg")
	if code, _, errs := runIn(t, "", "graph", "cifar_resnet20", "-o", svg, "--depth", "0", "-O0"); code != exitOK || !strings.Contains(errs, "wrote "+svg) {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(svg)
	if err != nil || !strings.HasPrefix(string(data), "<?xml") || !strings.Contains(string(data), `class="edge shortcut"`) {
		t.Errorf("%s: %v, %.80q", svg, err, data)
	}
	dot := filepath.Join(dir, "r.dot")
	if code, _, errs := runIn(t, "", "graph", "--set", "classes=10", "-o", dot, "resnet18"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if data, _ := os.ReadFile(dot); !strings.HasPrefix(string(data), `digraph "resnet18" {`) || !strings.Contains(string(data), `"layer1.0" [label="layer1.0\nbasic (`) {
		t.Errorf("%s: %.200q", dot, data)
	}
	code, out, errs := runIn(t, "", "graph", "-o", "-", "--format", "dot", "-O0", src)
	if code != exitOK || !strings.Contains(out, `"s.c" -> "s.add";`) || !strings.Contains(out, `"input" -> "s.add" [style=dashed`) {
		t.Errorf("-O0: exit %d: %s%s", code, out, errs)
	}
	// Fused, the conv reads its input both ways: two edges.
	code, out, errs = runIn(t, "", "graph", "-o", "-", "--format", "dot", src)
	if code != exitOK || !strings.Contains(out, `"input" -> "s.c";`) || !strings.Contains(out, `"input" -> "s.c" [style=dashed`) {
		t.Errorf("-O2: exit %d: %s%s", code, out, errs)
	}
	if code, _, errs := runIn(t, "", "graph", "resnet18", "-o", os.DevNull); code != exitOK {
		t.Errorf("-o %s: exit %d: %s", os.DevNull, code, errs)
	}
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	if code, _, errs := runIn(t, "", "graph", "net.res"); code != exitOK {
		t.Errorf("default output: exit %d: %s", code, errs)
	} else if _, err := os.Stat(filepath.Join(dir, "n.svg")); err != nil {
		t.Errorf("default output: %v", err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"graph", "resnet18", "--depth", "-1"}, 2, "--depth must be 0 or more"},
		{[]string{"graph", "resnet18", "-o", "x.png"}, 2, "graph writes .svg or .dot files"},
		{[]string{"graph", "resnet18", "--format", "png"}, 2, "--format png: want svg or dot"},
		{[]string{"graph", "resnet18", "-O0", "-O2"}, 2, "exclude each other"},
		{[]string{"graph", "-o", "net.res", "--format", "svg", "net.res"}, 2, "which writing would destroy"},
		{[]string{"graph", "resnet18", "-o", filepath.Join(dir, "no", "such", "x.svg")}, 1, "cannot write"},
		{[]string{"graph"}, 2, "missing MODEL"},
	} {
		code, _, errs := runIn(t, "", c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("resc %s: exit %d, %q; want %d and %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
	}
}
