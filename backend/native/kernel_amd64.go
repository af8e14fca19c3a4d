//go:build amd64 && !purego

package native

// The AVX2 micro-kernel (kernel_amd64.s) holds the 6×16 tile in twelve
// YMM accumulators: each k step loads two YMM of B, broadcasts the six A
// values in turn and issues twelve FMAs.

// kernelAVX2 is kernelRef for CPUs with AVX2 and FMA.
//
//go:noescape
func kernelAVX2(kc int, a, b, c []float32, ldb, ldc int, acc bool)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// hasAVX2 reports whether the CPU and the OS support AVX2 and FMA.
var hasAVX2 = func() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // the OS saves XMM and YMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}()

func init() {
	if hasAVX2 {
		kernel = kernelAVX2
	}
}

func archKernels() []namedKernel {
	if hasAVX2 {
		return []namedKernel{{"avx2", kernelAVX2}}
	}
	return nil
}
