package onnx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/ir"
)

// resizeModel exports an Upsample to a size (the FPN's 4x4 to 7x7 down,
// a shrink across), with a symbolic batch (batch 0) or a fixed one. The
// Upsample node is named "up".
func resizeModel(t testing.TB, batch int) ([]byte, *ir.Graph) {
	t.Helper()
	o := newOpGraph(3)
	x := o.input(5, 4, 6)
	v := o.add(ir.OpUpsample, ir.Attrs{Size: [2]int{7, 4}}, nil, o.unary(ir.OpTanh, x))
	v.Name = "up"
	g, w := o.graph(v)
	b, err := Export(g, w, Options{Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	return b, g
}

// TestImportResizeToSize reads back both forms of an Upsample to a size
// (sizes from Shape, Slice and Concat, or constant): the same op and size,
// and the same bytes exported again.
func TestImportResizeToSize(t *testing.T) {
	for _, batch := range []int{0, 2} {
		b1, g := resizeModel(t, batch)
		m, err := Read(b1)
		if err != nil {
			t.Fatal(err)
		}
		g2, w2, err := Import(m)
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		up := g2.Outputs[0].Node
		if up.Op != ir.OpUpsample || up.Attrs.Size != g.Outputs[0].Node.Attrs.Size || !up.Shape.Equal(g.Outputs[0].Node.Shape) {
			t.Fatalf("batch %d: read back %v %+v %v", batch, up.Op, up.Attrs.Size, up.Shape)
		}
		b2, err := Export(g2, w2, Options{Batch: batch})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Errorf("batch %d: the export of the imported graph differs", batch)
		}
	}
}

// TestImportResizeToSizeMalformed changes the sizes' making: each change
// is refused with a message, never read as another size.
func TestImportResizeToSizeMalformed(t *testing.T) {
	for _, c := range []struct {
		name   string
		batch  int
		change func(m *onnxpb.ModelProto)
		want   string
	}{
		{"shape with start", 0, func(m *onnxpb.ModelProto) { setAttr(m, "up/input_shape", attrInt("start", 1)) }, "whole shape"},
		{"slice of H", 0, func(m *onnxpb.ModelProto) { setInts(m, "up/batch_channels/ends", 3) }, "Slice [0:2]"},
		{"concat along 1", 0, func(m *onnxpb.ModelProto) { setAttr(m, "up/sizes", attrInt("axis", 1)) }, "constant [H, W]"},
		{"size of zero", 0, func(m *onnxpb.ModelProto) { setInts(m, "up/spatial_size", 0, 4) }, "positive height"},
		{"size of three", 0, func(m *onnxpb.ModelProto) { setInts(m, "up/spatial_size", 7, 4, 1) }, "positive height"},
		{"concat of a full shape", 0, func(m *onnxpb.ModelProto) { findNode(m, "up/sizes").Input[0] = "up/input_shape" }, "batch and channels"},
		{"sizes of the full shape", 0, func(m *onnxpb.ModelProto) { findNode(m, "up").Input[3] = "up/input_shape" }, "another tensor"},
		{"constant sizes of another channel count", 2, func(m *onnxpb.ModelProto) { setInts(m, "up/sizes", 2, 6, 7, 4) }, "H and W"},
		{"constant sizes of three", 2, func(m *onnxpb.ModelProto) { setInts(m, "up/sizes", 2, 5, 7) }, "H and W"},
		{"constant sizes of 2^40", 2, func(m *onnxpb.ModelProto) { setInts(m, "up/sizes", 2, 5, 1<<40, 4) }, "positive height"},
	} {
		b, _ := resizeModel(t, c.batch)
		m, err := Read(b)
		if err != nil {
			t.Fatal(err)
		}
		c.change(m)
		_, _, err = Import(m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// setInts replaces an int64 initializer's values (and its length).
func setInts(m *onnxpb.ModelProto, name string, v ...int64) {
	t := findInit(m, name)
	t.RawData, t.Int64Data, t.Dims = nil, v, []int64{int64(len(v))}
}
