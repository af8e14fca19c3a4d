package ort

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
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
	// KeepPadFusion leaves onnxruntime's Pad_Fusion rewrite on, so that a
	// test can show what it does; resc's sessions disable it.
	KeepPadFusion bool
	// ProfilePrefix, when set, turns on onnxruntime's profiler: closing
	// the session writes a JSON trace of every run to a file whose path
	// starts with it (onnxruntime appends a date and ".json"), which
	// ReadProfile reads.
	ProfilePrefix string
}

// padFusion is onnxruntime's rewrite rule that folds a zero Pad into a
// following Conv, MaxPool or AveragePool. For the pools it is wrong: a max
// pool pads with −∞, so a border window whose values are all negative gets
// their maximum instead of the 0 the Pad put there (Keras ResNetV2's stem,
// a Pad and a MaxPool after a conv with no ReLU between, changed by
// ~1e-4 of the largest logit), and an average that excludes padding gets
// a different divisor. resc's sessions disable it by name (the session
// config entry optimization.disable_specified_optimizers); the other
// graph optimisations stay on. For Conv the fold is exact, and resc's own
// passes already do it.
const padFusion = "Pad_Fusion"

// A Session runs one ONNX model with one float32 input and one or more
// float32 outputs through onnxruntime (Run returns the first, RunAll
// each). Its batch dimension may be dynamic. Run may be
// called from several goroutines at once; Close must not race with Run.
type Session struct {
	mu   sync.RWMutex // Run holds it for reading, Close for writing
	sess *ortSession  // nil once closed
	ortModelInfo
}

// An Output is one output of a run: its name, values and shape.
type Output struct {
	Name  string
	Data  []float32
	Shape []int64
}

// OutputNames lists every output of the model, in the graph's order;
// OutputName is the first.
func (s *Session) OutputNames() []string { return append([]string(nil), s.outputs...) }

// InputName and OutputName are the model's input and output names.
func (s *Session) InputName() string  { return s.input }
func (s *Session) OutputName() string { return s.output }

// InputShape is the model's declared input shape, -1 for a symbolic
// dimension such as the batch; OutputShape likewise.
func (s *Session) InputShape() []int64  { return append([]int64(nil), s.inDims...) }
func (s *Session) OutputShape() []int64 { return append([]int64(nil), s.outDims...) }

func (s *ortModelInfo) checkInput(input []float32, shape []int64) error {
	if len(shape) == 0 {
		return fmt.Errorf("onnxruntime: empty input shape")
	}
	if len(s.inDims) > 0 && len(shape) != len(s.inDims) {
		return fmt.Errorf("onnxruntime: input shape %v has %d dimensions; the model's input %q has %d %v", shape, len(shape), s.input, len(s.inDims), ortDims(s.inDims))
	}
	n := int64(1)
	for i, d := range shape {
		if d <= 0 {
			return fmt.Errorf("onnxruntime: input shape %v: dimension %d is %d", shape, i, d)
		}
		if i < len(s.inDims) && s.inDims[i] > 0 && s.inDims[i] != d {
			return fmt.Errorf("onnxruntime: input shape %v does not match the model's input %q %v", shape, s.input, ortDims(s.inDims))
		}
		n *= d
	}
	if int64(len(input)) != n {
		return fmt.Errorf("onnxruntime: input shape %v holds %d values, got %d", shape, n, len(input))
	}
	return nil
}

// ortDims writes dims with N for symbolic dimensions: [N,3,224,224].
func ortDims(dims []int64) string {
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

// ModelMetadata is what onnxruntime reports of a model's metadata.
type ModelMetadata struct {
	ProducerName string
	GraphName    string
	Domain       string
	Description  string // the model's doc_string
	Version      int64  // model_version
	Custom       map[string]string
}

// ErrNoCUDA is returned (wrapped) by NewSession for device "cuda" when the
// onnxruntime library cannot provide the CUDA execution provider.
var ErrNoCUDA = errors.New("this onnxruntime library has no CUDA execution provider")

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
		"Error loading temporary session: ",
	} {
		s = strings.TrimPrefix(s, p)
	}
	return ortErrorPrefix.ReplaceAllString(s, "")
}

// ortModelInfo is what a Session needs to know of the model before onnxruntime
// loads it.
type ortModelInfo struct {
	input, output   string
	inDims, outDims []int64 // -1 where symbolic
	// outputs names every graph output, output first: a network may
	// have several (ir.Graph.Outputs).
	outputs []string
}

// ortModelIO reads the input and output names of a serialized model. Graph
// inputs that are also initializers (older exporters list weights as
// inputs) are not inputs to feed.
func ortModelIO(model []byte) (*ortModelInfo, error) {
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(model, &m); err != nil {
		return nil, fmt.Errorf("not an ONNX model: %v", err)
	}
	return graphIO(m.GetGraph())
}

// graphIO is ortModelIO of a model's graph.
func graphIO(g *onnxpb.GraphProto) (*ortModelInfo, error) {
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
	if len(ins) != 1 || len(outs) == 0 {
		return nil, fmt.Errorf("the ONNX model has %d inputs and %d outputs; resc runs models with one input and at least one output", len(ins), len(outs))
	}
	info := &ortModelInfo{input: ins[0].GetName(), output: outs[0].GetName()}
	for _, o := range outs {
		if _, err := ortTensorDims("output", o); err != nil {
			return nil, err
		}
		info.outputs = append(info.outputs, o.GetName())
	}
	var err error
	if info.inDims, err = ortTensorDims("input", ins[0]); err != nil {
		return nil, err
	}
	if info.outDims, err = ortTensorDims("output", outs[0]); err != nil {
		return nil, err
	}
	return info, nil
}

func ortTensorDims(what string, v *onnxpb.ValueInfoProto) ([]int64, error) {
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
