package cli

import (
	"bytes"
	"encoding/binary"
	"github.com/resc-dev/resc/internal/testenv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/backend/onnx/ort"
)

// TestRunUsage checks run's command-line mistakes: exit 2 and a message
// that says what is allowed. None of these needs onnxruntime.
func TestRunUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "missing MODEL"},
		{[]string{"run", "resnet18", "--backend", "tpu"}, "the backends are native and onnx"},
		{[]string{"run", "resnet18", "--input", "random", "--input", "cat.png"}, "not both"},
		{[]string{"run", "resnet18", "--input", "random:-1"}, "the seed must be a non-negative integer"},
		{[]string{"run", "resnet18", "--device", "tpu"}, "want cpu or cuda"},
		{[]string{"run", "resnet18", "--threads", "-1"}, "--threads -1: want 1 to 1024"},
		{[]string{"run", "resnet18", "--top", "0"}, "--top must be positive"},
		{[]string{"run", "resnet18", "--opset", "5"}, "--opset 5"},
		{[]string{"run", "resnet18", "--set", "clases=3"}, "clases"},
	} {
		var out, errb bytes.Buffer
		code := Main(c.args, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), c.want) {
			t.Errorf("resc %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(c.args, " "), code, errb.String(), c.want)
		}
	}
}

// TestRunMissingLibrary checks the one error a user without onnxruntime
// sees, and that it says how to install it.
func TestRunMissingLibrary(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv(ort.LibraryEnv, "")
	var out, errb bytes.Buffer
	if code := Main([]string{"run", "cifar_resnet20", "--backend", "onnx"}, &out, &errb); code != exitUser {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	msg := errb.String()
	for _, want := range []string{"onnxruntime library not found", "scripts/install-onnxruntime.sh", "ONNXRUNTIME_LIB"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr %q does not mention %q", msg, want)
		}
	}
	if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
		t.Errorf("want one line, got %q", msg)
	}
}

func requireORT(t *testing.T) {
	t.Helper()
	if _, err := ort.InitRuntime(""); err != nil {
		testenv.Missing(t, "onnxruntime is not usable: %v", err)
	}
}

// readNpyFloat32 reads a .npy file written by internal/npy: its shape
// tuple and values.
func readNpyFloat32(t *testing.T, path string) (string, []float32) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hlen := int(binary.LittleEndian.Uint16(b[8:]))
	header := string(b[10 : 10+hlen])
	i := strings.Index(header, "'shape': ")
	j := strings.Index(header, "), }")
	if i < 0 || j < 0 {
		t.Fatalf("header %q", header)
	}
	data := b[10+hlen:]
	vals := make([]float32, len(data)/4)
	for k := range vals {
		vals[k] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*k:]))
	}
	return header[i+len("'shape': ") : j+1], vals
}

// TestRunONNX runs a small model through onnxruntime: the printed table
// agrees with the saved output, and the same seed gives the same output.
func TestRunONNX(t *testing.T) {
	requireORT(t)
	dir := t.TempDir()
	run := func(name string, extra ...string) (string, []float32, string) {
		path := filepath.Join(dir, name)
		args := append([]string{"run", "cifar_resnet20", "--backend", "onnx", "--batch", "2", "--top", "3", "--threads", "1", "--save-output", path}, extra...)
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != exitOK {
			t.Fatalf("resc %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
		}
		shape, vals := readNpyFloat32(t, path)
		return out.String(), vals, shape
	}
	table, vals, shape := run("a.npy", "--input", "random:3")
	if shape != "(2, 10)" || len(vals) != 20 {
		t.Fatalf("saved shape %s with %d values", shape, len(vals))
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 1+2*3 {
		t.Fatalf("table:\n%s", table)
	}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		img, _ := strconv.Atoi(f[0])
		class, _ := strconv.Atoi(f[2])
		p, _ := strconv.ParseFloat(f[4], 64)
		row := vals[img*10 : img*10+10]
		if want := float64(resc.Softmax(row)[class]); math.Abs(p-want) > 1e-6 {
			t.Errorf("line %q: probability %g, softmax of the saved output gives %g", line, p, want)
		}
	}
	_, again, _ := run("b.npy", "--input", "random:3")
	for i := range vals {
		if vals[i] != again[i] {
			t.Fatalf("the same seed gave different outputs at %d: %g and %g", i, vals[i], again[i])
		}
	}
	_, other, _ := run("c.npy", "--input", "random:4")
	same := true
	for i := range vals {
		same = same && vals[i] == other[i]
	}
	if same {
		t.Error("seeds 3 and 4 gave the same output")
	}
}

func TestRunRandomNormal(t *testing.T) {
	x := runRandomNormal(100001, 1)
	var sum, sq float64
	for _, v := range x {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean := sum / float64(len(x))
	std := math.Sqrt(sq/float64(len(x)) - mean*mean)
	if math.Abs(mean) > 0.02 || math.Abs(std-1) > 0.02 {
		t.Errorf("mean %g std %g, want about 0 and 1", mean, std)
	}
	y := runRandomNormal(100001, 1)
	for i := range x {
		if x[i] != y[i] {
			t.Fatal("the same seed gave different values")
		}
	}
}
