package onnx

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// build elaborates a stdlib model with its arguments.
func build(t testing.TB, name string, args map[string]string) *ir.Graph {
	return testenv.Build(t, name, args)
}

// fill gives every parameter distinct, deterministic values, so that a
// swapped or misplaced tensor shows. Variances stay positive.
func fill(g *ir.Graph) weights.Set {
	w := weights.Set{}
	state := uint32(1)
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			v := make([]float32, p.Size())
			for i := range v {
				state = state*1664525 + 1013904223
				v[i] = float32(state>>8)/float32(1<<24)*0.2 - 0.1
				if p.Role == ir.RoleVar {
					v[i] = 0.5 + v[i]
				}
			}
			w[p.Name] = v
		}
	}
	return w
}

// flatNode is what a read-back must preserve of a node; inputs are by ID,
// so comparing graphs stays linear.
type flatNode struct {
	ID     int
	Op     ir.Op
	Name   string
	Inputs []int
	Attrs  ir.Attrs
	Shape  ir.Shape
	Params []ir.Param
}

func flatten(g *ir.Graph) []flatNode {
	var out []flatNode
	for _, n := range g.Nodes {
		f := flatNode{ID: n.ID, Op: n.Op, Name: n.Name, Attrs: n.Attrs, Shape: n.Shape}
		for _, x := range n.Inputs {
			f.Inputs = append(f.Inputs, x.ID)
		}
		for _, p := range n.Params {
			f.Params = append(f.Params, *p)
		}
		out = append(out, f)
	}
	return out
}

