// Package onnx exports resc graphs as ONNX models, reads ONNX models back
// into the IR, and runs them through onnxruntime.
//
// Export emits only standard ai.onnx operators, in the graph's topological
// order, with the IR's node names as node and value names and the
// reference parameter names as initializer names. A fused node (one with
// an epilogue, see ir.Attrs) becomes the chain of standard nodes it stands
// for, whose intermediate values are named after it ("conv1/conv",
// "conv1/residual"); its last node keeps its name and value, so an
// unfused graph exports as it always has. The operators of the original
// ops have kept their signatures from opset 13 through 21
// (Squeeze/Unsqueeze-style axes inputs are avoided; Pad takes its pads as
// an initializer input, as TensorRT requires), so their nodes are the same
// at every supported opset and only the opset import and IR version
// change. Three newer ops are written per opset: HardSwish (an operator
// from 14), Gelu (from 20) and LayerNorm (LayerNormalization from 17),
// each an exact composition of older operators below that; see
// docs/onnx.md.
package onnx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
	"github.com/resc-dev/resc/internal/version"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// Options control an export.
type Options struct {
	Opset        int    // MinOpset..MaxOpset; 0 means DefaultOpset
	Batch        int    // a fixed batch size; 0 means the symbolic "N"
	SourceSHA256 string // hex sha256 of the .res source, for metadata_props
	Source       string // the .res file or stdlib module the model came from
	// StdlibVersion is the version of the standard library the model was
	// compiled with (stdlib.Version), for metadata_props; "" leaves it out.
	StdlibVersion string
}

// DefaultOpset is written unless asked otherwise: opset 17 with IR version
// 8 runs on onnxruntime 1.13+ and TensorRT 8.5+, and Debian's onnx 1.12
// checker validates it.
const DefaultOpset = 17

// The supported opset range.
const (
	MinOpset = 13
	MaxOpset = 21
)

// irVersion is the ONNX IR version that introduced each opset's release.
func irVersion(opset int) int64 {
	switch {
	case opset <= 14:
		return 7
	case opset <= 18:
		return 8
	case opset <= 20:
		return 9
	}
	return 10
}

// BatchParam is the dim_param of a symbolic batch dimension.
const BatchParam = "N"

// Export returns g with weights w as a serialized ONNX ModelProto; see Write.
func Export(g *ir.Graph, w weights.Source, opts Options) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, g, w, opts); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// InputName is the graph input's name.
const InputName = "input"

// ExportModel builds the model as a ModelProto in memory, initializers
// included. Write produces the same message without holding a second copy
// of the weights. As with Write, w holds the graph's source parameters;
// derived ones are computed here.
func ExportModel(g *ir.Graph, w weights.Source, opts Options) (*onnxpb.ModelProto, error) {
	w = weights.Resolve(g, w)
	m, inits, err := export(g, opts)
	if err != nil {
		return nil, err
	}
	for _, t := range inits {
		if err := t.fetch(w); err != nil {
			return nil, err
		}
		m.Graph.Initializer = append(m.Graph.Initializer, t.proto())
	}
	return m, nil
}

// export builds the model without its initializers, which it returns apart.
func export(g *ir.Graph, opts Options) (*onnxpb.ModelProto, []*initTensor, error) {
	if opts.Opset == 0 {
		opts.Opset = DefaultOpset
	}
	if opts.Opset < MinOpset || opts.Opset > MaxOpset {
		return nil, nil, fmt.Errorf("opset %d is not supported (resc writes opsets %d to %d)", opts.Opset, MinOpset, MaxOpset)
	}
	if opts.Batch < 0 {
		return nil, nil, fmt.Errorf("batch size must be positive, got %d", opts.Batch)
	}
	e := &exporter{g: g, opts: opts, value: map[*ir.Node]string{}, names: map[string]bool{}, outName: map[*ir.Node]string{}}
	for _, o := range g.Outputs {
		if _, ok := e.outName[o.Node]; !ok && o.Node.Op != ir.OpInput {
			e.outName[o.Node] = o.Name
		}
	}
	for _, n := range g.Nodes {
		if err := e.node(n); err != nil {
			return nil, nil, fmt.Errorf("node %s: %v", n.Name, err)
		}
	}
	outputs, err := e.outputs()
	if err != nil {
		return nil, nil, err
	}
	graph := &onnxpb.GraphProto{
		Name:      proto.String(g.Name),
		Node:      e.nodes,
		Input:     []*onnxpb.ValueInfoProto{e.valueInfo(InputName, g.Input.Shape)},
		Output:    outputs,
		ValueInfo: e.infos,
		DocString: proto.String(fmt.Sprintf("%s, compiled by resc %s", g.Name, version.Version)),
	}
	meta := map[string]string{
		"model":          g.Name,
		"naming":         g.Naming,
		"source":         opts.Source,
		"source_sha256":  opts.SourceSHA256,
		"stdlib_version": opts.StdlibVersion,
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var props []*onnxpb.StringStringEntryProto
	for _, k := range keys {
		if meta[k] != "" {
			props = append(props, &onnxpb.StringStringEntryProto{Key: proto.String(k), Value: proto.String(meta[k])})
		}
	}
	return &onnxpb.ModelProto{
		IrVersion:       proto.Int64(irVersion(opts.Opset)),
		OpsetImport:     []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(int64(opts.Opset))}},
		ProducerName:    proto.String("resc"),
		ProducerVersion: proto.String(version.Version),
		ModelVersion:    proto.Int64(1),
		DocString:       proto.String(fmt.Sprintf("%s: a residual network compiled by resc from %s", g.Name, opts.Source)),
		Graph:           graph,
		MetadataProps:   props,
	}, e.inits, nil
}

