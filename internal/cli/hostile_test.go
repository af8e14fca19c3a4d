package cli

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyNet = `network tiny() {
  input(3, 8, 8)
  conv1: conv(4, 3)
  bn1: bn()
  relu
  gap
  flatten
  fc: fc(10)
}
`

// TestExitCodeRule pins the one rule for every command: a bad flag value
// is a usage error (2) whatever the command; a bad input file is an
// error (1). Each case was a disagreement or a silent conflict before.
func TestExitCodeRule(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.res")
	os.WriteFile(model, []byte(tinyNet), 0o644)
	w := filepath.Join(dir, "w.safetensors")
	if code := Main([]string{"weights", model, "-o", w}, new(bytes.Buffer), new(bytes.Buffer)); code != 0 {
		t.Fatalf("weights: exit %d", code)
	}
	img := filepath.Join(dir, "cat.png")
	writeGray(t, img)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", model, "--batch", "0"}, 2, "--batch must be a positive"},
		{[]string{"build", model, "--batch", "-5", "-o", filepath.Join(dir, "x.onnx")}, 2, "--batch"},
		{[]string{"bench", model, "--batch", "0"}, 2, "--batch"},
		{[]string{"run", model, "--threads", "100000"}, 2, "--threads 100000: want 1 to 1024"},
		{[]string{"bench", model, "--threads", "100000"}, 2, "--threads 100000: want 1 to 1024"},
		{[]string{"run", model, "--threads", "-1"}, 2, "--threads -1"},
		{[]string{"summary", "resnet18", "--set", "classes=10", "--set", "classes=20"}, 2, "classes set twice (10, then 20)"},
		{[]string{"run", model, "--seed", "1", "--weights", w}, 2, "--seed and --weights exclude each other"},
		{[]string{"build", model, "--seed", "0", "--weights", w, "-o", filepath.Join(dir, "x.onnx")}, 2, "--seed and --weights"},
		{[]string{"build", model, "-o", model}, 2, "that is the input"},
		{[]string{"build", model, "--weights", w, "-o", w}, 2, "that is the input"},
		{[]string{"weights", model, "-o", model}, 2, "that is the input"},
		{[]string{"run", model, "--input", img, "--save-output", img}, 2, "that is the input " + img},
		{[]string{"run", model, "--input", img, "--save-output", filepath.Join(dir, "out.npy")}, 0, ""},
		{[]string{"build", model, "-o", filepath.Join(dir, "a.onnx"), "-o", filepath.Join(dir, "x.onnx")}, 2, "for flag -o: given twice"},
		{[]string{"run", model, "--seed", "1", "--seed", "2"}, 2, "for flag -seed: given twice (1, then 2)"},
		{[]string{"run", model, "-O2", "-O2", "--top", "1"}, 0, ""},
		{[]string{"run", model, "--disable", "fold-pad", "--disable", "fold-scale-shift", "--top", "1"}, 0, ""},
		{[]string{"check", "/dev/zero"}, 1, "it is a character device, not a regular file"},
		{[]string{"run", model, "--weights", filepath.Join(dir, "missing.safetensors")}, 1, "cannot read"},
		{[]string{"run", model, "--input", filepath.Join(dir, "missing.png")}, 1, "cannot read"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		got := Main(c.args, &out, &errb)
		if got != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("resc %s: exit %d, want %d and %q\nstderr: %s", strings.Join(c.args, " "), got, c.code, c.want, errb.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.onnx")); err == nil {
		t.Error("a refused build wrote x.onnx")
	}
}

// writeGray writes a small gray PNG.
func writeGray(t *testing.T, path string) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 12, 10))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNaNWeightsRejected: a weights file with a NaN, or a negative running
// variance, makes run fail with the tensor's name instead of printing NaN
// probabilities.
func TestNaNWeightsRejected(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.res")
	os.WriteFile(model, []byte(tinyNet), 0o644)
	w := filepath.Join(dir, "w.safetensors")
	if code := Main([]string{"weights", model, "-o", w}, new(bytes.Buffer), new(bytes.Buffer)); code != 0 {
		t.Fatalf("weights: exit %d", code)
	}
	data, _ := os.ReadFile(w)
	hlen := binary.LittleEndian.Uint64(data)
	for _, c := range []struct {
		tensor string
		value  float32
		want   string
	}{
		{"conv1.weight", float32(math.NaN()), `"conv1.weight": 1 NaN value`},
		{"fc.bias", float32(math.Inf(1)), `"fc.bias": 1 infinite value`},
		{"bn1.running_var", -1, `"bn1.running_var": 1 negative running variance`},
	} {
		bad := bytes.Clone(data)
		off := tensorOffset(t, bad[8:8+hlen], c.tensor)
		binary.LittleEndian.PutUint32(bad[8+hlen+uint64(off):], math.Float32bits(c.value))
		path := filepath.Join(dir, "bad.safetensors")
		os.WriteFile(path, bad, 0o644)
		var out, errb bytes.Buffer
		if code := Main([]string{"run", model, "--weights", path}, &out, &errb); code != 1 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%s = %v: exit %d, stderr %s", c.tensor, c.value, code, errb.String())
		}
	}
}

// tensorOffset finds a tensor's first data offset in a safetensors header.
func tensorOffset(t *testing.T, header []byte, name string) int {
	t.Helper()
	_, rest, ok := strings.Cut(string(header), `"`+name+`"`)
	if !ok {
		t.Fatalf("no %s in the header", name)
	}
	_, rest, _ = strings.Cut(rest, `"data_offsets":[`)
	var off int
	for _, ch := range rest {
		if ch < '0' || ch > '9' {
			break
		}
		off = off*10 + int(ch-'0')
	}
	return off
}
