package cli

import (
	"fmt"
	"runtime"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/backend/onnx/ort"
)

// An executor runs a compiled model on batches of inputs: the native
// backend, or onnxruntime.
type executor interface {
	// run computes the outputs of a batch of inputs in the graph's input
	// shape: outs[i], with room for batch images of it, receives the
	// graph's output i.
	run(input []float32, batch int, outs [][]float32) error
	describe() string // "native, 2 threads"
	close()
}

// backends are the values of --backend; the first is the default.
var backends = []string{"native", "onnx"}

type execOptions struct {
	threads int    // 0: one per CPU; at most maxThreads
	device  string // onnx only: cpu or cuda
	ortLib  string // onnx only
	// profile keeps what an onnx executor needs to open a profiled
	// session later (onnxExec.profiled): its model and options.
	profile bool
}

// newExecutor prepares m for backend. It consumes m's weights, which is
// why run and bench compile the model once per backend.
func newExecutor(backend string, m *compiled, opts execOptions) (executor, error) {
	threads := opts.threads
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	switch backend {
	case "native":
		if opts.device != "" && opts.device != "cpu" {
			return nil, usagef("--device %s: the native backend runs on the CPU; use --backend onnx for cuda", opts.device)
		}
		p, err := m.Native(resc.NativeOptions{Threads: threads})
		if err != nil {
			return nil, err
		}
		return &nativeExec{p: p, threads: threads}, nil
	case "onnx":
		// The model keeps its symbolic batch.
		model, err := m.ONNX(resc.ONNXOptions{Opset: m.onnx.Opset})
		if err != nil {
			return nil, err
		}
		device := opts.device
		if device == "" {
			device = "cpu"
		}
		so := ort.SessionOptions{LibPath: opts.ortLib, Threads: threads, Device: device}
		s, err := ort.NewSession(model, so)
		if err != nil {
			return nil, err
		}
		e := &onnxExec{s: s, threads: threads, device: device, shape: m.Graph().Input.Shape}
		if opts.profile {
			e.model, e.opts = model, so
		}
		return e, nil
	}
	return nil, usagef("--backend %q: the backends are native and onnx", backend)
}

type nativeExec struct {
	p       *resc.Program
	threads int
}

func (e *nativeExec) run(in []float32, batch int, outs [][]float32) error {
	return e.p.RunOutputs(in, batch, outs)
}

func (e *nativeExec) describe() string {
	return fmt.Sprintf("native, %s", plural(e.threads, "thread"))
}

func (e *nativeExec) close() {}

type onnxExec struct {
	s       *ort.Session
	threads int
	device  string
	shape   []int // the graph's input shape, batch first

	// With execOptions.profile, the model and session options, for
	// profiled.
	model []byte
	opts  ort.SessionOptions
}

func (e *onnxExec) run(in []float32, batch int, outs [][]float32) error {
	shape := make([]int64, len(e.shape))
	for i, d := range e.shape {
		shape[i] = int64(d)
	}
	shape[0] = int64(batch)
	got, err := e.s.RunAll(in, shape)
	if err != nil {
		return err
	}
	if len(got) != len(outs) {
		return fmt.Errorf("onnxruntime returned %d outputs, want %d", len(got), len(outs))
	}
	for i, o := range got {
		if len(o.Data) != len(outs[i]) {
			return fmt.Errorf("onnxruntime returned %d values for output %s, want %d", len(o.Data), o.Name, len(outs[i]))
		}
		copy(outs[i], o.Data)
	}
	return nil
}

func (e *onnxExec) describe() string {
	return fmt.Sprintf("onnxruntime %s on %s, %s", ort.RuntimeVersion(), e.device, plural(e.threads, "thread"))
}

func (e *onnxExec) close() { e.s.Close() }

// maxThreads bounds --threads: a typo such as --threads 100000 must not
// start a hundred thousand workers.
const maxThreads = 1024

// checkThreads checks a --threads value: 0 (one per CPU) to maxThreads.
func checkThreads(n int) error {
	if n < 0 || n > maxThreads {
		return usagef("--threads %d: want 1 to %d (or 0 for one per CPU)", n, maxThreads)
	}
	return nil
}
