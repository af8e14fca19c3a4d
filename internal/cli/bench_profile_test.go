package cli

import (
	"bytes"
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
