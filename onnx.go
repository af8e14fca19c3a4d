package resc

import (
	"io"

	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/stdlib"
)

// ONNXOptions control WriteONNX.
type ONNXOptions struct {
	Opset int // MinOpset to MaxOpset; 0 means DefaultOpset
	Batch int // a fixed batch size; 0 means the symbolic batch "N"
}

// The ONNX opsets resc writes.
const (
	DefaultOpset = onnx.DefaultOpset
	MinOpset     = onnx.MinOpset
	MaxOpset     = onnx.MaxOpset
)

// WriteONNX writes the model as ONNX to w, as 'resc build' does: standard
// ai.onnx operators, input "input" [N,C,H,W], output "logits" (or
// "probabilities"), initializers under the reference weight names. The
// same model and options give the same bytes.
func (c *Compiled) WriteONNX(w io.Writer, opts ONNXOptions) error {
	ws, err := c.source()
	if err != nil {
		return err
	}
	return onnx.Write(w, c.graph, ws, c.onnxOptions(opts))
}

// ONNX returns the model as a serialized ONNX ModelProto; see WriteONNX.
func (c *Compiled) ONNX(opts ONNXOptions) ([]byte, error) {
	ws, err := c.source()
	if err != nil {
		return nil, err
	}
	return onnx.Export(c.graph, ws, c.onnxOptions(opts))
}

func (c *Compiled) onnxOptions(opts ONNXOptions) onnx.Options {
	return onnx.Options{Opset: opts.Opset, Batch: opts.Batch,
		SourceSHA256: c.sourceSHA256(), Source: c.model.prog.Root.Src.Name, StdlibVersion: stdlib.Version}
}

// Outputs are the model's outputs, with their ONNX names: "logits" after
// a final fully connected layer, "probabilities" after a final softmax,
// "features" otherwise, unless the source names them.
func (c *Compiled) Outputs() []Output { return outputs(c.graph) }
