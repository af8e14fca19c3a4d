package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// benchMemoryJSON is the --memory --json output.
type benchMemoryJSON struct {
	Model    string `json:"model"`
	Batch    int    `json:"batch"`
	StartKiB int64  `json:"start_kib"`
	Results  []struct {
		Backend     string            `json:"backend"`
		PeakKiB     int64             `json:"peak_kib"`
		CompiledKiB int64             `json:"compiled_kib"`
		VsORT       *float64          `json:"vs_onnxruntime"`
		Native      *nativeMemoryJSON `json:"native"`
	} `json:"results"`
}

// TestBenchMemoryNative: bench --memory runs the test binary again as
// resc for each backend and reads the children's peak resident memory: a
// child that compiled and ran the model peaked no lower than it was when
// compiled, at least by the weights the Program says it holds, and the
// Program's accounting adds up. No onnxruntime needed.
func TestBenchMemoryNative(t *testing.T) {
	skipUnderRace(t)
	// A parent much larger than its children: on Linux a child's rusage
	// counts its parent's peak (see selfPeakRSSKiB), which the children
	// must not report as theirs.
	ballast := make([]byte, 128<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	var out, errb bytes.Buffer
	args := []string{"bench", "--memory", "cifar_resnet20", "--backend", "native:O0", "--batch", "3", "--threads", "2", "--runs", "1", "--warmup", "0", "--json"}
	if code := Main(args, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got benchMemoryJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if got.Model != "cifar_resnet20" || got.Batch != 3 || len(got.Results) != 1 {
		t.Fatalf("want cifar_resnet20, batch 3, one result:\n%s", out.String())
	}
	runtime.KeepAlive(ballast)
	if got.StartKiB <= 0 || got.StartKiB*1024 > int64(len(ballast))/2 {
		t.Errorf("start: %d KiB; the parent holds %d KiB, a process that only starts far less", got.StartKiB, len(ballast)>>10)
	}
	for i, r := range got.Results {
		if want := "native -O0, 2 threads"; r.Backend != want {
			t.Errorf("result %d is %q, want %q", i, r.Backend, want)
		}
		if r.VsORT != nil {
			t.Errorf("%s: vs_onnxruntime %v without onnxruntime", r.Backend, *r.VsORT)
		}
		if r.CompiledKiB <= 0 || r.PeakKiB < r.CompiledKiB || r.PeakKiB*1024 > int64(len(ballast))/2 {
			t.Errorf("%s: compiled at %d KiB, peak %d KiB", r.Backend, r.CompiledKiB, r.PeakKiB)
		}
		n := r.Native
		if n == nil {
			t.Fatalf("%s: no native accounting:\n%s", r.Backend, out.String())
		}
		// cifar_resnet20 has 0.27 M parameters, 1.1 MB as float32.
		if n.WeightsBytes < 1<<20 || n.WeightsBytes > 2<<20 || n.ArenaBytesPerImage <= 0 || n.ScratchBytesPerThread <= 0 || n.Threads != 2 {
			t.Errorf("%s: accounting %+v", r.Backend, *n)
		}
		if want := 3*n.ArenaBytesPerImage + 2*n.ScratchBytesPerThread; n.RunBytes != want {
			t.Errorf("%s: run_bytes %d, want arena×3 + scratch×2 = %d", r.Backend, n.RunBytes, want)
		}
		if r.PeakKiB*1024 < n.WeightsBytes+n.RunBytes {
			t.Errorf("%s: peak %d KiB under the %d bytes the Program holds", r.Backend, r.PeakKiB, n.WeightsBytes+n.RunBytes)
		}
	}
}

// TestBenchMemoryTable: the table has the start row, a row per backend
// with onnxruntime as the reference, and native's accounting.
func TestBenchMemoryTable(t *testing.T) {
	skipUnderRace(t)
	requireORT(t)
	var out, errb bytes.Buffer
	args := []string{"bench", "cifar_resnet20", "--memory", "--threads", "1", "--runs", "1", "--warmup", "0"}
	if code := Main(args, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, re := range []string{
		`cifar_resnet20, batch 1, 1 runs after 0 warm-up: peak resident memory`,
		`backend +peak MiB +compiled MiB +vs onnxruntime`,
		`process start, no model +[0-9.]+ +- +-`,
		`native, 1 thread +[0-9.]+ +[0-9.]+ +[0-9.]+x`,
		`onnxruntime [0-9.]+ on cpu, 1 thread +[0-9.]+ +[0-9.]+ +1\.00x`,
		`native, 1 thread holds [0-9.]+ MiB of weights; a run of 1 uses [0-9.]+ MiB: arena [0-9.]+ MiB per image, scratch [0-9.]+ MiB per thread`,
	} {
		if !regexp.MustCompile(re).MatchString(s) {
			t.Errorf("output lacks %s:\n%s", re, s)
		}
	}
}

// TestBenchMemoryErrors: a child's compile error is reported once, as
// bench reports it; --profile does not measure memory.
func TestBenchMemoryErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main([]string{"bench", "--memory", "--profile", "cifar_resnet20"}, &out, &errb); code != exitUsage {
		t.Errorf("--memory --profile: exit %d, want %d: %s", code, exitUsage, errb.String())
	}
	errb.Reset()
	if code := Main([]string{"bench", "--memory", "no_such_model"}, &out, &errb); code != exitUser && code != exitUsage {
		t.Errorf("no_such_model: exit %d: %s", code, errb.String())
	} else if msg := errb.String(); !strings.Contains(msg, "no_such_model") || strings.Contains(msg, "internal error") {
		t.Errorf("no_such_model: %q", msg)
	}
}

// skipUnderRace skips a test whose work is done by child processes, in
// which the race detector has nothing to watch, and which it slows from
// one second to twenty.
func skipUnderRace(t *testing.T) {
	if raceEnabled {
		t.Skip("bench --memory measures child processes; nothing for the race detector")
	}
}
