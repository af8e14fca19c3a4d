//go:build amd64 && !purego

package native

import "golang.org/x/sys/cpu"

// archISAs is the assembly kernels this CPU and its OS support, as
// golang.org/x/sys/cpu reports them (it checks that the OS saves the
// registers too), fastest first.
func archISAs() []isa {
	var sets []isa
	if cpu.X86.HasAVX512F && cpu.X86.HasFMA {
		sets = append(sets, isa{name: "avx512", gemm: microKernel{name: "avx512", mr: 8, nr: 32, f: kernelAVX512, half: kernelAVX512x16, res: kernelAVX512Res}, pixelGemm: pixelKernelsAVX512,
			tapGemm: tapKernel{"avx512", 8, 32, tapKernelAVX512}, tapNarrow: tapKernel{"avx512x4", 4, 64, tapKernelAVX512x4},
			epilogue:  epilogueAVX512,
			transcend: transcendAVX2, dw: dwAVX512, dwRows: dwRowsAVX512, split2: split2AVX512, gather2: gather2AVX2, gather2Span: gather2SpanAVX512, vmax: maxAVX2, maxPool3s2: maxPool3s2AVX2, rowSum: sumAVX2, scale: scaleAVX2, add: addAVX2, dot4: dot4AVX2,
			lnStats: lnStatsAVX2, lnApply: lnApplyAVX2, winoIn: winoInAVX512, winoOut: winoOutAVX512})
		if cpu.X86.HasAVX512DQ && cpu.X86.HasBMI2 {
			sets[0].maxPool3s2Rows = maxPool3s2RowsAVX512
		}
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		sets = append(sets, isa{name: "avx2", gemm: microKernel{name: "avx2", mr: 6, nr: 16, f: kernelAVX2, half: kernelAVX2x8},
			tapGemm: tapKernel{"avx2", 6, 16, tapKernelAVX2}, epilogue: epilogueAVX2,
			transcend: transcendAVX2, dw: dwAVX2, gather2: gather2AVX2, vmax: maxAVX2, maxPool3s2: maxPool3s2AVX2, rowSum: sumAVX2, scale: scaleAVX2, add: addAVX2, dot4: dot4AVX2,
			lnStats: lnStatsAVX2, lnApply: lnApplyAVX2, winoIn: winoInAVX2, winoOut: winoOutAVX2})
	}
	return sets
}
