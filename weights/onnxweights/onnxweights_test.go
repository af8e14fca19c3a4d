package onnxweights

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/weights/safetensors"
)

func model(t testing.TB, inits ...*onnxpb.TensorProto) []byte {
	t.Helper()
	m := &onnxpb.ModelProto{IrVersion: proto.Int64(8), ProducerName: proto.String("test"),
		Graph: &onnxpb.GraphProto{Name: proto.String("g"), Initializer: inits}}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rawFloats(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func init32(name string, dt onnxpb.TensorProto_DataType, dims []int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(int32(dt)), Dims: dims}
}

// TestReadTypes reads each way ONNX stores float values: raw_data for
// FLOAT, FLOAT16 and DOUBLE, float_data, int32_data holding BFLOAT16 bits;
// an INT64 initializer is kept as a non-weight.
func TestReadTypes(t *testing.T) {
	raw := init32("raw", onnxpb.TensorProto_FLOAT, []int64{2})
	raw.RawData = rawFloats(1.5, -2)
	typed := init32("typed", onnxpb.TensorProto_FLOAT, []int64{1, 2})
	typed.FloatData = []float32{3, 4}
	half := init32("half", onnxpb.TensorProto_FLOAT16, []int64{2})
	half.RawData = []byte{0x00, 0x3c, 0x00, 0xc0} // 1, -2
	bf := init32("bf", onnxpb.TensorProto_BFLOAT16, []int64{1})
	bf.Int32Data = []int32{0x3fc0} // 1.5
	dbl := init32("dbl", onnxpb.TensorProto_DOUBLE, nil)
	dbl.DoubleData = []float64{0.25}
	ints := init32("pads", onnxpb.TensorProto_INT64, []int64{1})
	ints.RawData = make([]byte, 8)
	f, err := Read(model(t, raw, typed, half, bf, dbl, ints))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{"raw": {1.5, -2}, "typed": {3, 4}, "half": {1, -2}, "bf": {1.5}, "dbl": {0.25}}
	for name, v := range want {
		got := f.Tensor(name)
		if got == nil || !got.IsWeight() || len(got.Data) != len(v) {
			t.Fatalf("%s: %+v", name, got)
		}
		for i := range v {
			if got.Data[i] != v[i] {
				t.Errorf("%s[%d] = %v, want %v", name, i, got.Data[i], v[i])
			}
		}
	}
	if p := f.Tensor("pads"); p == nil || p.IsWeight() || p.DType != safetensors.I64 {
		t.Errorf("pads: %+v", p)
	}
	if f.Tensor("dbl").Shape == nil || len(f.Tensor("dbl").Shape) != 0 {
		t.Errorf("a scalar's shape is %v", f.Tensor("dbl").Shape)
	}
}

// TestReadErrors: each malformed initializer gets its own message.
func TestReadErrors(t *testing.T) {
	short := init32("short", onnxpb.TensorProto_FLOAT, []int64{3})
	short.RawData = rawFloats(1, 2)
	few := init32("few", onnxpb.TensorProto_FLOAT, []int64{3})
	few.FloatData = []float32{1}
	neg := init32("neg", onnxpb.TensorProto_FLOAT, []int64{-1})
	huge := init32("huge", onnxpb.TensorProto_FLOAT, []int64{1 << 40, 1 << 40})
	ext := init32("ext", onnxpb.TensorProto_FLOAT, []int64{1})
	ext.DataLocation = onnxpb.TensorProto_EXTERNAL.Enum()
	str := init32("str", onnxpb.TensorProto_STRING, []int64{1})
	noName := &onnxpb.TensorProto{DataType: proto.Int32(1)}
	for _, c := range []struct {
		t    *onnxpb.TensorProto
		want string
	}{
		{short, `"short": 8 bytes of data for shape [3] of F32 (12 bytes)`},
		{few, `"few": 1 values for shape [3]`},
		{neg, `"neg": negative dimension`},
		{huge, `"huge": shape [1099511627776 1099511627776] is too large`},
		{ext, `"ext": its data is in an external file`},
		{str, `"str": data type 8 is not supported`},
		{noName, `"": no name`},
	} {
		_, err := Read(model(t, c.t))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	for _, data := range [][]byte{nil, []byte("not a model"), {0x08}} {
		if _, err := Read(data); err == nil || !strings.HasPrefix(err.Error(), "invalid ONNX weights: not an ONNX model") {
			t.Errorf("%q: %v", data, err)
		}
	}
}

func TestSniff(t *testing.T) {
	if !Sniff(model(t)) {
		t.Error("an ONNX model is not recognised")
	}
	for _, b := range [][]byte{nil, {0x08}, []byte("PK\x03\x04"), []byte("\x89HDF\r\n\x1a\n"), {8, 0, 0, 0, 0, 0, 0, 0, '{'}} {
		if Sniff(b) {
			t.Errorf("%q taken for ONNX", b)
		}
	}
}

// FuzzRead: arbitrary bytes give a File or an error, never a panic, and
// every weight holds as many values as its shape says.
func FuzzRead(f *testing.F) {
	raw := init32("w", onnxpb.TensorProto_FLOAT, []int64{2})
	raw.RawData = rawFloats(1, 2)
	half := init32("h", onnxpb.TensorProto_FLOAT16, []int64{1})
	half.Int32Data = []int32{0x3c00}
	f.Add(model(f, raw, half))
	f.Add(model(f))
	f.Add([]byte{0x08, 0x08, 0x3a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		file, err := Read(data)
		if err != nil {
			return
		}
		for _, tn := range file.Tensors {
			if tn.IsWeight() && len(tn.Data) != tn.NumElements() {
				t.Fatalf("%s: %d values for shape %v", tn.Name, len(tn.Data), tn.Shape)
			}
		}
	})
}