type exporter struct {
	g     *ir.Graph
	opts  Options
	nodes []*onnxpb.NodeProto
	inits []*initTensor
	infos []*onnxpb.ValueInfoProto
	value map[*ir.Node]string // the ONNX value each IR node produces
	names map[string]bool     // value and initializer names in use
	// outName is the output name that gives a node's value its name.
	outName map[*ir.Node]string
}

func (e *exporter) dims(s ir.Shape) *onnxpb.TensorShapeProto {
	t := &onnxpb.TensorShapeProto{}
	for _, d := range s {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		switch {
		case d == ir.Batch && e.opts.Batch > 0:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(e.opts.Batch)}
		case d == ir.Batch:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: BatchParam}
		default:
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}
		}
		t.Dim = append(t.Dim, dim)
	}
	return t
}

func (e *exporter) valueInfo(name string, s ir.Shape) *onnxpb.ValueInfoProto {
	return &onnxpb.ValueInfoProto{Name: proto.String(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
		TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)), Shape: e.dims(s)},
	}}}
}

// claim reserves a value or initializer name; a clash is a bug in naming.
func (e *exporter) claim(name string) error {
	if e.names[name] {
		return fmt.Errorf("name %q is used twice in the ONNX graph", name)
	}
	e.names[name] = true
	return nil
}

// An initTensor is an initializer whose data stays in the caller's slices
// until it is written. A parameter's values are fetched from the weight
// source only then, so that a streaming source can generate them just in
// time.
type initTensor struct {
	name  string
	dims  []int64
	doc   string    // what a derived parameter's values are
	param *ir.Param // values still to fetch
	f32   []float32 // for FLOAT tensors
	i64   []int64   // for INT64 tensors
}

// fetch gets a parameter's values from w, checking their number.
func (t *initTensor) fetch(w weights.Source) error {
	if t.param == nil {
		return nil
	}
	v := w.Values(t.param)
	if v == nil {
		if err := weights.Err(w); err != nil {
			return err
		}
		return fmt.Errorf("no values for parameter %s", t.name)
	}
	if int64(len(v)) != t.param.Size() {
		return fmt.Errorf("parameter %s has %d values, its shape %v needs %d", t.name, len(v), t.param.Shape, t.param.Size())
	}
	t.f32, t.param = v, nil
	return nil
}

func floatTensor(name string, dims []int, data []float32) *initTensor {
	t := &initTensor{name: name, dims: []int64{}, f32: data}
	for _, d := range dims {
		t.dims = append(t.dims, int64(d))
	}
	return t
}

func int64Tensor(name string, data []int64) *initTensor {
	return &initTensor{name: name, dims: []int64{int64(len(data))}, i64: data}
}

// header is the TensorProto without its raw_data.
func (t *initTensor) header() *onnxpb.TensorProto {
	dt := onnxpb.TensorProto_FLOAT
	if t.i64 != nil {
		dt = onnxpb.TensorProto_INT64
	}
	p := &onnxpb.TensorProto{Name: proto.String(t.name), DataType: proto.Int32(int32(dt)), Dims: t.dims}
	if t.doc != "" {
		p.DocString = proto.String(t.doc)
	}
	return p
}

// raw is the little-endian data, as raw_data holds it.
func (t *initTensor) raw() []byte {
	if t.i64 == nil {
		raw := make([]byte, 4*len(t.f32))
		for i, v := range t.f32 {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		return raw
	}
	raw := make([]byte, 8*len(t.i64))
	for i, v := range t.i64 {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return raw
}

func (t *initTensor) proto() *onnxpb.TensorProto {
	p := t.header()
	p.RawData = t.raw()
	return p
}

// param adds the initializer of an IR parameter and returns its name.
func (e *exporter) param(p *ir.Param) (string, error) {
	return e.paramAs(p, p.Shape)
}

// paramAs adds the initializer of an IR parameter with dims in place of
// its IR shape (the same values, so the same number of them): a
// per-channel vector must be [C,1,1] to broadcast over NCHW. A derived
// parameter has no counterpart among the reference weights, so its
// initializer's doc string says what it was computed from.
func (e *exporter) paramAs(p *ir.Param, dims []int) (string, error) {
	if err := e.claim(p.Name); err != nil {
		return "", err
	}
	t := floatTensor(p.Name, dims, nil)
	t.param = p
	if p.Derived != nil {
		t.doc = p.Derived.Doc
	}
	e.inits = append(e.inits, t)
	return p.Name, nil
}

// constant adds a float initializer that is not a reference parameter
// (the ones of a batch norm without a scale).
func (e *exporter) constant(name string, dims []int, data []float32) (string, error) {
	if err := e.claim(name); err != nil {
		return "", err
	}
	t := floatTensor(name, dims, data)
	t.doc = onnxpb.ConstantDoc
	e.inits = append(e.inits, t)
	return name, nil
}

func (e *exporter) ints(name string, data []int64) (string, error) {
	if err := e.claim(name); err != nil {
		return "", err
	}
	e.inits = append(e.inits, int64Tensor(name, data))
	return name, nil
}

func attrInts(name string, v ...int) *onnxpb.AttributeProto {
	a := &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum()}
	for _, x := range v {
		a.Ints = append(a.Ints, int64(x))
	}
	return a
}

func attrInt(name string, v int) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(int64(v))}
}

func attrFloat(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

func attrString(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
