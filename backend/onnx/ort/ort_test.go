package ort

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
)

// ortRequire loads onnxruntime or, when it is not installed, skips the test;
// with RESC_REQUIRE_EXTERNAL=1 a missing library fails it instead.
func ortRequire(t *testing.T) {
	t.Helper()
	if _, err := InitRuntime(""); err != nil {
		if os.Getenv("RESC_REQUIRE_EXTERNAL") == "1" {
			t.Fatalf("RESC_REQUIRE_EXTERNAL=1 and onnxruntime is not usable: %v", err)
		}
		t.Skipf("onnxruntime is not usable: %v", err)
	}
}

// TestLibraryNotELF checks that a file that is not the library is an error,
// not a crash, and does not stop the right library from loading later.
func TestLibraryNotELF(t *testing.T) {
	bogus := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(bogus, []byte("not a shared object"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := InitRuntime(bogus)
	if err == nil {
		t.Fatal("InitRuntime accepted a text file")
	}
	t.Log(err)
	// When this test runs first in the process (it comes first in the
	// file) the failure is dlopen's; later, it is "already loaded"; in a
	// build without cgo, it says so.
	if msg := err.Error(); !strings.Contains(msg, "already loaded") && !strings.Contains(msg, "scripts/install-onnxruntime.sh") && !strings.Contains(msg, "without cgo") {
		t.Errorf("the error does not say how to install the library: %v", err)
	}
	ortRequire(t)
}

// ortTestData is the ONNX backend test data of Debian's libonnx-testdata.
const ortTestData = "/usr/share/libonnx-testdata/data/node"

func ortRequireTestData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(ortTestData); err != nil {
		if os.Getenv("RESC_REQUIRE_EXTERNAL") == "1" {
			t.Fatalf("RESC_REQUIRE_EXTERNAL=1 and the ONNX test data is missing (apt-get install libonnx-testdata): %v", err)
		}
		t.Skipf("the ONNX test data is missing (apt-get install libonnx-testdata): %v", err)
	}
}

// ortReadTensor reads a serialized float32 TensorProto.
func ortReadTensor(t *testing.T, path string) ([]float32, []int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tp onnxpb.TensorProto
	if err := proto.Unmarshal(b, &tp); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if tp.GetDataType() != int32(onnxpb.TensorProto_FLOAT) {
		t.Fatalf("%s: data type %d, want float", path, tp.GetDataType())
	}
	n := int64(1)
	for _, d := range tp.GetDims() {
		n *= d
	}
	data := tp.GetFloatData()
	if raw := tp.GetRawData(); len(raw) > 0 {
		data = make([]float32, len(raw)/4)
		for i := range data {
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	}
	if int64(len(data)) != n {
		t.Fatalf("%s: %d values for dims %v", path, len(data), tp.GetDims())
	}
	return data, tp.GetDims()
}

// ortClose reports whether got is within ONNX's backend-test tolerance of
// want: |got-want| <= atol + rtol*|want|, rtol 1e-3, atol 1e-7.
func ortClose(got, want float32) bool {
	return math.Abs(float64(got-want)) <= 1e-7+1e-3*math.Abs(float64(want))
}

// TestSessionBackendData runs single-input float cases of ONNX's backend
// test data through onnxruntime and compares with the expected outputs.
func TestSessionBackendData(t *testing.T) {
	ortRequireTestData(t)
	ortRequire(t)
	for _, name := range []string{
		"test_relu",
		"test_sigmoid",
		"test_tanh",
		"test_softmax_axis_1",
		"test_softmax_large_number",
		"test_globalaveragepool",
		"test_flatten_axis1",
		"test_leakyrelu",
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(ortTestData, name)
			model, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
			if err != nil {
				t.Fatal(err)
			}
			in, inShape := ortReadTensor(t, filepath.Join(dir, "test_data_set_0", "input_0.pb"))
			want, wantShape := ortReadTensor(t, filepath.Join(dir, "test_data_set_0", "output_0.pb"))
			s, err := NewSession(model, SessionOptions{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got, gotShape, err := s.Run(in, inShape)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gotShape, wantShape) {
				t.Fatalf("output shape %v, want %v", gotShape, wantShape)
			}
			bad := 0
			for i := range want {
				if !ortClose(got[i], want[i]) {
					if bad < 5 {
						t.Errorf("output[%d] = %g, want %g", i, got[i], want[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d values differ", bad, len(want))
			}
		})
	}
}

// ortReluModel is Relu over a float input [N, 3] with a symbolic batch,
// with metadata to read back.
func ortReluModel(t testing.TB) []byte {
	t.Helper()
	vi := func(name string) *onnxpb.ValueInfoProto {
		return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
			Shape: &onnxpb.TensorShapeProto{Dim: []*onnxpb.TensorShapeProto_Dimension{
				{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}},
				{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: 3}},
			}},
		}}}}
	}
	m := &onnxpb.ModelProto{
		IrVersion:    proto.Int64(8),
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Version: proto.Int64(17)}},
		ProducerName: proto.String("resc-test"),
		ModelVersion: proto.Int64(7),
		DocString:    proto.String("a relu"),
		Graph: &onnxpb.GraphProto{
			Name:   proto.String("relu_graph"),
			Node:   []*onnxpb.NodeProto{{OpType: proto.String("Relu"), Input: []string{"x"}, Output: []string{"y"}, Name: proto.String("relu")}},
			Input:  []*onnxpb.ValueInfoProto{vi("x")},
			Output: []*onnxpb.ValueInfoProto{vi("y")},
		},
		MetadataProps: []*onnxpb.StringStringEntryProto{{Key: proto.String("resc.source"), Value: proto.String("relu.res")}, {Key: proto.String("k2"), Value: proto.String("v2")}},
	}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSessionDynamicBatchConcurrent runs one session with several batch
