// Package onnxweights reads the initializers of an ONNX model as a weights
// file: a torchvision model exported with torch.onnx, or a resc -O0
// export, matched to a graph by name like a safetensors file.
//
// Only the initializers' names, types, shapes and data are used; the
// graph is parsed but ignored. FLOAT, FLOAT16, BFLOAT16 and DOUBLE
// initializers are weights, converted to float32; other types (the int64
// shapes and pads of an export) are kept as raw, non-weight tensors, which
// matching skips. Data held outside the file (external data) is refused.
package onnxweights

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/internal/userfile"
	"github.com/resc-dev/resc/weights/safetensors"
)

// Metadata keys of the File that Read returns, besides the ones the
// weights package reads (resc_model, resc_layout).
const (
	// MetaProducer is the model's producer_name.
	MetaProducer = "onnx_producer"
	// MetaDerived counts the initializers that a resc export derived
	// from the weights (batch norms folded into convs by -O1/-O2).
	MetaDerived = "resc_derived"
)

// MaxDims bounds a tensor's rank.
const MaxDims = 16

// Sniff reports whether data starts as a serialized ONNX ModelProto does:
// with field 1 (ir_version, a varint) or, from other writers, field 8
// (opset_import) or 2 (producer_name), each a length-delimited field.
func Sniff(data []byte) bool {
	if len(data) < 2 {
		return false
	}
	switch data[0] {
	case 0x08: // field 1, varint
		return data[1] < 0x80 && data[1] > 0 // an ir_version below 128
	case 0x12, 0x42: // field 2 or 8, length-delimited
		return true
	}
	return false
}

// ReadFile reads the initializers of the ONNX model at path.
func ReadFile(path string) (*safetensors.File, error) {
	data, err := userfile.Read(path, safetensors.MaxFileBytes, "weights files")
	if err != nil {
		return nil, err
	}
	f, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("invalid ONNX weights: "+format, args...)
}

// Read decodes the initializers of a serialized ONNX ModelProto.
func Read(data []byte) (*safetensors.File, error) {
	m := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(data, m); err != nil {
		return nil, errorf("not an ONNX model: %v", err)
	}
	if m.Graph == nil {
		return nil, errorf("not an ONNX model: no graph")
	}
	f := &safetensors.File{Metadata: map[string]string{MetaProducer: m.GetProducerName()}}
	resc := m.GetProducerName() == "resc"
	if resc {
		// resc writes Conv weights OIHW and Gemm's [out,in] (transB),
		// as ONNX does, whatever the model's naming.
		f.Metadata["resc_layout"] = "torch"
		for _, p := range m.MetadataProps {
			if p.GetKey() == "model" {
				f.Metadata["resc_model"] = p.GetValue()
			}
		}
	}
	derived := 0
	for _, t := range m.Graph.Initializer {
		if resc && t.GetDocString() == onnxpb.ConstantDoc {
			continue
		}
		if resc && t.GetDocString() != "" {
			derived++
		}
		st, err := tensor(t)
		if err != nil {
			return nil, errorf("initializer %q: %v", t.GetName(), err)
		}
		f.Tensors = append(f.Tensors, st)
	}
	if derived > 0 {
		f.Metadata[MetaDerived] = strconv.Itoa(derived)
	}
	sort.SliceStable(f.Tensors, func(i, j int) bool { return f.Tensors[i].Name < f.Tensors[j].Name })
	return f, nil
}

// dtypes maps ONNX's data types to safetensors' names; the float ones are
// read as weights.
var dtypes = map[onnxpb.TensorProto_DataType]safetensors.DType{
	onnxpb.TensorProto_FLOAT:    safetensors.F32,
	onnxpb.TensorProto_FLOAT16:  safetensors.F16,
	onnxpb.TensorProto_BFLOAT16: safetensors.BF16,
	onnxpb.TensorProto_DOUBLE:   safetensors.F64,
	onnxpb.TensorProto_UINT8:    safetensors.U8,
	onnxpb.TensorProto_INT8:     safetensors.I8,
	onnxpb.TensorProto_UINT16:   safetensors.U16,
	onnxpb.TensorProto_INT16:    safetensors.I16,
	onnxpb.TensorProto_INT32:    safetensors.I32,
	onnxpb.TensorProto_INT64:    safetensors.I64,
	onnxpb.TensorProto_UINT32:   safetensors.U32,
	onnxpb.TensorProto_UINT64:   safetensors.U64,
	onnxpb.TensorProto_BOOL:     safetensors.BOOL,
}

