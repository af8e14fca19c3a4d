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

// OutputName is the name of the model's ONNX output: "probabilities" when
// the network ends in a softmax, else "logits".
func (c *Compiled) OutputName() string { return onnx.OutputName(c.graph) }
