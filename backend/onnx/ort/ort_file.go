//go:build cgo

package ort

import (
	"fmt"

	ortgo "github.com/yalue/onnxruntime_go"
)

// NewSessionFile is NewSession for a model in a file, which onnxruntime
// reads itself: the model's bytes never enter Go's memory, so the process
// holds what onnxruntime holds (resc bench --memory measures that). The
// inputs and outputs are asked of onnxruntime, which loads the model a
// first time to say them.
func NewSessionFile(path string, opts SessionOptions) (*Session, error) {
	so, err := newSessionOptions(opts)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	ins, outs, err := ortgo.GetInputOutputInfoWithOptions(path, so)
	if err != nil {
		return nil, sessionError(opts, err)
	}
	mi, err := fileModelIO(ins, outs)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	sess, err := ortgo.NewDynamicAdvancedSession(path, []string{mi.input}, mi.outputs, so)
	if err != nil {
		return nil, sessionError(opts, err)
	}
	return &Session{sess: sess, ortModelInfo: *mi}, nil
}

// fileModelIO is ortModelIO from what onnxruntime says of a model.
func fileModelIO(ins, outs []ortgo.InputOutputInfo) (*ortModelInfo, error) {
	if len(ins) != 1 || len(outs) == 0 {
		return nil, fmt.Errorf("the ONNX model has %d inputs and %d outputs; resc runs models with one input and at least one output", len(ins), len(outs))
	}
	for _, v := range append([]ortgo.InputOutputInfo{ins[0]}, outs...) {
		if v.OrtValueType != ortgo.ONNXTypeTensor {
			return nil, fmt.Errorf("the ONNX model's %q is not a tensor", v.Name)
		}
		if v.DataType != ortgo.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("the ONNX model's %q has element type %v; resc runs float32 models", v.Name, v.DataType)
		}
	}
	mi := &ortModelInfo{input: ins[0].Name, output: outs[0].Name,
		inDims: dims(ins[0].Dimensions), outDims: dims(outs[0].Dimensions)}
	for _, o := range outs {
		mi.outputs = append(mi.outputs, o.Name)
	}
	return mi, nil
}

// dims are a shape's dimensions, -1 where symbolic (onnxruntime says -1
// or 0 for those).
func dims(s ortgo.Shape) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = d
		if d <= 0 {
			out[i] = -1
		}
	}
	return out
}
