// Package resc compiles residual networks written in the .res language and
// runs them, for Go programs that embed what the resc command does.
//
// The steps are those of 'resc build' and 'resc run':
//
//   - [LoadFile], [LoadString] or [LoadStdlib] load a network, with
//     parameter overrides ([Options]), and check it; source errors come
//     back as an error that [Diagnostics] turns into values (position,
//     message, instantiation chain).
//   - [Model.Summary] gives the layers, shapes, parameters and MACs.
//   - [Model.Compile] loads or initialises the weights (every weights
//     format resc reads) and optimises the graph at a level.
//   - [Compiled.WriteONNX] writes the ONNX model to an io.Writer.
//   - [Compiled.Native] makes a [Program], resc's pure-Go executor, that
//     runs []float32 batches or decoded images, concurrently.
//
// The package needs neither cgo nor onnxruntime. Programs that want to run
// models on onnxruntime import backend/onnx/ort as well.
package resc
