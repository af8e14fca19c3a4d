package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/backend/onnx/ort"
)

// benchChildEnv, set in a child's environment, makes 'resc bench' the
// child of a --memory measurement: it compiles and runs the model on the
// one backend the variable names ("native", "onnx:O1"), or, set to
// benchChildStart, does nothing at all, and prints a benchChildReport.
const benchChildEnv = "RESC_BENCH_MEMORY_CHILD"

// benchChildONNXEnv names, for an onnx child, the ONNX file its parent
// wrote, which onnxruntime loads itself.
const benchChildONNXEnv = "RESC_BENCH_MEMORY_ONNX"

// benchChildStart is the child that only starts: the baseline of the Go
// runtime and resc's own code and data.
const benchChildStart = "start"

// A benchChildReport is what a child tells its parent on its standard
// output, besides the peak resident memory the parent reads from the
// child's resource usage.
type benchChildReport struct {
	Describe    string            `json:"describe"`
	PeakKiB     int64             `json:"peak_kib"`     // at the end; 0 where the parent reads it from the child's rusage
	CompiledKiB int64             `json:"compiled_kib"` // the peak when the backend was ready, before the first run
	Native      *nativeMemoryJSON `json:"native,omitempty"`
}

// nativeMemoryJSON is native.MemoryStats in the --json output.
type nativeMemoryJSON struct {
	WeightsBytes          int64 `json:"weights_bytes"`
	ArenaBytesPerImage    int64 `json:"arena_bytes_per_image"`
	ScratchBytesPerThread int64 `json:"scratch_bytes_per_thread"`
	Threads               int   `json:"threads"`
	RunBytes              int64 `json:"run_bytes"` // arena for the batch and every thread's scratch
}

// benchChild is the child process of bench --memory: it compiles the model
// for one backend, runs the warm-up and measured runs, and reports.
func benchChild(c *ctx, f *benchFlags, arg, entry string) error {
	if entry == benchChildStart {
		return json.NewEncoder(c.stdout).Encode(benchChildReport{PeakKiB: selfPeakRSSKiB()})
	}
	name, level, _ := strings.Cut(entry, ":")
	if name == "onnx" {
		return benchChildONNX(c, f, os.Getenv(benchChildONNXEnv), level)
	}
	cf := f.compileFlags
	if level != "" {
		cf.o0, cf.o1, cf.o2 = level == "O0", level == "O1", level == "O2"
	}
	m, err := compileModel(arg, &cf, true)
	if err != nil {
		return err
	}
	e, err := newExecutor(name, m, execOptions{threads: f.threads, ortLib: f.ortLib})
	if err != nil {
		return err
	}
	defer e.close()
	r := benchChildReport{Describe: describeEntry(e, name, level), CompiledKiB: selfPeakRSSKiB()}
	if n, ok := e.(*nativeExec); ok {
		s := n.p.Backend().MemoryStats()
		r.Native = &nativeMemoryJSON{s.Weights, s.ArenaPerImage, s.ScratchPerWorker, s.Threads, s.Run(f.batch)}
	}
	in := runRandomNormal(f.batch*int(m.Graph().Input.Shape.Elems()), 1)
	outs := outputBuffers(m.Graph(), f.batch)
	for range f.warmup + f.runs {
		if err := e.run(in, f.batch, outs); err != nil {
			return err
		}
	}
	r.PeakKiB = max(selfPeakRSSKiB(), r.CompiledKiB) // Linux's counters lag a little
	return json.NewEncoder(c.stdout).Encode(r)
}

