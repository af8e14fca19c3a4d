package cli

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// BenchmarkBuildResnet152 runs `resc build resnet152` (60M parameters) as a
// user does, a fresh process per build, and reports the time per build and
// the process's peak resident memory against the size of the weights. The
// issue's bar: under 1.5 s, and a peak under twice the weights' size.
func BenchmarkBuildResnet152(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "resc")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/resc-dev/resc/cmd/resc").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "resnet152.onnx")
	var peak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "build", "resnet152", "-o", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("resc build: %v\n%s", err, msg)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss*1024) // Linux reports kilobytes
		}
	}
	b.StopTimer()
	const weightsBytes = 60344232 * 4
	b.ReportMetric(float64(peak)/1e6, "peak-MB")
	b.ReportMetric(weightsBytes/1e6, "weights-MB")
	b.ReportMetric(float64(peak)/weightsBytes, "peak/weights")
}
