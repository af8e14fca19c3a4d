//go:build amd64 && !purego

package native

// The pixel-major AVX-512 micro-kernels (kernelt_avx512_amd64.s) hold a
// tile of R pixels by 32 output channels in 2R ZMM sums: each k step loads
// the weight strip's two ZMM, broadcasts the R pixel values in turn and
// issues 2R FMAs. R = 7 and 14 divide every ResNet map at 224 (49, 196,
// 784, 3136 pixels), 8 the CIFAR ones (64, 256, 1024).

// kernelT7AVX512 is kernelTRef for 7 pixels, for CPUs with AVX-512F.
//
//go:noescape
func kernelT7AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)

// kernelT8AVX512 is kernelTRef for 8 pixels.
//
//go:noescape
func kernelT8AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)

// kernelT14AVX512 is kernelTRef for 14 pixels.
//
//go:noescape
func kernelT14AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)

// pixelKernelsAVX512 is the AVX-512 set's pixel-major kernels.
var pixelKernelsAVX512 = []pixelKernel{
	{"avx512x7", 7, kernelT7AVX512},
	{"avx512x8", 8, kernelT8AVX512},
	{"avx512x14", 14, kernelT14AVX512},
}
