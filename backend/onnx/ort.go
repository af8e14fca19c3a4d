package onnx

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
	"google.golang.org/protobuf/proto"

	"resc/backend/onnx/onnxpb"
)

// SessionOptions configure an onnxruntime session.
type SessionOptions struct {
	// LibPath is the onnxruntime shared library (the --ort-lib flag); ""
	// means $ONNXRUNTIME_LIB, then DefaultLibraryPath. See FindLibrary.
	LibPath string
	// Threads is the number of intra-op threads; 0 means runtime.NumCPU().
	// Inter-op parallelism is always 1 (sequential execution).
	Threads int
	// Device is "cpu" (or "") or "cuda", which appends onnxruntime's CUDA
	// execution provider on GPU 0.
	Device string
}

// A Session runs one ONNX model with one float32 input and one float32
// output through onnxruntime. Its batch dimension may be dynamic. Run may be
// called from several goroutines at once; Close must not race with Run.
type Session struct {
	mu      sync.RWMutex // Run holds it for reading, Close for writing
	sess    *ort.DynamicAdvancedSession
	input   string
	output  string
	inDims  []int64 // the model's input dimensions; -1 where symbolic
	outDims []int64
}

// NewSession loads the onnxruntime library if needed (see InitRuntime) and
// creates a session for the serialized ModelProto model.
func NewSession(model []byte, opts SessionOptions) (*Session, error) {
	mi, err := modelIO(model)
	if err != nil {
		return nil, err
	}
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
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: session options: %v", err)
	}
	defer so.Destroy()
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		return nil, fmt.Errorf("onnxruntime: setting %d intra-op threads: %v", threads, err)
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("onnxruntime: setting inter-op threads: %v", err)
	}
	switch opts.Device {
	case "", "cpu":
	case "cuda":
		if err := appendCUDA(so); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("onnxruntime: unknown device %q (want cpu or cuda)", opts.Device)
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(model, []string{mi.input}, []string{mi.output}, so)
	if err != nil {
		if opts.Device == "cuda" && looksLikeCUDAError(err) {
			return nil, fmt.Errorf("onnxruntime could not start its CUDA execution provider: %v", cleanORTError(err))
		}
		return nil, fmt.Errorf("onnxruntime could not load the model: %v", cleanORTError(err))
	}
	return &Session{sess: sess, input: mi.input, output: mi.output, inDims: mi.inDims, outDims: mi.outDims}, nil
}

// ErrNoCUDA is returned (wrapped) by NewSession for device "cuda" when the
// onnxruntime library cannot provide the CUDA execution provider.
var ErrNoCUDA = errors.New("this onnxruntime library has no CUDA execution provider")

// appendCUDA adds the CUDA execution provider to so. A library built
// without CUDA, or one whose CUDA provider library
// (libonnxruntime_providers_cuda.so, with the CUDA and cuDNN runtimes)
// cannot be loaded, gives an error wrapping ErrNoCUDA.
func appendCUDA(so *ort.SessionOptions) error {
	noCUDA := func(err error) error {
		return fmt.Errorf("--device cuda: %w (%s); it needs a GPU build of onnxruntime %s, with libonnxruntime_providers_shared.so and libonnxruntime_providers_cuda.so beside libonnxruntime.so.1 and the CUDA 12 and cuDNN 9 runtimes; the npm build from scripts/install-onnxruntime.sh runs on the CPU only",
			ErrNoCUDA, cleanORTError(err), ORTVersion)
	}
	cuda, err := ort.NewCUDAProviderOptions()
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

func looksLikeCUDAError(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "cuda") || strings.Contains(s, "cudnn") || strings.Contains(s, "cublas")
}

// ortErrorPrefix matches the source location and status code onnxruntime
// puts before its messages:
// "/onnxruntime_src/.../x.cc:12 f() [ONNXRuntimeError] : 1 : FAIL : ".
var ortErrorPrefix = regexp.MustCompile(`^(?:\S+:\d+ [^\[]*)?\[ONNXRuntimeError\] : \d+ : [A-Z_]+ : `)

// cleanORTError drops the wrapper's "Error creating ...:" prefixes and
// onnxruntime's source locations, which say nothing to a user.
func cleanORTError(err error) string {
	s := err.Error()
	for _, p := range []string{
		"Error creating internal AdvancedSession: ",
		"Error creating C session: ",
		"Error running network: ",
	} {
		s = strings.TrimPrefix(s, p)
	}
	return ortErrorPrefix.ReplaceAllString(s, "")
}

// modelInfo is what a Session needs to know of the model before onnxruntime
// loads it.
type modelInfo struct {
	input, output   string
	inDims, outDims []int64
}

// modelIO reads the input and output names of a serialized model. Graph
// inputs that are also initializers (older exporters list weights as
// inputs) are not inputs to feed.
func modelIO(model []byte) (*modelInfo, error) {
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(model, &m); err != nil {
		return nil, fmt.Errorf("not an ONNX model: %v", err)
	}
	g := m.GetGraph()
	if g == nil {
		return nil, fmt.Errorf("the ONNX model has no graph")
	}
	inits := map[string]bool{}
	for _, t := range g.GetInitializer() {
		inits[t.GetName()] = true
	}
	var ins []*onnxpb.ValueInfoProto
	for _, v := range g.GetInput() {
		if !inits[v.GetName()] {
			ins = append(ins, v)
		}
	}
	outs := g.GetOutput()
	if len(ins) != 1 || len(outs) != 1 {
		return nil, fmt.Errorf("the ONNX model has %d inputs and %d outputs; resc runs models with one input and one output", len(ins), len(outs))
	}
	info := &modelInfo{input: ins[0].GetName(), output: outs[0].GetName()}
	var err error
	if info.inDims, err = floatTensorDims("input", ins[0]); err != nil {
		return nil, err
	}
	if info.outDims, err = floatTensorDims("output", outs[0]); err != nil {
		return nil, err
	}
	return info, nil
}