// benchChildONNX is the child for onnxruntime: it loads the ONNX file its
// parent wrote, so that what it holds is onnxruntime's, not resc's export
// of the model, and runs it as benchChild runs the native backend.
func benchChildONNX(c *ctx, f *benchFlags, path, level string) error {
	if path == "" {
		return fmt.Errorf("bench --memory: %s is not set", benchChildONNXEnv)
	}
	threads := f.threads
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	s, err := ort.NewSessionFile(path, ort.SessionOptions{LibPath: f.ortLib, Threads: threads})
	if err != nil {
		return err
	}
	defer s.Close()
	e := &onnxExec{s: s, threads: threads, device: "cpu"}
	r := benchChildReport{Describe: describeEntry(e, "onnx", level), CompiledKiB: selfPeakRSSKiB()}
	shape := s.InputShape()
	shape[0] = int64(f.batch)
	elems := int64(1)
	for _, d := range shape {
		if d <= 0 {
			return fmt.Errorf("bench --memory: the ONNX model's input %v has a symbolic dimension besides the batch", s.InputShape())
		}
		elems *= d
	}
	in := runRandomNormal(int(elems), 1)
	for range f.warmup + f.runs {
		if _, err := s.RunAll(in, shape); err != nil {
			return err
		}
	}
	r.PeakKiB = max(selfPeakRSSKiB(), r.CompiledKiB) // Linux's counters lag a little
	return json.NewEncoder(c.stdout).Encode(r)
}

// describeEntry is the table's name of a --backend entry.
func describeEntry(e executor, name, level string) string {
	d := e.describe()
	if level != "" {
		d = fmt.Sprintf("%s -%s, %s", name, level, strings.TrimPrefix(d, name+", "))
	}
	return d
}

// A memoryResult is one child's measurement.
type memoryResult struct {
	benchChildReport
	peakKiB int64
}

// benchMemory measures, for each backend entry, the peak resident memory
// of a fresh process that compiles the model and runs it (resc itself, run
// again with benchChildEnv set), and that of a process that only starts.
// Every backend is measured alike, by its process's own high-water mark
// (selfPeakRSSKiB): weights, packing, arenas, runtimes and libraries
// included.
func benchMemory(c *ctx, f *benchFlags, arg string, entries []string) error {
	// Compile once here, cheaply (the weights are not made), so that a
	// mistake in the model or the flags is reported as any bench reports it.
	m, err := compileModel(arg, &f.compileFlags, true)
	if err != nil {
		return err
	}
	model := m.Graph().Name
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench --memory runs resc again and cannot find it: %v", err)
	}
	dir, err := os.MkdirTemp("", "resc-bench-memory-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var start memoryResult
	var results []memoryResult
	for i, entry := range append([]string{benchChildStart}, entries...) {
		if c.progress {
			fmt.Fprintf(c.stderr, "\r%s: measuring %s (%d/%d)%s", model, entry, i+1, len(entries)+1, strings.Repeat(" ", 10))
		}
		var onnxFile string
		if name, level, _ := strings.Cut(entry, ":"); name == "onnx" {
			if onnxFile, err = writeBenchONNX(arg, f, level, filepath.Join(dir, fmt.Sprintf("%d.onnx", i))); err != nil {
				return err
			}
		}
		r, err := runBenchChild(c, exe, entry, onnxFile)
		if err != nil {
			if c.progress {
				fmt.Fprintln(c.stderr)
			}
			return err
		}
		if entry == benchChildStart {
			start = r
			continue
		}
		results = append(results, r)
	}
	if c.progress {
		fmt.Fprintf(c.stderr, "\r%s\r", strings.Repeat(" ", 70))
	}
	var reference int64
	for i, r := range results {
		if name, _, _ := strings.Cut(entries[i], ":"); name == "onnx" {
			reference = r.peakKiB
		}
	}
	if f.json {
		return writeMemoryJSON(c.stdout, model, f, start.peakKiB, results, reference)
	}
	fmt.Fprintf(c.stdout, "%s, batch %d, %d runs after %d warm-up: peak resident memory of a process that compiles and runs it\n", model, f.batch, f.runs, f.warmup)
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tpeak MiB\tcompiled MiB\tvs onnxruntime\t")
	fmt.Fprintf(tw, "process start, no model\t%s\t-\t-\t\n", mib(start.peakKiB*1024))
	for _, r := range results {
		ratio := "-"
		if reference > 0 {
			ratio = fmt.Sprintf("%.2fx", float64(r.peakKiB)/float64(reference))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", r.Describe, mib(r.peakKiB*1024), mib(r.CompiledKiB*1024), ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		if n := r.Native; n != nil {
			fmt.Fprintf(c.stdout, "%s holds %s MiB of weights; a run of %d uses %s MiB: arena %s MiB per image, scratch %s MiB per thread\n",
				r.Describe, mib(n.WeightsBytes), f.batch, mib(n.RunBytes), mib(n.ArenaBytesPerImage), mib(n.ScratchBytesPerThread))
		}
	}
	return nil
}

