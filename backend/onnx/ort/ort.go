//go:build cgo

package ort

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	ortgo "github.com/yalue/onnxruntime_go"
)

// ortSession is onnxruntime_go's session; ort_nocgo.go has a stand-in.
type ortSession = ortgo.DynamicAdvancedSession

// The onnxruntime environment is process-wide: it is initialised once, from
// one library, and never torn down. A failed initialisation (a missing or
// wrong library) leaves nothing behind, so a later call may try another path.
var (
	ortMu   sync.Mutex
	ortPath string // the library the environment was initialised from
)

// InitRuntime loads the onnxruntime shared library (found as FindLibrary
// finds it from flagPath) and initialises its environment, once per process.
// Later calls with the same library do nothing; a call naming a different
// library is an error, since a process can hold only one. It returns the
// path of the library in use.
func InitRuntime(flagPath string) (string, error) {
	path, err := FindLibrary(flagPath)
	if err != nil {
		return "", err
	}
	ortMu.Lock()
	defer ortMu.Unlock()
	if ortPath != "" {
		if ortSameFile(ortPath, path) {
			return ortPath, nil
		}
		return "", fmt.Errorf("onnxruntime is already loaded from %s in this process; cannot load a second library %s", ortPath, path)
	}
	ortgo.SetSharedLibraryPath(path)
	if err := ortgo.InitializeEnvironment(ortgo.WithLogLevelError()); err != nil {
		msg := err.Error()
		if strings.Contains(msg, "API version") {
			return "", fmt.Errorf("cannot use %s: resc needs onnxruntime %s and this library is another version (%v); %s", path, ORTVersion, err, installHint)
		}
		msg = strings.TrimPrefix(msg, "Platform-specific initialization failed: ")
		msg = strings.TrimPrefix(msg, fmt.Sprintf("Error loading ONNX shared library %q: ", path))
		return "", fmt.Errorf("cannot load onnxruntime from %s: %s; %s", path, msg, installHint)
	}
	ortPath = path
	return path, nil
}

// RuntimeVersion returns the version string of the loaded onnxruntime
// library, or "" before InitRuntime has succeeded.
func RuntimeVersion() string {
	ortMu.Lock()
	defer ortMu.Unlock()
	if ortPath == "" {
		return ""
	}
	return ortgo.GetVersion()
}

// NewSession loads the onnxruntime library if needed (see InitRuntime) and
// creates a session for the serialized ModelProto model.
func NewSession(model []byte, opts SessionOptions) (*Session, error) {
	mi, err := ortModelIO(model)
	if err != nil {
		return nil, err
	}
	so, err := newSessionOptions(opts)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	sess, err := ortgo.NewDynamicAdvancedSessionWithONNXData(model, []string{mi.input}, mi.outputs, so)
	if err != nil {
		return nil, sessionError(opts, err)
	}
	return &Session{sess: sess, ortModelInfo: *mi}, nil
}

// newSessionOptions loads the library if needed and makes onnxruntime's
// options for opts.
func newSessionOptions(opts SessionOptions) (*ortgo.SessionOptions, error) {
	if _, err := InitRuntime(opts.LibPath); err != nil {
		return nil, err
	}
	threads := opts.Threads
	if threads < 0 {
		return nil, fmt.Errorf("onnxruntime: %d threads; want a positive number, or 0 for one per CPU", threads)
	}
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	so, err := ortgo.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: session options: %v", err)
	}
	if err := configure(so, opts, threads); err != nil {
		so.Destroy()
		return nil, err
	}
	return so, nil
}

func configure(so *ortgo.SessionOptions, opts SessionOptions, threads int) error {
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		return fmt.Errorf("onnxruntime: setting %d intra-op threads: %v", threads, err)
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return fmt.Errorf("onnxruntime: setting inter-op threads: %v", err)
	}
	if opts.ProfilePrefix != "" {
		if err := so.EnableProfiling(opts.ProfilePrefix); err != nil {
			return fmt.Errorf("onnxruntime: enabling the profiler: %v", err)
		}
	}
	if !opts.KeepPadFusion {
		if err := so.AddSessionConfigEntry("optimization.disable_specified_optimizers", padFusion); err != nil {
			return fmt.Errorf("onnxruntime: disabling %s: %v", padFusion, err)
		}
	}
	switch opts.Device {
	case "", "cpu":
	case "cuda":
		return appendCUDA(so)
	default:
		return fmt.Errorf("onnxruntime: unknown device %q (want cpu or cuda)", opts.Device)
	}
	return nil
}

// sessionError says why onnxruntime could not create a session.
func sessionError(opts SessionOptions, err error) error {
	if opts.Device == "cuda" && looksLikeCUDAError(err) {
		return fmt.Errorf("onnxruntime could not start its CUDA execution provider: %v", cleanORTError(err))
	}
	return fmt.Errorf("onnxruntime could not load the model: %v", cleanORTError(err))
}

