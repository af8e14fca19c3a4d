package onnx

import (
	"errors"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/backend/onnx/ort"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/ir/irtest"
	"github.com/resc-dev/resc/weights"
)

// TestPadBeforePoolIsExact pins a zero Pad followed by a max pool and by an
// average pool that excludes padding (Keras ResNetV2's stem is the first)
// on an input whose values are all negative, so that every border window
// holds nothing larger than the Pad's zeros. The native backend and
// onnxruntime must agree to 1e-6: resc's sessions disable onnxruntime's
// Pad_Fusion, and resc's export (auto_pad VALID on the pool) is one that
// Pad_Fusion leaves alone even when it is on. The form an export had
// before, pads 0 0 0 0, is changed by Pad_Fusion, which shows that the
// input catches the fold (of the max pool; onnxruntime 1.24 does not fold
// the Pad into an average pool that excludes padding).
func TestPadBeforePoolIsExact(t *testing.T) {
	for _, op := range []ir.Op{ir.OpMaxPool, ir.OpAvgPool} {
		b, x := irtest.New(3, 9, 9)
		pool := b.Pool(op, b.ZeroPad(x, 1), 3, 2)
		pool.Attrs.CountIncludePad = false
		g := b.Graph(pool)
		w := weights.Set{}
		r := rand.New(rand.NewPCG(3, 4))
		in := make([]float32, 2*3*9*9)
		for i := range in {
			in[i] = -1 - r.Float32()
		}
		shape := []int64{2, 3, 9, 9}
		prog, err := native.Compile(g, w, native.Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float32, 2*3*5*5)
		if err := prog.Run(in, 2, want); err != nil {
			t.Fatal(err)
		}
		if op == ir.OpMaxPool && want[0] != 0 {
			t.Fatalf("native max pool's corner is %v, want the padding's 0", want[0])
		}
		m, err := ExportModel(g, w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		exported, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		padsForm := withExplicitPoolPads(t, m)
		for _, c := range []struct {
			name      string
			model     []byte
			keep      bool // leave Pad_Fusion on
			wantExact bool
		}{
			{"export, resc's session", exported, false, true},
			{"export, Pad_Fusion on", exported, true, true},
			{"pads 0 0 0 0, resc's session", padsForm, false, true},
			// onnxruntime 1.24 leaves the average pool as it is.
			{"pads 0 0 0 0, Pad_Fusion on", padsForm, true, op == ir.OpAvgPool},
		} {
			s, err := ort.NewSession(c.model, ort.SessionOptions{Threads: 1, KeepPadFusion: c.keep})
			var le *ort.LibraryError
			if errors.As(err, &le) {
				testenv.Missing(t, "%v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := s.Run(in, shape)
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			d, scale := testenv.MaxDiff(got, want), testenv.MaxAbs(want)
			if exact := d <= 1e-6*scale; exact != c.wantExact {
				t.Errorf("%s %s: onnxruntime differs from native by %g (largest output %g); want exact: %v", op, c.name, d, scale, c.wantExact)
			}
		}
	}
}

// withExplicitPoolPads is m with its pool's auto_pad VALID replaced by
// pads 0 0 0 0, the form resc wrote before.
func withExplicitPoolPads(t *testing.T, m *onnxpb.ModelProto) []byte {
	t.Helper()
	m = proto.Clone(m).(*onnxpb.ModelProto)
	found := false
	for _, n := range m.Graph.Node {
		for i, a := range n.Attribute {
			if a.GetName() == "auto_pad" {
				n.Attribute[i] = attrInts("pads", 0, 0, 0, 0)
				found = true
			}
		}
	}
	if !found {
		t.Fatal("the export has no auto_pad attribute")
	}
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