func tensor(t *onnxpb.TensorProto) (safetensors.Tensor, error) {
	st := safetensors.Tensor{Name: t.GetName()}
	if st.Name == "" {
		return st, fmt.Errorf("no name")
	}
	if t.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(t.ExternalData) > 0 {
		return st, fmt.Errorf("its data is in an external file, which resc does not read; save the model with its data inside (onnx.save_model(model, path, save_as_external_data=False), under 2 GB)")
	}
	dt := onnxpb.TensorProto_DataType(t.GetDataType())
	d, ok := dtypes[dt]
	if !ok {
		return st, fmt.Errorf("data type %d is not supported", t.GetDataType())
	}
	st.DType = d
	if len(t.Dims) > MaxDims {
		return st, fmt.Errorf("%d dimensions, more than %d", len(t.Dims), MaxDims)
	}
	n := uint64(1)
	for _, v := range t.Dims {
		if v < 0 {
			return st, fmt.Errorf("negative dimension in %v", t.Dims)
		}
		// Every element takes at least one byte of the input, so a
		// count past its length is an error below; cap it here so that
		// the product cannot overflow.
		if v > 0 && n > math.MaxInt32/uint64(v) {
			return st, fmt.Errorf("shape %v is too large", t.Dims)
		}
		n *= uint64(v)
		st.Shape = append(st.Shape, int(v))
	}
	if st.Shape == nil {
		st.Shape = []int{}
	}
	size := uint64(d.Bits() / 8)
	if t.RawData != nil {
		if uint64(len(t.RawData)) != n*size {
			return st, fmt.Errorf("%d bytes of data for shape %v of %s (%d bytes)", len(t.RawData), t.Dims, d, n*size)
		}
		if d.IsFloat() {
			st.Data = decode(d, t.RawData)
		} else {
			st.Raw = t.RawData
		}
		return st, nil
	}
	// Typed fields: floats in float_data, doubles in double_data, 16-bit
	// floats as their bits in int32_data, integers in int32_data or
	// int64_data (not needed for weights, kept empty).
	var count int
	switch dt {
	case onnxpb.TensorProto_FLOAT:
		count = len(t.FloatData)
		if uint64(count) == n {
			st.Data = append([]float32(nil), t.FloatData...)
		}
	case onnxpb.TensorProto_DOUBLE:
		count = len(t.DoubleData)
		if uint64(count) == n {
			st.Data = make([]float32, n)
			for i, v := range t.DoubleData {
				st.Data[i] = float32(v)
			}
		}
	case onnxpb.TensorProto_FLOAT16, onnxpb.TensorProto_BFLOAT16:
		count = len(t.Int32Data)
		if uint64(count) == n {
			raw := make([]byte, 2*n)
			for i, v := range t.Int32Data {
				binary.LittleEndian.PutUint16(raw[2*i:], uint16(v))
			}
			st.Data = decode(d, raw)
		}
	default:
		return st, nil
	}
	if uint64(count) != n {
		return st, fmt.Errorf("%d values for shape %v", count, t.Dims)
	}
	return st, nil
}

// decode converts little-endian floats of a float dtype to float32.
func decode(d safetensors.DType, raw []byte) []float32 {
	out := make([]float32, len(raw)/(d.Bits()/8))
	for i := range out {
		switch d {
		case safetensors.F32:
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		case safetensors.F16:
			out[i] = safetensors.HalfToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		case safetensors.BF16:
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		case safetensors.F64:
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	}
	return out
}
