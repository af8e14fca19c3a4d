//go:build !linux

package native

// hugePagesAdvised is false: huge pages are asked for on Linux only
// (hugechunk_linux.go), so elsewhere parameters stay where their steps
// put them.
const hugePagesAdvised = false

// hugeChunk returns n zeroed floats.
func hugeChunk(n int) []float32 { return make([]float32, n) }
