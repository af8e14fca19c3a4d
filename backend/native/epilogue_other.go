//go:build !amd64 || purego

package native

// tileFast has no assembly here: the Go loops do the work.
func tileFast(dst, src []float32, ld int, res []float32, ldr, rows, cols int, bias, scale, shift []float32, relu bool) bool {
	return false
}
