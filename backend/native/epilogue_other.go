//go:build !amd64 || purego

package native

// affineFast has no assembly here: the Go loops do the work.
func affineFast(dst, src, res []float32, b, sc, sh float32, relu bool) bool { return false }
