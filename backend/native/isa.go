package native

import "unsafe"

// An isa is the fast kernels of one instruction set: they are chosen
// together, once at start-up, as the fastest set the CPU runs (active);
// tests switch active to run every set the CPU has against the
// references.
type isa struct {
	name string

	// gemm is the GEMM micro-kernel. A convolution packs its weights
	// for the kernel active when it is compiled and keeps that kernel.
	gemm microKernel

	// tapGemm is the micro-kernel of tapConvStep, with gemm's tile; a
	// nil f leaves grouped convolutions to convStep.
	tapGemm tapKernel

	// tapNarrow is a tap kernel of fewer rows, for groups of at most its
	// mr output channels; a nil f leaves them to tapGemm.
	tapNarrow tapKernel

	// pixelGemm is the pixel-major micro-kernels (convt.go), by tile
	// height; nil leaves every convolution to gemm.
	pixelGemm []pixelKernel

	// epilogue applies an epilogue to a tile (see epilogueAVX2); nil
	// leaves the work to the Go loops.
	epilogue epilogueFunc

	// transcend computes an activation (transcend.go) of n values, n a
	// multiple of 8; nil leaves the work to the Go loops.
	transcend transcendFunc

	// dw is the depthwise convolution's flat correlation (dw.go); nil
	// leaves the work to the Go loop.
	dw dwFunc

	// dwRows is the depthwise correlation of narrow planes (up to
	// dwRowsMax columns) written row by row, straight into the output;
	// nil leaves them to dw.
	dwRows dwRowsFunc

	// split2 splits a row into its even and odd values (the stride-2
	// depthwise convolutions' padding); nil leaves the work to Go.
	split2 split2Func

	// gather2 copies every second value (stride-2 im2col rows and pool
	// taps); nil leaves the work to the Go loop.
	gather2 gatherFunc

	// gather2Span writes a task's span of a stride-2 im2col row, across
	// output rows and their padding, in one call; nil leaves it to Go.
	gather2Span gather2SpanFunc

	// vmax takes the elementwise maximum of two rows (the max pools);
	// nil leaves the work to the Go loop.
	vmax maxFunc

	// maxPool3s2 is a 3-wide, stride-2 max pool's row of windows (ResNet's
	// stem pool); nil leaves it to the row passes of vmax and gather2.
	maxPool3s2 maxPool3s2Func

	// maxPool3s2Rows is maxPool3s2 over many output rows in one call, any
	// number of windows a row; it takes the place of maxPool3s2 where set.
	maxPool3s2Rows maxPool3s2RowsFunc

	// rowSum, scale and add are the global average pools' sums, the
	// squeeze-excitation's scaling of a row and the sum of two rows
	// (rows.go); nil leaves the work to the Go loops.
	rowSum rowSumFunc
	scale  scaleFunc
	add    addFunc

	// dot4 is four dot products against one vector (a fully connected
	// layer's rows); nil leaves the work to the Go loop.
	dot4 dot4Func

	// lnStats and lnApply are a layer norm's channel reductions and its
	// normalisation of one channel's row (layernorm.go); nil leaves the
	// work to the Go loops.
	lnStats lnStatsFunc
	lnApply lnApplyFunc

	// winoIn and winoOut are the Winograd transforms of a tile row
	// (winorow.go); nil leaves the work to the Go loops.
	winoIn  winoInFunc
	winoOut winoOutFunc
}

// dot4Func sets out[r] = Σ_{i<n} w[r·k+i]·x[i] for r < 4, n a multiple of
// 16; the sums may round differently from the Go loop's.
type dot4Func func(w *float32, k int, x *float32, n int, out *float32)

// transcendFunc sets dst[i] = f(src[i]) for i < n, f the activation code
// fn (fnSigmoid ... fnLeakyRelu; alpha is the leaky relu's slope); n is a
// multiple of 8 and dst may be src.
type transcendFunc func(dst, src *float32, n, fn int, alpha float32)

// A microKernel is a GEMM micro-kernel and the shape of its tile: f
// computes mr rows (output channels) by nr columns (output pixels). half,
// where not nil, is f half as wide, mr by nr/2, for a last strip of B no
// wider: resnet50's 14×14 maps end in a strip of 4 pixels, its 28×28 ones
// in one of 16, and on AVX2 its 7×7 ones in a strip of 1.
type microKernel struct {
	name   string
	mr, nr int
	f      kernelFunc
	half   kernelFunc
	// res is f over one k-block finishing each tile with a residual
	// convolution's epilogue, the residual being c (kernelAVX512Res);
	// nil where the instruction set has none.
	res residualKernelFunc
}

// residualKernelFunc computes kernelFunc's tile over one k-block (acc
// false) and then, for each row r of it, c[r·ldc+j] =
// act((Σ + bias[r] + c[r·ldc+j])·1 + 0), act a relu or none: the
// epilogue's operations in its order, the output over the residual.
type residualKernelFunc func(kc int, a, b, c []float32, ldb, ldc int, bias *float32, relu bool)

// width is the columns the kernels compute for n columns of B: whole
// strips of nr, or one of nr/2 where that holds them and there is a half
// kernel.
func (k *microKernel) width(n int) int {
	if k.half != nil && n <= k.nr/2 {
		return k.nr / 2
	}
	return (n + k.nr - 1) / k.nr * k.nr
}

// epilogueFunc computes, for r < rows and j < cols, with rows ld floats
// apart in dst and src and ldr apart in res,
//
//	dst[r][j] = act((src[r][j] + bias[r] + res[r][j])·scale[r] + shift[r])
//
// res, bias and scale (with shift) may be nil for none; act is a relu when
// relu is set.
type epilogueFunc func(dst, src *float32, ld int, res *float32, ldr, rows, cols int, bias, scale, shift *float32, relu bool)

// goISA is the pure-Go kernels, which every CPU runs.
var goISA = isa{name: "go", gemm: microKernel{name: "go", mr: 6, nr: 16, f: kernelGo}}

// knownISAs names every instruction set the package has kernels for,
// fastest first, so that tests can say which they could not run.
var knownISAs = []string{"avx512", "avx2", "go"}

// machineISAs is the instruction sets this CPU runs, fastest first; the
// pure-Go one is always last.
var machineISAs = append(archISAs(), goISA)

// active is the instruction set the fast paths use.
var active = &machineISAs[0]

// tileFast applies bias, residual, scale and shift and a relu to rows
// rows of cols values with the active instruction set's epilogue; it
// reports false, having done nothing, where that set has none. Rows are
// ld apart in dst and src, ldr apart in res; bias, scale and shift hold a
// value per row (nil: none). The caller has checked the slices' lengths.
func tileFast(dst, src []float32, ld int, res []float32, ldr, rows, cols int, bias, scale, shift []float32, relu bool) bool {
	f := active.epilogue
	if f == nil {
		return false
	}
	if rows == 0 || cols == 0 {
		return true
	}
	ptr := func(v []float32) *float32 {
		if v == nil {
			return nil
		}
		return unsafe.SliceData(v)
	}
	f(ptr(dst), ptr(src), ld, ptr(res), ldr, rows, cols, ptr(bias), ptr(scale), ptr(shift), relu)
	return true
}
