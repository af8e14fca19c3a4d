//go:build !amd64 || purego

package native

// archISAs is empty: without assembly the Go kernels do the work.
func archISAs() []isa { return nil }
