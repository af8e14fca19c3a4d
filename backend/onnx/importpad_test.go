package onnx

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
	"github.com/resc-dev/resc/weights"
)

// TestImportPadValue: a Pad's constant_value must be 0 for the IR's zero
// Pad; any other value is refused, not silently read as zero.
func TestImportPadValue(t *testing.T) {
	b, x := irtest.New(2, 6, 6)
	g := b.Graph(b.Pool(ir.OpMaxPool, b.ZeroPad(x, 1), 3, 2))
	m, err := ExportModel(g, weights.Set{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		value float32
		want  string
	}{{0, ""}, {-1, "only zero padding is supported, constant_value is [-1]"}} {
		m := proto.Clone(m).(*onnxpb.ModelProto)
		v := floatTensor("pad_value", nil, []float32{c.value})
		m.Graph.Initializer = append(m.Graph.Initializer, v.proto())
		for _, n := range m.Graph.Node {
			if n.GetOpType() == "Pad" {
				n.Input = append(n.Input, "pad_value")
			}
		}
		_, _, err := Import(m)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("constant_value %v: %v, want %q", c.value, err, c.want)
		}
	}
}