// sizes from several goroutines at once.
func TestSessionDynamicBatchConcurrent(t *testing.T) {
	ortRequire(t)
	s, err := NewSession(ortReluModel(t), SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.InputName() != "x" || s.OutputName() != "y" {
		t.Fatalf("names %q %q", s.InputName(), s.OutputName())
	}
	if got := ortDims(s.InputShape()); got != "[N,3]" {
		t.Fatalf("input shape %s", got)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for it := 0; it < 20; it++ {
				batch := int64(1 + (g+it)%5)
				in := make([]float32, batch*3)
				for i := range in {
					in[i] = float32(i-4) * float32(g+1)
				}
				out, shape, err := s.Run(in, []int64{batch, 3})
				if err != nil {
					errs <- err
					return
				}
				if !slices.Equal(shape, []int64{batch, 3}) {
					errs <- errors.New("wrong output shape")
					return
				}
				for i, v := range in {
					if want := max(v, 0); out[i] != want {
						errs <- errors.New("wrong output value")
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestSessionInputChecks(t *testing.T) {
	ortRequire(t)
	s, err := NewSession(ortReluModel(t), SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in    []float32
		shape []int64
		want  string
	}{
		{make([]float32, 6), nil, "empty input shape"},
		{make([]float32, 6), []int64{2, 3, 1}, "has 3 dimensions"},
		{make([]float32, 6), []int64{3, 2}, "does not match"},
		{make([]float32, 6), []int64{0, 3}, "dimension 0 is 0"},
		{make([]float32, 5), []int64{2, 3}, "holds 6 values, got 5"},
	} {
		if _, _, err := s.Run(c.in, c.shape); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run(%d values, %v): %v, want an error with %q", len(c.in), c.shape, err, c.want)
		}
	}
	s.Close()
	if _, _, err := s.Run(make([]float32, 3), []int64{1, 3}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Run after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := NewSession([]byte("not a model"), SessionOptions{}); err == nil {
		t.Error("NewSession accepted garbage")
	}
	if _, err := NewSession(ortReluModel(t), SessionOptions{Device: "tpu"}); err == nil || !strings.Contains(err.Error(), "unknown device") {
		t.Errorf("device tpu: %v", err)
	}
}

func TestMetadata(t *testing.T) {
	ortRequire(t)
	model := ortReluModel(t)
	path := filepath.Join(t.TempDir(), "relu.onnx")
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile, err := ReadModelMetadata(path, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(model, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fromSession, err := s.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	for _, md := range []*ModelMetadata{fromFile, fromSession} {
		if md.ProducerName != "resc-test" || md.GraphName != "relu_graph" || md.Description != "a relu" || md.Version != 7 {
			t.Errorf("metadata %+v", md)
		}
		if len(md.Custom) != 2 || md.Custom["resc.source"] != "relu.res" || md.Custom["k2"] != "v2" {
			t.Errorf("custom metadata %v", md.Custom)
		}
	}
}

// TestCUDAUnavailable checks that --device cuda on a library or machine
// without a working CUDA provider is a clear error, not a crash. The npm
// build of onnxruntime 1.24.1 references libonnxruntime_providers_cuda.so
// but does not ship it.
func TestCUDAUnavailable(t *testing.T) {
	ortRequire(t)
	s, err := NewSession(ortReluModel(t), SessionOptions{Device: "cuda", Threads: 1})
	if err == nil {
		s.Close()
		t.Skip("this onnxruntime library runs CUDA here")
	}
	t.Log(err)
	if !errors.Is(err, ErrNoCUDA) && !strings.Contains(err.Error(), "CUDA") {
		t.Fatalf("--device cuda: %v", err)
	}
	if errors.Is(err, ErrNoCUDA) && !strings.Contains(err.Error(), "this onnxruntime library has no CUDA execution provider") {
		t.Fatalf("--device cuda: %v", err)
	}
	// The runtime is still usable on the CPU afterwards.
	s, err = NewSession(ortReluModel(t), SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Run([]float32{-1, 0, 1}, []int64{1, 3}); err != nil {
		t.Fatal(err)
	}
}

// TestLibraryDiscovery checks the search order and the one error that says
// how to install the library. It needs no library.
func TestLibraryDiscovery(t *testing.T) {
	dir := t.TempDir()
	flagLib := filepath.Join(dir, "flag.so")
	envLib := filepath.Join(dir, "env.so")
	for _, p := range []string{flagLib, envLib} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache := filepath.Join(dir, "cache")
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(LibraryEnv, "")
	def := DefaultLibraryPath()
	if want := filepath.Join(cache, "resc", "onnxruntime-1.24.1", "libonnxruntime.so.1"); def != want {
		t.Fatalf("DefaultLibraryPath() = %s, want %s", def, want)
	}

	// Nothing installed: one error naming the default location and the fixes.
	_, err := FindLibrary("")
	var le *LibraryError
	if !errors.As(err, &le) {
		t.Fatalf("FindLibrary: %v, want a *LibraryError", err)
	}
	for _, want := range []string{"onnxruntime library not found", def, "scripts/install-onnxruntime.sh", "ONNXRUNTIME_LIB", "1.24.1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// NewSession and ReadModelMetadata report the same, before loading anything.
	if _, err := NewSession(ortReluModel(t), SessionOptions{}); !errors.As(err, &le) {
		t.Errorf("NewSession without a library: %v", err)
	}
	if _, err := ReadModelMetadata(filepath.Join(dir, "m.onnx"), ""); !errors.As(err, &le) {
		t.Errorf("ReadModelMetadata without a library: %v", err)
	}

	// The default location once installed.
	if err := os.MkdirAll(filepath.Dir(def), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(def, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := FindLibrary(""); err != nil || got != def {
		t.Errorf("FindLibrary(\"\") = %q, %v; want the default %s", got, err, def)
	}
	// $ONNXRUNTIME_LIB beats the default; the flag beats both.
	t.Setenv(LibraryEnv, envLib)
	if got, err := FindLibrary(""); err != nil || got != envLib {
		t.Errorf("FindLibrary with $%s = %q, %v", LibraryEnv, got, err)
	}
	if got, err := FindLibrary(flagLib); err != nil || got != flagLib {
		t.Errorf("FindLibrary(flag) = %q, %v", got, err)
	}
	// A named path that is missing is an error, not a fallback.
	missing := filepath.Join(dir, "missing.so")
	_, err = FindLibrary(missing)
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "--ort-lib names "+missing) || !strings.Contains(err.Error(), "scripts/install-onnxruntime.sh") {
		t.Errorf("FindLibrary(missing) = %v", err)
	}
	t.Setenv(LibraryEnv, missing)
	_, err = FindLibrary("")
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "$ONNXRUNTIME_LIB names "+missing) {
		t.Errorf("FindLibrary with a missing $%s = %v", LibraryEnv, err)
	}
	if _, err := FindLibrary(dir); !errors.As(err, &le) {
		t.Errorf("FindLibrary(a directory) = %v", err)
	}

	// HOME alone gives ~/.cache.
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", dir)
	if got, want := DefaultLibraryPath(), filepath.Join(dir, ".cache", "resc", "onnxruntime-1.24.1", "libonnxruntime.so.1"); got != want {
		t.Errorf("DefaultLibraryPath() with HOME = %s, want %s", got, want)
	}
}
