// Package ort runs ONNX models with onnxruntime, through onnxruntime_go:
// finding and loading the shared library, sessions on the CPU or CUDA, and
// the models' metadata. It is the one package of resc that needs cgo and
// the onnxruntime library; a build without cgo compiles it, and its
// functions then report ErrNoCgo. Programs that only compile models or run
// them with the native backend never import it.
package ort
