package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
)

// Read parses a serialized ModelProto.
func Read(data []byte) (*onnxpb.ModelProto, error) {
	m := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("not an ONNX model: %v", err)
	}
	if m.Graph == nil {
		return nil, fmt.Errorf("not an ONNX model: no graph")
	}
	return m, nil
}

// ReadFile parses the ONNX model in path.
func ReadFile(path string) (*onnxpb.ModelProto, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Read(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// ReadTensor parses a serialized TensorProto, as ONNX's test data stores
// inputs and expected outputs.
func ReadTensor(data []byte) (*onnxpb.TensorProto, error) {
	t := &onnxpb.TensorProto{}
	if err := proto.Unmarshal(data, t); err != nil {
		return nil, fmt.Errorf("not a TensorProto: %v", err)
	}
	return t, nil
}

// Floats decodes a FLOAT tensor's values from raw_data or float_data.
func Floats(t *onnxpb.TensorProto) ([]float32, error) {
	if t.GetDataType() != int32(onnxpb.TensorProto_FLOAT) {
		return nil, fmt.Errorf("tensor %q has data type %d, not FLOAT", t.GetName(), t.GetDataType())
	}
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	if t.RawData != nil || len(t.FloatData) == 0 && n != 0 {
		if int64(len(t.RawData)) != 4*n {
			return nil, fmt.Errorf("tensor %q: %d bytes of data for %d floats", t.GetName(), len(t.RawData), n)
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.RawData[4*i:]))
		}
		return out, nil
	}
	if int64(len(t.FloatData)) != n {
		return nil, fmt.Errorf("tensor %q: %d values for shape %v", t.GetName(), len(t.FloatData), t.Dims)
	}
	return append([]float32(nil), t.FloatData...), nil
}

// Int64s decodes an INT64 tensor's values from raw_data or int64_data.
func Int64s(t *onnxpb.TensorProto) ([]int64, error) {
	if t.GetDataType() != int32(onnxpb.TensorProto_INT64) {
		return nil, fmt.Errorf("tensor %q has data type %d, not INT64", t.GetName(), t.GetDataType())
	}
	if len(t.RawData) > 0 {
		if len(t.RawData)%8 != 0 {
			return nil, fmt.Errorf("tensor %q: %d bytes is not a whole number of int64s", t.GetName(), len(t.RawData))
		}
		out := make([]int64, len(t.RawData)/8)
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(t.RawData[8*i:]))
		}
		return out, nil
	}
	return append([]int64(nil), t.Int64Data...), nil
}

// Metadata returns a model's metadata_props as a map.
func Metadata(m *onnxpb.ModelProto) map[string]string {
	out := map[string]string{}
	for _, p := range m.MetadataProps {
		out[p.GetKey()] = p.GetValue()
	}
	return out
}
