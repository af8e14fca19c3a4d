//go:build !linux

package native

// hugeChunk returns n zeroed floats: huge pages are asked for on Linux
// only (hugechunk_linux.go).
func hugeChunk(n int) []float32 { return make([]float32, n) }
