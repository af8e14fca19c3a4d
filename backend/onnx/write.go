package onnx

import (
	"encoding/binary"
	"io"
	"math"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// Write streams g with weights w as a serialized ONNX ModelProto. The
// message is assembled by hand around the initializers, so that their data
// goes from the weight slices to w without a second in-memory copy (a
// 60M-parameter model would otherwise need three): the model's small fields
// are marshalled first, then field 7 (graph) whose own small fields are
// followed by one field 5 (initializer) per tensor. Protocol buffers allow
// fields in any order, and every parser reads the result as the same
// message that ExportModel builds. The same graph, weights and options
// always give the same bytes.
//
// ws holds the graph's source parameters (g.SourceParams); the values of
// derived parameters (an optimised graph's folded batch norms) are
// computed from them as they are written, so a weights.Stream for g works.
func Write(w io.Writer, g *ir.Graph, ws weights.Source, opts Options) error {
	ws = weights.Resolve(g, ws)
	m, inits, err := export(g, opts)
	if err != nil {
		return err
	}
	graph := m.Graph
	m.Graph = nil
	det := proto.MarshalOptions{Deterministic: true}
	head, err := det.Marshal(m)
	if err != nil {
		return err
	}
	graphHead, err := det.Marshal(graph)
	if err != nil {
		return err
	}
	// Sizes first: every length prefix precedes its bytes.
	headers := make([][]byte, len(inits))
	tensorLen := make([]int, len(inits))
	graphLen := len(graphHead)
	for i, t := range inits {
		if headers[i], err = det.Marshal(t.header()); err != nil {
			return err
		}
		n := rawLen(t)
		tensorLen[i] = len(headers[i]) + protowire.SizeTag(9) + protowire.SizeBytes(n)
		graphLen += protowire.SizeTag(5) + protowire.SizeBytes(tensorLen[i])
	}
	if b, ok := w.(interface{ Grow(int) }); ok {
		// A buffer (Export) takes the whole message at once, rather than
		// growing by doubling: a copy of all the weights per doubling and
		// up to twice their size at the end.
		b.Grow(len(head) + protowire.SizeTag(7) + protowire.SizeBytes(graphLen))
	}
	var buf []byte
	buf = append(buf, head...)
	buf = protowire.AppendTag(buf, 7, protowire.BytesType)
	buf = protowire.AppendVarint(buf, uint64(graphLen))
	buf = append(buf, graphHead...)
	if _, err := w.Write(buf); err != nil {
		return err
	}
	for i, t := range inits {
		buf = buf[:0]
		buf = protowire.AppendTag(buf, 5, protowire.BytesType)
		buf = protowire.AppendVarint(buf, uint64(tensorLen[i]))
		buf = append(buf, headers[i]...)
		buf = protowire.AppendTag(buf, 9, protowire.BytesType)
		buf = protowire.AppendVarint(buf, uint64(rawLen(t)))
		if _, err := w.Write(buf); err != nil {
			return err
		}
		if err := t.fetch(ws); err != nil {
			return err
		}
		if err := writeRaw(w, t); err != nil {
			return err
		}
		t.f32 = nil // let the values go once written
	}
	return nil
}

func rawLen(t *initTensor) int {
	if t.i64 != nil {
		return 8 * len(t.i64)
	}
	if t.param != nil {
		return 4 * int(t.param.Size())
	}
	return 4 * len(t.f32)
}

// littleEndian is true on the machines where float32 slices already have
// ONNX's byte order in memory.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// writeRaw writes a tensor's data little-endian, straight from its slice
// where the machine's byte order allows.
func writeRaw(w io.Writer, t *initTensor) error {
	if t.i64 == nil && littleEndian && len(t.f32) > 0 {
		_, err := w.Write(unsafe.Slice((*byte)(unsafe.Pointer(&t.f32[0])), 4*len(t.f32)))
		return err
	}
	if t.i64 == nil {
		var b [4]byte
		for _, v := range t.f32 {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			if _, err := w.Write(b[:]); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := w.Write(t.raw())
	return err
}
