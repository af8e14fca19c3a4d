package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

type benchFlags struct {
	compileFlags
	backends string
	threads  int
	runs     int
	warmup   int
	ortLib   string
	json     bool
	profile  bool
	memory   bool
}

func init() {
	register(&command{
		name:  "bench",
		args:  "[--backend native,onnx] [--batch B] [--threads T] [--runs N] [--warmup W] [--json] [--profile | --memory] [-O0|-O1|-O2] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "measure a model's latency or memory on the native backend and onnxruntime",
		long: `Bench compiles MODEL once per backend, runs W warm-up batches on each,
then N measured batches of B random inputs on each, the backends taking
turns in blocks of five runs so that all see the same machine, and prints
one table: median and minimum latency, the median CPU time of a run (all
threads; on a shared machine it moves less than the latency), images/s
and GFLOP/s (2 x the model's multiply-accumulates per image), and each
backend's latency as a ratio to onnxruntime's measured in the same run
with the same number of threads (default: one per CPU; at most 1024).
Progress goes to standard error while it runs, when that is a terminal.
--json prints one object instead of the table: model, batch, runs,
warmup, macs (per image) and results (backend, median_ms, min_ms,
cpu_ms, images_per_s, gflops, vs_onnxruntime: null without an onnx entry).

A backend may name its own optimisation level, overriding -O, to show what
the IR passes are worth in one run:

  resc bench resnet50 --backend native:O0,native:O2,onnx

With --profile, each native backend then runs N more times with every
step timed, and bench prints the slowest steps (a step is a node with what
was fused into it) with their time per run, GFLOP/s and share of the
whole, and the same totalled by operation. An onnx backend runs N more
times, after one warm-up, in a fresh session with onnxruntime's profiler
on, and bench prints its nodes' kernel times the same way. With one native
and one onnx backend it then lines the two up node by node, largest
difference first: each native step's time against that of onnxruntime's
nodes named after it (the exported node's parts, and the nodes onnxruntime
moved to its blocked layout, "_nchwc", or fused).

With --memory, bench measures memory instead of time: for each backend
it runs resc again as a fresh process that compiles the model for that
backend alone, runs W warm-up and N measured batches of B, and exits, and
prints each process's peak resident memory (its high-water mark, VmHWM,
on Linux; its rusage elsewhere) and its peak once compiled, before the
first run, as a ratio to onnxruntime's; a first row is a process that only
starts, the Go runtime's and resc's own share, which every row includes.
onnxruntime loads an ONNX file bench writes first, as a deployment would,
so that its row is what onnxruntime holds and not resc's export of the
model. For the native backend bench adds what the Program accounts for:
its weights (packed), and a run's arena and per-thread scratch. --json
prints model, batch, runs, warmup, start_kib and results (backend,
peak_kib, compiled_kib, vs_onnxruntime, and native: weights_bytes,
arena_bytes_per_image, scratch_bytes_per_thread, threads, run_bytes).`,
		flags: func(fs *flag.FlagSet) any {
			f := &benchFlags{}
			f.compileFlags.register(fs)
			f.batch = 1
			if b := fs.Lookup("batch"); b != nil {
				b.Usage = "measure batches of `B` inputs"
				b.DefValue = "1"
			}
			fs.StringVar(&f.backends, "backend", "native,onnx", "comma-separated `BACKENDS` to measure, each optionally with a level (native:O0)")
			fs.IntVar(&f.threads, "threads", 0, "threads `T` for every backend (default: one per CPU)")
			fs.IntVar(&f.runs, "runs", 10, "measured runs `N`")
			fs.IntVar(&f.warmup, "warmup", 2, "warm-up runs `W`")
			fs.StringVar(&f.ortLib, "ort-lib", "", "the onnxruntime shared library `PATH`")
			fs.BoolVar(&f.json, "json", false, "print the results as JSON")
			fs.BoolVar(&f.profile, "profile", false, "then time every native step and onnxruntime node, and print where the time goes")
			fs.BoolVar(&f.memory, "memory", false, "measure each backend's peak resident memory, in a process of its own, instead of its latency")
			return f
		},
		run: runBench,
	})
}

// A benchedBackend is one --backend entry being measured.
type benchedBackend struct {
	name, describe string
	exec           executor
	in             []float32
	outs           [][]float32 // one per output of the graph
	times          []time.Duration
	cpu            []time.Duration // the process's CPU time over each run
}

type benchResult struct {
	backend     string
	describe    string
	median, min time.Duration
	cpu         time.Duration // median CPU time per run; 0 when unknown
}

