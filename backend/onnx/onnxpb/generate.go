// Package onnxpb holds the Go types of the ONNX messages resc reads and
// writes, generated from onnx.proto (resc's own subset of the format).
//
// Regenerate with `go generate ./backend/onnx/onnxpb`; it needs protoc
// (Debian's protobuf-compiler) and protoc-gen-go on PATH
// (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.11).
package onnxpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative onnx.proto

// ConstantDoc is the doc_string resc's exporter gives a float initializer
// that is a constant of the export (a batch norm's stand-in scale, a
// dropout ratio) rather than a weight, so that reading an export as a
// weights file can leave it out.
const ConstantDoc = "a constant of the export, not a weight"