func floatTensorDims(what string, v *onnxpb.ValueInfoProto) ([]int64, error) {
	tt := v.GetType().GetTensorType()
	if tt == nil {
		return nil, fmt.Errorf("the ONNX model's %s %q is not a tensor", what, v.GetName())
	}
	if tt.GetElemType() != int32(onnxpb.TensorProto_FLOAT) {
		return nil, fmt.Errorf("the ONNX model's %s %q has element type %v; resc runs float32 models", what, v.GetName(), onnxpb.TensorProto_DataType(tt.GetElemType()))
	}
	var dims []int64
	for _, d := range tt.GetShape().GetDim() {
		if x, ok := d.GetValue().(*onnxpb.TensorShapeProto_Dimension_DimValue); ok && x.DimValue > 0 {
			dims = append(dims, x.DimValue)
		} else {
			dims = append(dims, -1)
		}
	}
	return dims, nil
}

// InputName and OutputName are the model's input and output names.
func (s *Session) InputName() string  { return s.input }
func (s *Session) OutputName() string { return s.output }

// InputShape is the model's declared input shape, -1 for a symbolic
// dimension such as the batch; OutputShape likewise.
func (s *Session) InputShape() []int64  { return append([]int64(nil), s.inDims...) }
func (s *Session) OutputShape() []int64 { return append([]int64(nil), s.outDims...) }

// Run feeds input, of the given shape, to the model and returns its output
// and the output's shape. input is not modified or retained.
func (s *Session) Run(input []float32, shape []int64) (out []float32, outShape []int64, err error) {
	if err := s.checkInput(input, shape); err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sess == nil {
		return nil, nil, fmt.Errorf("onnxruntime: Run on a closed session")
	}
	in, err := ort.NewTensor(ort.NewShape(shape...), input)
	if err != nil {
		return nil, nil, fmt.Errorf("onnxruntime: input tensor: %v", err)
	}
	defer in.Destroy()
	outputs := []ort.Value{nil} // allocated by onnxruntime
	if err := s.sess.Run([]ort.Value{in}, outputs); err != nil {
		if outputs[0] != nil {
			outputs[0].Destroy()
		}
		return nil, nil, fmt.Errorf("onnxruntime: %v", cleanORTError(err))
	}
	defer outputs[0].Destroy()
	t, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, nil, fmt.Errorf("onnxruntime: output %q is a %T, not a float32 tensor", s.output, outputs[0])
	}
	// The wrapper copied the runtime's buffer into Go memory, which stays
	// valid after Destroy releases the runtime's value.
	return t.GetData(), []int64(t.GetShape()), nil
}

func (s *Session) checkInput(input []float32, shape []int64) error {
	if len(shape) == 0 {
		return fmt.Errorf("onnxruntime: empty input shape")
	}
	if len(s.inDims) > 0 && len(shape) != len(s.inDims) {
		return fmt.Errorf("onnxruntime: input shape %v has %d dimensions; the model's input %q has %d %v", shape, len(shape), s.input, len(s.inDims), dimsString(s.inDims))
	}
	n := int64(1)
	for i, d := range shape {
		if d <= 0 {
			return fmt.Errorf("onnxruntime: input shape %v: dimension %d is %d", shape, i, d)
		}
		if i < len(s.inDims) && s.inDims[i] > 0 && s.inDims[i] != d {
			return fmt.Errorf("onnxruntime: input shape %v does not match the model's input %q %v", shape, s.input, dimsString(s.inDims))
		}
		n *= d
	}
	if int64(len(input)) != n {
		return fmt.Errorf("onnxruntime: input shape %v holds %d values, got %d", shape, n, len(input))
	}
	return nil
}

// dimsString writes dims with N for symbolic dimensions: [N,3,224,224].
func dimsString(dims []int64) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		if d < 0 {
			parts[i] = "N"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
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

// ModelMetadata is what onnxruntime reports of a model's metadata.
type ModelMetadata struct {
	ProducerName string
	GraphName    string
	Domain       string
	Description  string // the model's doc_string
	Version      int64  // model_version
	Custom       map[string]string
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
	return convertMetadata(m)
}

// ReadModelMetadata loads the .onnx file at modelPath into onnxruntime (from
// the library libPath names, as for SessionOptions.LibPath) and returns its
// metadata.
func ReadModelMetadata(modelPath, libPath string) (*ModelMetadata, error) {
	if _, err := InitRuntime(libPath); err != nil {
		return nil, err
	}
	m, err := ort.GetModelMetadata(modelPath)
	if err != nil {
		return nil, fmt.Errorf("onnxruntime: %v", err)
	}
	defer m.Destroy()
	return convertMetadata(m)
}

func convertMetadata(m *ort.ModelMetadata) (*ModelMetadata, error) {
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
