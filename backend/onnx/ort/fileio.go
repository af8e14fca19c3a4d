package ort

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/resc-dev/resc/backend/onnx/onnxpb"
)

// maxIOField bounds a graph input's or output's description, and an
// initializer's name, in a model file: a few hundred bytes in practice.
const maxIOField = 1 << 20

// The field numbers fileModelIO reads (onnx.proto).
const (
	modelGraph       = 7  // ModelProto.graph
	graphInitializer = 5  // GraphProto.initializer
	graphInput       = 11 // GraphProto.input
	graphOutput      = 12 // GraphProto.output
	tensorName       = 8  // TensorProto.name
)

// fileModelIO is ortModelIO for a model file read from r: it reads the
// graph's inputs, outputs and initializers' names a field at a time and
// skips the rest, so that the weights are never in memory (onnxruntime
// reads the file itself).
func fileModelIO(r io.Reader) (*ortModelInfo, error) {
	w := &wireReader{r: bufio.NewReaderSize(r, 64<<10)}
	g := &onnxpb.GraphProto{}
	err := w.fields(-1, func(num protowire.Number, typ protowire.Type, end int64) error {
		if num != modelGraph || typ != protowire.BytesType {
			return w.skip(num, typ, end)
		}
		return w.fields(end, func(num protowire.Number, typ protowire.Type, end int64) error {
			if typ != protowire.BytesType {
				return w.skip(num, typ, end)
			}
			switch num {
			case graphInput, graphOutput:
				b, err := w.bytes(end)
				if err != nil {
					return err
				}
				v := &onnxpb.ValueInfoProto{}
				if err := proto.Unmarshal(b, v); err != nil {
					return err
				}
				if num == graphInput {
					g.Input = append(g.Input, v)
				} else {
					g.Output = append(g.Output, v)
				}
				return nil
			case graphInitializer:
				t := &onnxpb.TensorProto{}
				g.Initializer = append(g.Initializer, t)
				return w.fields(end, func(num protowire.Number, typ protowire.Type, end int64) error {
					if num != tensorName || typ != protowire.BytesType {
						return w.skip(num, typ, end)
					}
					b, err := w.bytes(end)
					t.Name = proto.String(string(b))
					return err
				})
			}
			return w.skip(num, typ, end)
		})
	})
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("not an ONNX model: %v", err)
	}
	return graphIO(g)
}

// A wireReader reads protobuf wire format from a stream, counting the
// bytes it has read.
type wireReader struct {
	r   *bufio.Reader
	off int64
}

// fields calls f for each field up to offset end (the end of the stream
// when end is −1) with the end of its value, where f must have read or
// skipped to. A bytes field's end is that of its contents, after the
// length.
func (w *wireReader) fields(end int64, f func(protowire.Number, protowire.Type, int64) error) error {
	for end < 0 || w.off < end {
		num, typ, fieldEnd, err := w.tag(end)
		if err == io.EOF && end < 0 {
			return nil
		}
		if err != nil {
			return err
		}
		if err := f(num, typ, fieldEnd); err != nil {
			return err
		}
		if typ == protowire.BytesType && w.off != fieldEnd {
			return fmt.Errorf("field %d was not read to its end", num)
		}
	}
	if w.off != end {
		return errors.New("a field runs past its message")
	}
	return nil
}

// tag reads a field's tag, within a message that ends at end (−1: the
// stream's end), and for a bytes field its length: fieldEnd is where the
// bytes end, else end. io.EOF means the stream ended before the tag.
func (w *wireReader) tag(end int64) (num protowire.Number, typ protowire.Type, fieldEnd int64, err error) {
	t, err := w.uvarint()
	if err != nil {
		return 0, 0, 0, err
	}
	num, typ = protowire.DecodeTag(t)
	if num < protowire.MinValidNumber {
		return 0, 0, 0, fmt.Errorf("field number %d", num)
	}
	if typ != protowire.BytesType {
		return num, typ, end, nil
	}
	n, err := w.uvarint()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF // only a tag may end the stream
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if n > 1<<62 || end >= 0 && int64(n) > end-w.off {
		return 0, 0, 0, fmt.Errorf("field %d of %d bytes runs past its message", num, n)
	}
	return num, typ, w.off + int64(n), nil
}

// skip skips field num's value of type typ; a bytes value ends at end,
// a group at its end-group tag.
func (w *wireReader) skip(num protowire.Number, typ protowire.Type, end int64) error {
	return w.skipDepth(num, typ, end, 0)
}

func (w *wireReader) skipDepth(num protowire.Number, typ protowire.Type, end int64, depth int) error {
	var n int64
	switch typ {
	case protowire.VarintType:
		_, err := w.uvarint()
		return err
	case protowire.Fixed32Type:
		n = 4
	case protowire.Fixed64Type:
		n = 8
	case protowire.BytesType:
		n = end - w.off
	case protowire.StartGroupType:
		return w.skipGroup(num, end, depth+1)
	default:
		return fmt.Errorf("wire type %d", typ)
	}
	d, err := w.r.Discard(int(n))
	w.off += int64(d)
	return err
}

// skipGroup skips the fields of group num, which the proto2 wire format
// still allows in unknown fields and the protobuf parser skips, up to its
// end-group tag, within end (−1: the stream's end). Groups nest up to
// protobuf's own recursion limit.
func (w *wireReader) skipGroup(num protowire.Number, end int64, depth int) error {
	if depth > protowire.DefaultRecursionLimit {
		return errors.New("groups nested too deep")
	}
	for end < 0 || w.off < end {
		n, typ, fieldEnd, err := w.tag(end)
		if err != nil {
			return err
		}
		if typ == protowire.EndGroupType {
			if n != num {
				return fmt.Errorf("group %d ends as group %d", num, n)
			}
			return nil
		}
		if err := w.skipDepth(n, typ, fieldEnd, depth); err != nil {
			return err
		}
	}
	return fmt.Errorf("group %d runs past its message", num)
}

// bytes reads a bytes value that ends at end, at most maxIOField long.
func (w *wireReader) bytes(end int64) ([]byte, error) {
	n := end - w.off
	if n > maxIOField {
		return nil, fmt.Errorf("a graph input, output or initializer name of %d bytes (at most %d)", n, maxIOField)
	}
	b := make([]byte, n)
	k, err := io.ReadFull(w.r, b)
	w.off += int64(k)
	return b, err
}

func (w *wireReader) uvarint() (uint64, error) {
	v, err := binary.ReadUvarint(byteCounter{w})
	return v, err
}

// byteCounter reads single bytes from a wireReader, counting them.
type byteCounter struct{ w *wireReader }

func (c byteCounter) ReadByte() (byte, error) {
	b, err := c.w.r.ReadByte()
	if err == nil {
		c.w.off++
	}
	return b, err
}
