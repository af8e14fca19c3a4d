package onnx

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
)

// consumer is a long-running Debian python3 that answers, one line per
// request, for tools no one here wrote: "presence PATH" checks with
// python3-onnx that every scalar ONNX declares optional, and every
// attribute's value, is present in the file (HasField); "opencv MODEL IN
// OUT [NAME]" runs MODEL on the .npy input IN in OpenCV's DNN module and
// compares its output (the output NAME of a model with several) with the
// .npy OUT, answering "ok DIFF MAXABS".
type consumer struct {
	in  *bufio.Writer
	out *bufio.Scanner
}

const consumerScript = `
import sys
import numpy as np

VALUE_FIELD = {1: "f", 2: "i", 3: "s", 4: "t"}  # FLOAT, INT, STRING, TENSOR
LIST_FIELD = {6: "floats", 7: "ints", 8: "strings"}

def presence(path):
    import onnx
    m = onnx.load(path)
    for f in ("ir_version", "producer_name", "producer_version", "model_version", "graph"):
        if not m.HasField(f):
            return "model has no " + f
    for op in m.opset_import:
        if not op.HasField("version") or not op.HasField("domain"):
            return "opset_import without version or domain"
    for t in m.graph.initializer:
        if not t.HasField("data_type") or not t.HasField("name") or not t.HasField("raw_data"):
            return "initializer %s lacks data_type, name or raw_data" % t.name
    for v in list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info):
        if not v.type.tensor_type.HasField("elem_type"):
            return "value %s has no elem_type" % v.name
    n = 0
    for node in m.graph.node:
        if not node.HasField("op_type"):
            return "a node has no op_type"
        for a in node.attribute:
            n += 1
            if not a.HasField("type") or not a.HasField("name"):
                return "%s: an attribute has no name or type" % node.name
            if a.type in VALUE_FIELD and not a.HasField(VALUE_FIELD[a.type]):
                return "%s: attribute %s of type %d has no %s" % (node.name, a.name, a.type, VALUE_FIELD[a.type])
            if a.type in LIST_FIELD and len(getattr(a, LIST_FIELD[a.type])) == 0:
                return "%s: attribute %s is an empty list" % (node.name, a.name)
    if n == 0:
        return "no attributes to check"
    return "ok %d" % n

def opencv(model, inp, want, output=None):
    import cv2
    net = cv2.dnn.readNetFromONNX(model)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    net.setInput(np.load(inp))
    got = net.forward(output) if output else net.forward()
    want = np.load(want)
    if got.shape != want.shape:
        return "output shape %s, want %s" % (got.shape, want.shape)
    return "ok %g %g" % (float(np.max(np.abs(got - want))), float(np.max(np.abs(want))))

cv2_threads = False
for line in sys.stdin:
    cmd, *args = line.split()
    try:
        if cmd == "opencv" and not cv2_threads:
            import cv2
            cv2.setNumThreads(2)
            cv2_threads = True
        print({"presence": presence, "opencv": opencv}[cmd](*args).replace("\n", " | "), flush=True)
    except Exception as e:
        print("error " + str(e).replace("\n", " | "), flush=True)
`

// startConsumer starts the helper once the modules it needs import.
func startConsumer(t testing.TB, modules ...string) *consumer {
	t.Helper()
	for _, mod := range modules {
		if err := exec.Command(debianPython, "-c", "import "+mod).Run(); err != nil {
			pkg := map[string]string{"onnx": "python3-onnx", "cv2": "python3-opencv"}[mod]
			testenv.Missing(t, "%s is not importable by %s (Debian package %s)", mod, debianPython, pkg)
		}
	}
	cmd := exec.Command(debianPython, "-c", consumerScript)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &consumer{in: bufio.NewWriter(in), out: bufio.NewScanner(out)}
	c.out.Buffer(nil, 1<<20)
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	return c
}

// ask sends one request and returns the answer after "ok".
func (c *consumer) ask(args ...string) (string, error) {
	fmt.Fprintln(c.in, strings.Join(args, " "))
	c.in.Flush()
	if !c.out.Scan() {
		return "", fmt.Errorf("python helper exited")
	}
	line := c.out.Text()
	if rest, ok := strings.CutPrefix(line, "ok"); ok {
		return strings.TrimSpace(rest), nil
	}
	return "", fmt.Errorf("%s", strings.TrimPrefix(line, "error "))
}
