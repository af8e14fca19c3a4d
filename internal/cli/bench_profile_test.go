package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestBenchProfile: --profile prints the native backend's slowest steps
// and the totals by operation, on the native backend alone (no
// onnxruntime needed).
func TestBenchProfile(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"bench", "cifar_resnet20", "--backend", "native", "--runs", "2", "--warmup", "0", "--threads", "1", "--profile"}
	if code := Main(args, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"cpu ms", "profile of native, 1 thread, 2 runs", "node", "GFLOP/s", "share", "by operation", "layer1.0.conv1", "Conv 3x3 +res relu"} {
		if !strings.Contains(s, want) {
			t.Errorf("bench --profile output lacks %q:\n%s", want, s)
		}
	}
}

// TestBenchProfileAgainstOnnxruntime: with both backends, --profile also
// prints onnxruntime's profiler's nodes and a table lining the two up, in
// which every convolution of the model has a time on both sides and whose
// totals are the profiles'.
func TestBenchProfileAgainstOnnxruntime(t *testing.T) {
	requireORT(t)
	var out, errb bytes.Buffer
	args := []string{"bench", "cifar_resnet20", "--backend", "native,onnx", "--runs", "2", "--warmup", "0", "--threads", "1", "--profile"}
	if code := Main(args, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"profile of native, 1 thread", "profile of onnxruntime", "2 runs (its profiler's kernel times)",
		"native against onnxruntime, node by node"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// The table's totals are the two profiles' totals.
	total := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("no %s in:\n%s", re, s)
		}
		return m[1]
	}
	nativeTotal := total(`profile of native[^:]*: ([0-9.]+) ms per run`)
	ortTotal := total(`profile of onnxruntime[^:]*: ([0-9.]+) ms per run`)
	if got := total(`node by node, largest difference first: ([0-9.]+ ms per run against [0-9.]+)`); got != nativeTotal+" ms per run against "+ortTotal {
		t.Errorf("the comparison totals %q, the profiles %s and %s ms", got, nativeTotal, ortTotal)
	}
	_, table, _ := strings.Cut(s, "native against onnxruntime, node by node")
	convs := 0
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[1] != "Conv" {
			continue
		}
		convs++
		// node, "Conv", the geometry and fusions, native ms, onnxruntime ms, ratio.
		if n := len(f); f[n-3] == "-" || f[n-2] == "-" || f[n-1] == "-" {
			t.Errorf("a convolution without a time on both sides: %q", line)
		}
	}
	if convs < 5 {
		t.Errorf("the comparison lists %d convolutions:\n%s", convs, table)
	}
}

// TestNativeStepOf: onnxruntime's node names map to the native step they
// extend, the longest first; its own nodes to none.
func TestNativeStepOf(t *testing.T) {
	steps := map[string]int{"conv1": 0, "layer1.0.conv3": 1, "layer1.0.conv3_x": 2, "fc": 3}
	for name, want := range map[string]int{
		"conv1_nchwc":              0,
		"conv1":                    0,
		"layer1.0.conv3/conv":      1,
		"layer1.0.conv3/add_nchwc": 1,
		"layer1.0.conv3_x/relu":    2,
		"ReorderOutput":            -1,
		"conv12":                   -1,
		"fc/gemm":                  3,
		"":                         -1,
	} {
		if got := nativeStepOf(name, steps); got != want {
			t.Errorf("nativeStepOf(%q) = %d, want %d", name, got, want)
		}
	}
}
