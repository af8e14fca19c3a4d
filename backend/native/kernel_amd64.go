//go:build amd64 && !purego

package native

// The AVX2 micro-kernel (kernel_amd64.s) holds the 6×16 tile in twelve
// YMM accumulators: each k step loads two YMM of B, broadcasts the six A
// values in turn and issues twelve FMAs.

// kernelAVX2 is kernelRef for the 6×16 tile, for CPUs with AVX2 and FMA.
//
//go:noescape
func kernelAVX2(kc int, a, b, c []float32, ldb, ldc int, acc bool)

// The AVX-512 micro-kernel (kernel_avx512_amd64.s) holds the 8×32 tile in
// sixteen ZMM accumulators: each k step loads two ZMM of B, broadcasts the
// eight A values and issues sixteen FMAs, twice the work of an AVX2 step
// for about as many instructions.

// kernelAVX512 is kernelRef for the 8×32 tile, for CPUs with AVX-512F.
//
//go:noescape
func kernelAVX512(kc int, a, b, c []float32, ldb, ldc int, acc bool)

// kernelAVX512Res is a residualKernelFunc for CPUs with AVX-512F
// (kernel_avx512_amd64.s).
//
//go:noescape
func kernelAVX512Res(kc int, a, b, c []float32, ldb, ldc int, bias *float32, relu bool)

// kernelAVX512x16 and kernelAVX2x8 are kernelAVX512 and kernelAVX2 half
// as wide, for the last strip of B when it is no wider (microKernel.half).
//
//go:noescape
func kernelAVX512x16(kc int, a, b, c []float32, ldb, ldc int, acc bool)

//go:noescape
func kernelAVX2x8(kc int, a, b, c []float32, ldb, ldc int, acc bool)

// tapKernelAVX512 and tapKernelAVX2 are the 8×32 and 6×16 kernels reading
// B's rows through an offset table (tapconv.go).
//
//go:noescape
func tapKernelAVX512(kc int, a, b *float32, offs *int32, c *float32, ldc int, acc bool)

//go:noescape
func tapKernelAVX2(kc int, a, b *float32, offs *int32, c *float32, ldc int, acc bool)

// tapKernelAVX512x4 is the 4×64 tap kernel, for groups of four output
// channels.
//
//go:noescape
func tapKernelAVX512x4(kc int, a, b *float32, offs *int32, c *float32, ldc int, acc bool)