// exportRead exports g with weights w and parses the bytes back.
func exportRead(t *testing.T, g *ir.Graph, w weights.Source, opts Options) *onnxpb.ModelProto {
	t.Helper()
	b, err := Export(g, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Read(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var irOptions = []cmp.Option{cmpopts.IgnoreFields(ir.Param{}, "Init")}

// TestReadBack exports models of every op family, reads the bytes back and
// converts them to the IR again: the graph and the weights must be the ones
// exported.
func TestReadBack(t *testing.T) {
	for _, name := range []string{"resnet18", "cifar_resnet20", "ecaresnet50d", "cm_resnet18", "keras_resnet50v2", "resnet50d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := build(t, name, map[string]string{"size": "64"})
			w := fill(g)
			g2, w2, err := Import(exportRead(t, g, w, Options{Source: "stdlib"}))
			if err != nil {
				t.Fatal(err)
			}
			// The exported output is named "logits"; all else keeps its name.
			if g2.Name != g.Name || g2.Naming != g.Naming {
				t.Fatalf("graph %s naming %s, want %s %s", g2.Name, g2.Naming, g.Name, g.Naming)
			}
			if d := cmp.Diff(flatten(g), flatten(g2), irOptions...); d != "" {
				t.Fatalf("graph read back differs (-exported +read):\n%s", d)
			}
			if g2.Outputs[0].Node.Name != g.Outputs[0].Node.Name {
				t.Fatalf("output %s, want %s", g2.Outputs[0].Node.Name, g.Outputs[0].Node.Name)
			}
			if len(w) != len(w2) {
				t.Fatalf("%d weights read back, %d exported", len(w2), len(w))
			}
			for k, v := range w {
				if !slices.Equal(v, w2[k]) {
					t.Fatalf("weight %s read back differs", k)
				}
			}
		})
	}
}

// TestWriteMatchesModel checks that the hand-assembled stream is the
// message ExportModel builds.
func TestWriteMatchesModel(t *testing.T) {
	g := build(t, "cifar_resnet20", nil)
	w := fill(g)
	m := exportRead(t, g, w, Options{})
	want, err := ExportModel(g, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(m, want) {
		t.Fatal("the streamed model differs from ExportModel's")
	}
}

// TestExportSizesItsBuffer: Export's buffer is the message's size from
// the start, not grown by doubling (a copy of every weight per doubling,
// up to twice the model's size held at the end).
func TestExportSizesItsBuffer(t *testing.T) {
	g := build(t, "resnet18", nil)
	b, err := Export(g, fill(g), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The allocator rounds the size up a little; doubling leaves up to
	// half the buffer spare.
	if cap(b) > len(b)+len(b)/100 {
		t.Errorf("Export's %d bytes in a buffer of %d", len(b), cap(b))
	}
}

func TestDeterministicBytes(t *testing.T) {
	var out [2][]byte
	for i := range out {
		g := build(t, "seresnet18", nil)
		b, err := Export(g, fill(g), Options{SourceSHA256: "abc", Source: "stdlib/senet.res"})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatal("two exports of one model differ")
	}
}

func TestModelFields(t *testing.T) {
	g := build(t, "keras_resnet50", nil)
	w := fill(g)
	for _, c := range []struct {
		opset     int
		irVersion int64
	}{{13, 7}, {17, 8}, {18, 8}, {19, 9}, {21, 10}} {
		m, err := ExportModel(g, w, Options{Opset: c.opset, Batch: 4, Source: "stdlib/keras.res", SourceSHA256: "00", StdlibVersion: "7"})
		if err != nil {
			t.Fatal(err)
		}
		if m.GetIrVersion() != c.irVersion || m.OpsetImport[0].GetVersion() != int64(c.opset) || m.OpsetImport[0].GetDomain() != "" {
			t.Errorf("opset %d: ir_version %d, opset_import %v", c.opset, m.GetIrVersion(), m.OpsetImport)
		}
		if m.GetProducerName() != "resc" || m.GetProducerVersion() == "" || m.GetDocString() == "" {
			t.Errorf("producer fields %q %q %q", m.GetProducerName(), m.GetProducerVersion(), m.GetDocString())
		}
		meta := Metadata(m)
		if meta["model"] != "keras_resnet50" || meta["source_sha256"] != "00" || meta["stdlib_version"] != "7" || meta["naming"] != "keras" {
			t.Errorf("metadata %v", meta)
		}
		in, out := m.Graph.Input[0], m.Graph.Output[0]
		if in.GetName() != "input" || out.GetName() != "probabilities" {
			t.Errorf("input %s, output %s", in.GetName(), out.GetName())
		}
		if d := in.Type.GetTensorType().Shape.Dim[0]; d.GetDimValue() != 4 {
			t.Errorf("--batch 4 gave batch dimension %v", d)
		}
		for _, n := range m.Graph.Node {
			if n.GetDomain() != "" {
				t.Errorf("node %s in domain %q", n.GetName(), n.GetDomain())
			}
		}
	}
	if _, err := ExportModel(g, fill(g), Options{Opset: 12}); err == nil {
		t.Error("opset 12 accepted")
	}
	m, _ := ExportModel(g, fill(g), Options{})
	if p := m.Graph.Input[0].Type.GetTensorType().Shape.Dim[0].GetDimParam(); p != "N" {
		t.Errorf("symbolic batch %q, want N", p)
	}
}

// TestOpsTopological checks the ONNX graph lists every node after the
// nodes producing its inputs, with unique value names.
func TestOpsTopological(t *testing.T) {
	g := build(t, "cm_seresnext50", map[string]string{"size": "64"})
	m, err := ExportModel(g, fill(g), Options{})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{"input": true}
	for _, t0 := range m.Graph.Initializer {
		have[t0.GetName()] = true
	}
	for _, n := range m.Graph.Node {
		for _, in := range n.Input {
			if !have[in] {
				t.Fatalf("node %s reads %s before it is produced", n.GetName(), in)
			}
		}
		for _, out := range n.Output {
			if have[out] {
				t.Fatalf("value %s produced twice", out)
			}
			have[out] = true
		}
	}
}

func TestMissingWeights(t *testing.T) {
	g := build(t, "resnet18", nil)
	w := fill(g)
	delete(w, "layer2.0.downsample.1.running_var")
	if _, err := Export(g, w, Options{}); err == nil {
		t.Fatal("export without a weight succeeded")
	}
	w = fill(g)
	w["fc.bias"] = w["fc.bias"][:3]
	if _, err := Export(g, w, Options{}); err == nil {
		t.Fatal("export with a short weight succeeded")
	}
}

// TestReadBackOptimized exports -O2 graphs, whose fused epilogues become
// standard nodes, reads them back and optimises the import: the passes
// must rebuild the same graph — ops, attributes, shapes — with the same
// parameter values.
func TestReadBackOptimized(t *testing.T) {
	for _, name := range []string{"resnet18", "keras_resnet50v2", "seresnet50", "cm_resnet18", "ecaresnet50d"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := build(t, name, map[string]string{"size": "64"})
			w := testenv.StatsWeights(g, 4)
			if err := ir.Optimize(g, ir.MaxLevel); err != nil {
				t.Fatal(err)
			}
			g2, w2, err := Import(exportRead(t, g, w, Options{}))
			if err != nil {
				t.Fatal(err)
			}
			if err := ir.Optimize(g2, ir.MaxLevel); err != nil {
				t.Fatal(err)
			}
			if len(g2.Nodes) != len(g.Nodes) {
				t.Fatalf("%d nodes read back, %d exported", len(g2.Nodes), len(g.Nodes))
			}
			r1, r2 := weights.Resolve(g, w), weights.Resolve(g2, w2)
			for i, n := range g.Nodes {
				n2 := g2.Nodes[i]
				if n.Op != n2.Op || n.Attrs != n2.Attrs || !n.Shape.Equal(n2.Shape) || len(n.Params) != len(n2.Params) {
					t.Fatalf("node %d: %v, read back as %v", i, n, n2)
				}
				for j, p := range n.Params {
					a, b := r1.Values(p), r2.Values(n2.Params[j])
					if d, bound := testenv.MaxDiff(a, b), 1e-6*(1+testenv.MaxAbs(a)); d > bound {
						t.Fatalf("node %s parameter %s: values differ by %g", n.Name, p.Name, d)
					}
				}
			}
		})
	}
}
