package ort

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
)

// TestSessionFile: a session onnxruntime loads from a file says the same
// inputs, outputs and shapes as one loaded from the same bytes, runs the
// same, and a file that is not a model is an error naming the problem.
func TestSessionFile(t *testing.T) {
	ortRequire(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "relu.onnx")
	model := ortReluModel(t)
	if err := os.WriteFile(path, model, 0o644); err != nil {
		t.Fatal(err)
	}
	fromBytes, err := NewSession(model, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer fromBytes.Close()
	s, err := NewSessionFile(path, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.InputName() != fromBytes.InputName() || s.OutputName() != fromBytes.OutputName() ||
		!slices.Equal(s.InputShape(), fromBytes.InputShape()) || !slices.Equal(s.OutputShape(), fromBytes.OutputShape()) {
		t.Errorf("from the file: %s %v -> %s %v; from the bytes: %s %v -> %s %v",
			s.InputName(), s.InputShape(), s.OutputName(), s.OutputShape(),
			fromBytes.InputName(), fromBytes.InputShape(), fromBytes.OutputName(), fromBytes.OutputShape())
	}
	in := []float32{-1, 2, -3, 4, -5, 6}
	out, shape, err := s.Run(in, []int64{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 2, 0, 4, 0, 6}; !slices.Equal(out, want) || !slices.Equal(shape, []int64{2, 3}) {
		t.Errorf("relu from the file: %v %v, want %v [2 3]", out, shape, want)
	}
	if _, _, err := s.Run(in, []int64{3, 2}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("wrong shape: %v", err)
	}

	garbage := filepath.Join(dir, "garbage.onnx")
	if err := os.WriteFile(garbage, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSessionFile(garbage, SessionOptions{}); err == nil || !strings.HasPrefix(err.Error(), garbage+": not an ONNX model") {
		t.Errorf("garbage: %v", err)
	}
	if _, err := NewSessionFile(filepath.Join(dir, "missing.onnx"), SessionOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// withInitializer is the relu model with an initializer of n floats,
// listed among the graph's inputs as older exporters list weights, and the
// graph's fields after it.
func withInitializer(t testing.TB, n int) []byte {
	t.Helper()
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(ortReluModel(t), &m); err != nil {
		t.Fatal(err)
	}
	g := m.Graph
	w := &onnxpb.TensorProto{Name: proto.String("w"), Dims: []int64{int64(n)}, DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), RawData: make([]byte, 4*n)}
	g.Initializer = append(g.Initializer, w)
	in := proto.Clone(g.Input[0]).(*onnxpb.ValueInfoProto)
	in.Name = proto.String("w")
	g.Input = append([]*onnxpb.ValueInfoProto{in}, g.Input...)
	b, err := proto.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFileModelIO: reading a model's inputs and outputs a field at a time
// gives what parsing the whole model gives, for a model with an
// initializer listed as an input, one with the graph first and one with
// an unknown group field; a model cut short is refused, or read, alike.
func TestFileModelIO(t *testing.T) {
	relu := ortReluModel(t)
	graphFirst := protowire.AppendTag(nil, 7, protowire.BytesType)
	var m onnxpb.ModelProto
	if err := proto.Unmarshal(relu, &m); err != nil {
		t.Fatal(err)
	}
	gb, err := proto.Marshal(m.Graph)
	if err != nil {
		t.Fatal(err)
	}
	graphFirst = protowire.AppendBytes(graphFirst, gb)
	m.Graph = nil
	rest, err := proto.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	graphFirst = append(graphFirst, rest...)
	// An unknown field holding a group (proto2's wire types 3 and 4),
	// nested, which the protobuf parser skips: so must the field reader.
	group := protowire.AppendTag(nil, 20, protowire.StartGroupType)
	group = protowire.AppendTag(group, 1, protowire.VarintType)
	group = protowire.AppendVarint(group, 5)
	group = protowire.AppendTag(group, 2, protowire.StartGroupType)
	group = protowire.AppendTag(group, 3, protowire.BytesType)
	group = protowire.AppendBytes(group, []byte("skipped"))
	group = protowire.AppendTag(group, 2, protowire.EndGroupType)
	group = protowire.AppendTag(group, 20, protowire.EndGroupType)
	withGroup := append(group, relu...)
	for name, model := range map[string][]byte{"relu": relu, "initializer": withInitializer(t, 1000), "graph first": graphFirst, "unknown group": withGroup} {
		want, err := ortModelIO(model)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := fileModelIO(bytes.NewReader(model))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read a field at a time %+v, parsed whole %+v", name, got, want)
		}
		if got.input != "x" || !slices.Equal(got.outputs, []string{"y"}) {
			t.Errorf("%s: input %q outputs %q, want x and [y]", name, got.input, got.outputs)
		}
	}
	// A model cut at a field boundary past the graph is still a model.
	for n := range relu {
		got, gotErr := fileModelIO(bytes.NewReader(relu[:n]))
		want, wantErr := ortModelIO(relu[:n])
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("the model cut to %d of %d bytes: read a field at a time %+v, %v; parsed whole %+v, %v", n, len(relu), got, gotErr, want, wantErr)
		}
	}
}

// FuzzFileModelIO: any file is read without a panic, and a model that
// parses whole gives the same inputs and outputs read a field at a time.
func FuzzFileModelIO(f *testing.F) {
	f.Add(ortReluModel(f))
	f.Add(withInitializer(f, 2))
	f.Add([]byte("not a model"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		got, gotErr := fileModelIO(bytes.NewReader(b))
		want, wantErr := ortModelIO(b)
		if wantErr == nil && (gotErr != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("read a field at a time %+v, %v; parsed whole %+v", got, gotErr, want)
		}
	})
}
