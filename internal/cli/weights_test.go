package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
)

// TestRunRandomWeightsNote: run says once that initial weights make
// meaningless predictions, and says nothing of it with --weights.
func TestRunRandomWeightsNote(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "w.safetensors")
	var out, errb bytes.Buffer
	if code := Main([]string{"weights", "cifar_resnet20", "-o", w}, &out, &errb); code != exitOK {
		t.Fatal(errb.String())
	}
	for _, c := range []struct {
		args []string
		note int
	}{
		{[]string{"run", "cifar_resnet20", "--batch", "2", "--threads", "1"}, 1},
		{[]string{"run", "cifar_resnet20", "--batch", "2", "--threads", "1", "--weights", w}, 0},
	} {
		out.Reset()
		errb.Reset()
		if code := Main(c.args, &out, &errb); code != exitOK {
			t.Fatalf("%v: exit %d: %s", c.args, code, errb.String())
		}
		if n := strings.Count(errb.String(), "predictions are meaningless"); n != c.note {
			t.Errorf("%v: the note appears %d times, want %d:\n%s", c.args, n, c.note, errb.String())
		}
	}
}

// toTorch is a Python script that rewrites a safetensors file written by
// resc as PyTorch checkpoints: a training checkpoint with the state_dict
// under "state_dict" and DataParallel's "module." prefix, and the same in
// the legacy format.
const toTorch = `
import json, struct, sys, numpy as np, torch
src, dst, legacy = sys.argv[1:]
b = open(src, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
hdr = json.loads(b[8:8 + n])
sd = {}
for k, v in hdr.items():
    if k == "__metadata__":
        continue
    s, e = v["data_offsets"]
    a = np.frombuffer(b[8 + n + s:8 + n + e], dtype="<f4").reshape(v["shape"])
    sd["module." + k] = torch.from_numpy(a.copy())
ckpt = {"epoch": 90, "state_dict": sd}
torch.save(ckpt, dst)
torch.save(ckpt, legacy, _use_new_zipfile_serialization=False)
`

// TestConvertTorch: a checkpoint written by torch.save converts back to
// the safetensors file it came from, byte for byte, and builds the same
// ONNX model; checked against the wrong model it is refused with the
// mismatch report and writes nothing; the legacy format says how to
// re-save.
func TestConvertTorch(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import torch, numpy").Run(); err != nil {
		testenv.Missing(t, "torch is not available to /usr/bin/python3 (Debian package python3-torch): %v", err)
	}
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	main := func(want int, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != want {
			t.Fatalf("%v: exit %d, want %d: %s", args, code, want, errb.String())
		}
		return errb.String()
	}
	main(exitOK, "weights", "cifar_resnet20", "--seed", "3", "-o", at("w.safetensors"))
	if out, err := exec.Command("/usr/bin/python3", "-c", toTorch, at("w.safetensors"), at("w.pth"), at("old.pth")).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}

	msg := main(exitOK, "weights", "convert", at("w.pth"), "-o", at("back.safetensors"), "cifar_resnet20")
	if !strings.Contains(msg, "271,098 parameters of cifar_resnet20") {
		t.Errorf("convert says %q", msg)
	}
	a, _ := os.ReadFile(at("w.safetensors"))
	b, _ := os.ReadFile(at("back.safetensors"))
	if !bytes.Equal(a, b) {
		t.Error("the converted file differs from the one the checkpoint was made from")
	}

	main(exitOK, "build", "cifar_resnet20", "--weights", at("w.safetensors"), "-o", at("a.onnx"))
	main(exitOK, "build", "cifar_resnet20", "--weights", at("w.pth"), "-o", at("b.onnx"))
	a, _ = os.ReadFile(at("a.onnx"))
	b, _ = os.ReadFile(at("b.onnx"))
	if !bytes.Equal(a, b) {
		t.Error("--weights w.pth builds another model than --weights w.safetensors")
	}

	// Without a MODEL: the names as in the file, the prefix removed.
	main(exitOK, "weights", "convert", at("w.pth"), "-o", at("plain.safetensors"))
	main(exitOK, "build", "cifar_resnet20", "--weights", at("plain.safetensors"), "-o", at("c.onnx"))
	if c, _ := os.ReadFile(at("c.onnx")); !bytes.Equal(a, c) {
		t.Error("the model-less conversion builds another model")
	}

	msg = main(exitUser, "weights", "convert", at("w.pth"), "-o", at("wrong.safetensors"), "cifar_resnet32")
	if !strings.Contains(msg, "the weights do not fit") || !strings.Contains(msg, `missing key "layer1.3.conv1.weight"`) {
		t.Errorf("mismatch says %q", msg)
	}
	if _, err := os.Stat(at("wrong.safetensors")); err == nil {
		t.Error("a failed conversion wrote its output")
	}
	msg = main(exitUser, "weights", "convert", at("old.pth"), "-o", at("old.safetensors"))
	if !strings.Contains(msg, "legacy format") || !strings.Contains(msg, "torch.save(torch.load(") {
		t.Errorf("legacy says %q", msg)
	}
}

// TestConvertUsage: mistakes in the convert command line exit 2.
func TestConvertUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"weights", "convert"}, "missing IN"},
		{[]string{"weights", "convert", "a.pth"}, "missing -o"},
		{[]string{"weights", "convert", "a.pth", "-o", "b", "m", "extra"}, "too many arguments"},
		{[]string{"weights", "convert", "a.pth", "-o", "b", "--seed", "2", "resnet18"}, "--seed applies to initial weights"},
		{[]string{"weights", "convert", "a.pth", "-o", "b", "--set", "size=64"}, "apply to a MODEL"},
	} {
		var out, errb bytes.Buffer
		if code := Main(c.args, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errb.String(), c.want)
		}
	}
}
