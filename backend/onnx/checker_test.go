package onnx

import (
	"bufio"
	"fmt"
	"github.com/resc-dev/resc/internal/testenv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// zeros stands in for weights where only the graph matters: every
// parameter reads a prefix of one shared zero buffer.
type zeros struct{ buf []float32 }

func (z *zeros) Values(p *ir.Param) []float32 {
	if int64(len(z.buf)) < p.Size() {
		z.buf = make([]float32, p.Size())
	}
	return z.buf[:p.Size()]
}

// checker is a long-running python3 that runs onnx.checker.check_model
// with full_check (strict shape inference too) on each path it is sent.
type checker struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

const checkerScript = `
import sys, onnx
for line in sys.stdin:
    path = line.strip()
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        print("ok", flush=True)
    except Exception as e:
        print("error " + str(e).replace("\n", " | "), flush=True)
`

// debianPython is Debian's interpreter, the one python3-onnx installs for.
const debianPython = "/usr/bin/python3"

func startChecker(t testing.TB) *checker {
	if err := exec.Command(debianPython, "-c", "import onnx.checker").Run(); err != nil {
		testenv.Missing(t, "onnx.checker is not available to %s (Debian package python3-onnx)", debianPython)
	}
	cmd := exec.Command(debianPython, "-c", checkerScript)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &checker{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	c.out.Buffer(nil, 1<<20)
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	return c
}

func (c *checker) check(path string) error {
	fmt.Fprintln(c.in, path)
	if !c.out.Scan() {
		return fmt.Errorf("checker exited")
	}
	if line := c.out.Text(); line != "ok" {
		return fmt.Errorf("%s", strings.TrimPrefix(line, "error "))
	}
	return nil
}

func exportFile(t testing.TB, dir string, g *ir.Graph, opts Options) string {
	path := filepath.Join(dir, g.Name+".onnx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, g, &zeros{}, opts); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckerAcceptsStdlib exports the stdlib models at their defaults and
// has ONNX's own checker validate them: every model with an export form
// (exportForms: an op, activation and attribute set) that no model before
// it in the list had; the others are written with the same operators and
// attributes at other depths and widths.
func TestCheckerAcceptsStdlib(t *testing.T) {
	t.Parallel() // one checker process, single-threaded: other tests use the other core
	c := startChecker(t)
	dir := t.TempDir()
	seen := map[string]bool{}
	var skipped []string
	for _, name := range testenv.RunModels(t) {
		g := build(t, name, nil)
		if !newForms(seen, g) {
			skipped = append(skipped, name)
			continue
		}
		path := exportFile(t, dir, g, Options{Source: "stdlib"})
		if err := c.check(path); err != nil {
			t.Errorf("%s: onnx.checker: %v", name, err)
		}
		os.Remove(path)
	}
	t.Logf("no new export form, not checked: %s", strings.Join(skipped, ", "))
}

// TestCheckerOpsetsAndOptions covers what the defaults do not: every
// opset the Debian checker knows, a fixed batch, the heads without a top,
// the max-pooled head, dropout kept at -O0.
func TestCheckerOpsetsAndOptions(t *testing.T) {
	c := startChecker(t)
	dir := t.TempDir()
	cases := []struct {
		model string
		args  map[string]string
		opts  Options
	}{
		{"cifar_resnet20", nil, Options{Opset: 13}},
		{"cifar_resnet20", nil, Options{Opset: 14}},
		{"ecaresnet50d", map[string]string{"size": "64"}, Options{Opset: 15}},
		{"cm_seresnet18", map[string]string{"size": "64"}, Options{Opset: 16}},
		{"keras_resnet50v2", map[string]string{"include_top": "false", "pooling": "max"}, Options{Batch: 2}},
		{"resnet18", map[string]string{"include_top": "false", "pooling": "none"}, Options{}},
		{"wrn_16_8", map[string]string{"drop_rate": "0.3"}, Options{}},
	}
	for _, cs := range cases {
		g := build(t, cs.model, cs.args)
		if err := c.check(exportFile(t, dir, g, cs.opts)); err != nil {
			t.Errorf("%s %v %+v: onnx.checker: %v", cs.model, cs.args, cs.opts, err)
		}
	}
}