func runBench(c *ctx, opts any, args []string) error {
	f := opts.(*benchFlags)
	arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
	if err != nil {
		return err
	}
	entries := strings.Split(f.backends, ",")
	for _, e := range entries {
		b, level, _ := strings.Cut(e, ":")
		if !slices.Contains(backends, b) {
			return usagef("--backend %q: the backends are %s", b, strings.Join(backends, " and "))
		}
		if level != "" && !slices.Contains([]string{"O0", "O1", "O2"}, level) {
			return usagef("--backend %q: the levels are O0, O1 and O2", e)
		}
	}
	if f.batch <= 0 || f.runs <= 0 || f.warmup < 0 {
		return usagef("--batch and --runs must be positive, --warmup not negative")
	}
	if err := checkThreads(f.threads); err != nil {
		return err
	}
	if entry := os.Getenv(benchChildEnv); entry != "" {
		return benchChild(c, f, arg, entry)
	}
	if f.memory {
		if f.profile {
			return usagef("--memory and --profile exclude each other")
		}
		return benchMemory(c, f, arg, entries)
	}
	// Compile every backend first, then measure them in alternating
	// blocks of runs, so that all see the same machine: a noisy neighbour
	// or a slower spell hits each alike.
	var benched []*benchedBackend
	defer func() {
		for _, b := range benched {
			b.exec.close()
		}
	}()
	var macs int64
	var model string
	for _, entry := range entries {
		name, level, _ := strings.Cut(entry, ":")
		cf := f.compileFlags
		if level != "" {
			cf.o0, cf.o1, cf.o2 = level == "O0", level == "O1", level == "O2"
		}
		m, err := compileModel(arg, &cf, true)
		if err != nil {
			return err
		}
		model, macs = m.Graph().Name, m.Graph().Stats().MACs
		exec, err := newExecutor(name, m, execOptions{threads: f.threads, ortLib: f.ortLib, profile: f.profile})
		if err != nil {
			return err
		}
		benched = append(benched, &benchedBackend{name: name, describe: describeEntry(exec, name, level), exec: exec,
			in:   runRandomNormal(f.batch*int(m.Graph().Input.Shape.Elems()), 1),
			outs: outputBuffers(m.Graph(), f.batch)})
	}
	// Collect what compiling left, so that no garbage collection runs
	// during the measured runs.
	runtime.GC()
	total := len(benched) * (f.warmup + f.runs)
	done := 0
	progress := func(b *benchedBackend) {
		done++
		if c.progress {
			fmt.Fprintf(c.stderr, "\r%s: %s, run %d/%d", model, b.name, done, total)
		}
	}
	for _, b := range benched {
		for range f.warmup {
			progress(b)
			if err := b.exec.run(b.in, f.batch, b.outs); err != nil {
				return err
			}
		}
	}
	const block = 5
	for left := f.runs; left > 0; left -= block {
		for _, b := range benched {
			for range min(block, left) {
				progress(b)
				cpu0, start := processCPUTime(), time.Now()
				if err := b.exec.run(b.in, f.batch, b.outs); err != nil {
					return err
				}
				b.times = append(b.times, time.Since(start))
				b.cpu = append(b.cpu, processCPUTime()-cpu0)
			}
			// onnxruntime's threads spin for a while after a run; let them
			// settle before the next backend's block. 20 ms was not enough:
			// cifar_resnet56 on 2 threads ran natively in 2.75–3.86 ms
			// (median) after onnxruntime's blocks and 2.27–2.49 ms with
			// 200, alternated in one session; alone, 2.51–2.58.
			time.Sleep(200 * time.Millisecond)
		}
	}
	if c.progress {
		fmt.Fprintf(c.stderr, "\r%s\r", strings.Repeat(" ", 60))
	}
	var results []benchResult
	for _, b := range benched {
		slices.Sort(b.times)
		slices.Sort(b.cpu)
		results = append(results, benchResult{b.name, b.describe, b.times[len(b.times)/2], b.times[0], b.cpu[len(b.cpu)/2]})
	}
	var reference time.Duration
	for _, r := range results {
		if r.backend == "onnx" {
			reference = r.median
		}
	}
	if f.json {
		return writeBenchJSON(c.stdout, model, f, macs, results, reference)
	}
	fmt.Fprintf(c.stdout, "%s, batch %d, %d runs after %d warm-up, %.3f GMACs per image\n", model, f.batch, f.runs, f.warmup, float64(macs)/1e9)
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tmedian ms\tmin ms\tcpu ms\timages/s\tGFLOP/s\tvs onnxruntime\t")
	for _, r := range results {
		ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
		ratio := "-"
		if reference > 0 {
			ratio = fmt.Sprintf("%.2fx", float64(r.median)/float64(reference))
		}
		secs := r.median.Seconds()
		cpu := "-"
		if r.cpu > 0 {
			cpu = ms(r.cpu)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%.1f\t%s\t\n", r.describe, ms(r.median), ms(r.min), cpu,
			float64(f.batch)/secs, 2*float64(macs)*float64(f.batch)/secs/1e9, ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if f.profile {
		return benchProfiles(c.stdout, benched, f.batch, f.runs)
	}
	return nil
}

func writeBenchJSON(w io.Writer, model string, f *benchFlags, macs int64, results []benchResult, reference time.Duration) error {
	type jsonResult struct {
		Backend    string   `json:"backend"`
		MedianMS   float64  `json:"median_ms"`
		MinMS      float64  `json:"min_ms"`
		CPUMS      float64  `json:"cpu_ms"`
		ImagesPerS float64  `json:"images_per_s"`
		GFLOPs     float64  `json:"gflops"`
		VsORT      *float64 `json:"vs_onnxruntime"`
	}
	out := struct {
		Model   string       `json:"model"`
		Batch   int          `json:"batch"`
		Runs    int          `json:"runs"`
		Warmup  int          `json:"warmup"`
		MACs    int64        `json:"macs"`
		Results []jsonResult `json:"results"`
	}{Model: model, Batch: f.batch, Runs: f.runs, Warmup: f.warmup, MACs: macs}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, r := range results {
		secs := r.median.Seconds()
		jr := jsonResult{Backend: r.describe, MedianMS: ms(r.median), MinMS: ms(r.min), CPUMS: ms(r.cpu),
			ImagesPerS: float64(f.batch) / secs, GFLOPs: 2 * float64(macs) * float64(f.batch) / secs / 1e9}
		if reference > 0 {
			v := float64(r.median) / float64(reference)
			jr.VsORT = &v
		}
		out.Results = append(out.Results, jr)
	}
	return writeJSON(w, out)
}