// writeBenchONNX writes the model, compiled at level ("" for the flags'),
// as ONNX with a symbolic batch to path, for an onnx child, and returns path.
func writeBenchONNX(arg string, f *benchFlags, level, path string) (string, error) {
	cf := f.compileFlags
	if level != "" {
		cf.o0, cf.o1, cf.o2 = level == "O0", level == "O1", level == "O2"
	}
	m, err := compileModel(arg, &cf, true)
	if err != nil {
		return "", err
	}
	b, err := m.ONNX(resc.ONNXOptions{Opset: m.onnx.Opset})
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, b, 0o600)
}

// mib formats bytes in MiB.
func mib(bytes int64) string { return fmt.Sprintf("%.1f", float64(bytes)/(1<<20)) }

// runBenchChild runs resc again with the same arguments as a child for
// entry and returns its report and peak resident memory. What the child
// says on its standard error (a compile error) goes to ours.
func runBenchChild(c *ctx, exe, entry, onnxFile string) (memoryResult, error) {
	cmd := exec.Command(exe, append([]string{"bench"}, c.args...)...)
	cmd.Env = append(os.Environ(), benchChildEnv+"="+entry, benchChildONNXEnv+"="+onnxFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, c.stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		// The child has said what went wrong.
		return memoryResult{}, silentError{}
	}
	if err != nil {
		return memoryResult{}, fmt.Errorf("bench --memory: running resc again: %v", err)
	}
	var r memoryResult
	if err := json.Unmarshal(out.Bytes(), &r.benchChildReport); err != nil {
		return memoryResult{}, fmt.Errorf("bench --memory: the child for %s reported %q: %v", entry, out.String(), err)
	}
	// The child's own figure where it has one (Linux: see selfPeakRSSKiB).
	r.peakKiB = r.PeakKiB
	if r.peakKiB <= 0 {
		r.peakKiB = peakRSSKiB(cmd.ProcessState)
	}
	if r.peakKiB <= 0 {
		return memoryResult{}, errors.New("bench --memory: this system does not report a process's peak resident memory")
	}
	return r, nil
}

func writeMemoryJSON(w io.Writer, model string, f *benchFlags, startKiB int64, results []memoryResult, reference int64) error {
	type jsonResult struct {
		Backend     string            `json:"backend"`
		PeakKiB     int64             `json:"peak_kib"`
		CompiledKiB int64             `json:"compiled_kib"`
		VsORT       *float64          `json:"vs_onnxruntime"`
		Native      *nativeMemoryJSON `json:"native,omitempty"`
	}
	out := struct {
		Model    string       `json:"model"`
		Batch    int          `json:"batch"`
		Runs     int          `json:"runs"`
		Warmup   int          `json:"warmup"`
		StartKiB int64        `json:"start_kib"`
		Results  []jsonResult `json:"results"`
	}{Model: model, Batch: f.batch, Runs: f.runs, Warmup: f.warmup, StartKiB: startKiB}
	for _, r := range results {
		jr := jsonResult{Backend: r.Describe, PeakKiB: r.peakKiB, CompiledKiB: r.CompiledKiB, Native: r.Native}
		if reference > 0 {
			v := float64(r.peakKiB) / float64(reference)
			jr.VsORT = &v
		}
		out.Results = append(out.Results, jr)
	}
	return writeJSON(w, out)
}
