//go:build !amd64 || purego

package native

func archKernels() []namedKernel { return nil }
