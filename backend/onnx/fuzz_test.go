package onnx

import (
	"io"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// fuzzMaxBytes caps a fuzzed model: a small graph covers every operator,
// and bigger inputs only slow the search down.
const fuzzMaxBytes = 16 << 10

// readImport is what resc does with a model file: parse, then import.
func readImport(b []byte) (*ir.Graph, weights.Set, error) {
	m, err := Read(b)
	if err != nil {
		return nil, nil, err
	}
	return Import(m)
}

// FuzzReadImport feeds bytes to Read and Import. Either gives an error or
// the graph verifies, optimises and exports again.
func FuzzReadImport(f *testing.F) {
	seeds := []*onnxpb.ModelProto{validModel(), validNewOpsModel()}
	for _, c := range malformedModels[:8] {
		m := validModel()
		c.change(m)
		if m.Graph != nil && !hasNil(m) {
			seeds = append(seeds, m)
		}
	}
	for _, c := range malformedNewOps[:6] {
		m := validNewOpsModel()
		c.change(m)
		seeds = append(seeds, m)
	}
	for _, m := range seeds {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, batch := range []int{0, 2} {
		b, _ := resizeModel(f, batch) // sizes from Shape, Slice and Concat, or constant
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > fuzzMaxBytes {
			return
		}
		g, w, err := readImport(b)
		if err != nil {
			return
		}
		if err := g.Verify(); err != nil {
			t.Fatalf("Import returned a graph that does not verify: %v", err)
		}
		if err := ir.Optimize(g, 2); err != nil {
			return // a pass may refuse, as long as it does not panic
		}
		if g.Stats().Total > 1<<16 {
			return // valid but large: exporting it only spends time
		}
		if err := Write(io.Discard, g, w, Options{}); err != nil {
			return
		}
	})
}