// appendCUDA adds the CUDA execution provider to so. A library built
// without CUDA, or one whose CUDA provider library
// (libonnxruntime_providers_cuda.so, with the CUDA and cuDNN runtimes)
// cannot be loaded, gives an error wrapping ErrNoCUDA.
func appendCUDA(so *ortgo.SessionOptions) error {
	noCUDA := func(err error) error {
		return fmt.Errorf("--device cuda: %w (%s); it needs a GPU build of onnxruntime %s, with libonnxruntime_providers_shared.so and libonnxruntime_providers_cuda.so beside libonnxruntime.so.1 and the CUDA 12 and cuDNN 9 runtimes; the npm build from scripts/install-onnxruntime.sh runs on the CPU only",
			ErrNoCUDA, cleanORTError(err), ORTVersion)
	}
	cuda, err := ortgo.NewCUDAProviderOptions()
	if err != nil {
		return noCUDA(err)
	}
	defer cuda.Destroy()
	if err := cuda.Update(map[string]string{"device_id": "0"}); err != nil {
		return noCUDA(err)
	}
	if err := so.AppendExecutionProviderCUDA(cuda); err != nil {
		return noCUDA(err)
	}
	return nil
}

// Run feeds input, of the given shape, to the model and returns its
// (first) output and the output's shape. input is not modified or
// retained.
func (s *Session) Run(input []float32, shape []int64) (out []float32, outShape []int64, err error) {
	outs, err := s.RunAll(input, shape)
	if err != nil {
		return nil, nil, err
	}
	return outs[0].Data, outs[0].Shape, nil
}

// RunAll is Run for every output of the model, in the graph's order.
func (s *Session) RunAll(input []float32, shape []int64) ([]Output, error) {
	if err := s.checkInput(input, shape); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sess == nil {
		return nil, fmt.Errorf("onnxruntime: Run on a closed session")
	}
	in, err := ortgo.NewTensor(ortgo.NewShape(shape...), input)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: input tensor: %v", err)
	}
	defer in.Destroy()
	values := make([]ortgo.Value, len(s.outputs)) // allocated by onnxruntime
	defer func() {
		for _, v := range values {
			if v != nil {
				v.Destroy()
			}
		}
	}()
	if err := s.sess.Run([]ortgo.Value{in}, values); err != nil {
		return nil, fmt.Errorf("onnxruntime: %v", cleanORTError(err))
	}
	outs := make([]Output, len(values))
	for i, v := range values {
		t, ok := v.(*ortgo.Tensor[float32])
		if !ok {
			return nil, fmt.Errorf("onnxruntime: output %q is a %T, not a float32 tensor", s.outputs[i], v)
		}
		// The wrapper copied the runtime's buffer into Go memory, which
		// stays valid after Destroy releases the runtime's value.
		outs[i] = Output{Name: s.outputs[i], Data: t.GetData(), Shape: []int64(t.GetShape())}
	}
	return outs, nil
}

// Close releases the session. It must not be called while a Run is in
// progress; later Runs return an error.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil {
		return nil
	}
	err := s.sess.Destroy()
	s.sess = nil
	return err
}

// Metadata reads the session's model metadata back from onnxruntime.
func (s *Session) Metadata() (*ModelMetadata, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sess == nil {
		return nil, fmt.Errorf("onnxruntime: Metadata on a closed session")
	}
	m, err := s.sess.GetModelMetadata()
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: model metadata: %v", err)
	}
	defer m.Destroy()
	return ortMetadata(m)
}

// ReadModelMetadata loads the .onnx file at modelPath into onnxruntime (from
// the library libPath names, as for SessionOptions.LibPath) and returns its
// metadata.
func ReadModelMetadata(modelPath, libPath string) (*ModelMetadata, error) {
	if _, err := InitRuntime(libPath); err != nil {
		return nil, err
	}
	m, err := ortgo.GetModelMetadata(modelPath)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: %v", err)
	}
	defer m.Destroy()
	return ortMetadata(m)
}

func ortMetadata(m *ortgo.ModelMetadata) (*ModelMetadata, error) {
	var md ModelMetadata
	var err error
	get := func(f func() (string, error)) string {
		v, e := f()
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	md.ProducerName = get(m.GetProducerName)
	md.GraphName = get(m.GetGraphName)
	md.Domain = get(m.GetDomain)
	md.Description = get(m.GetDescription)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: model metadata: %v", err)
	}
	if md.Version, err = m.GetVersion(); err != nil {
		return nil, fmt.Errorf("onnxruntime: model metadata: %v", err)
	}
	keys, err := m.GetCustomMetadataMapKeys()
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: model metadata: %v", err)
	}
	md.Custom = make(map[string]string, len(keys))
	for _, k := range keys {
		v, ok, e := m.LookupCustomMetadataMap(k)
		if e != nil {
			return nil, fmt.Errorf("onnxruntime: model metadata %q: %v", k, e)
		}
		if ok {
			md.Custom[k] = v
		}
	}
	return &md, nil
}
