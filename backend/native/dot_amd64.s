//go:build amd64 && !purego

#include "textflag.h"

// func dot4AVX2(w *float32, k int, x *float32, n int, out *float32)
//
// out[r] = Σ_{i<n} w[r·k+i]·x[i] for r < 4, n a multiple of 16: the four
// weight rows, k floats apart, against x, sixteen values a step in two
// accumulators per row (FMAs, so the sums round differently from the Go
// loop's), then summed across lanes.
TEXT ·dot4AVX2(SB), NOSPLIT, $0-40
	MOVQ   w+0(FP), SI
	MOVQ   k+8(FP), R8
	SHLQ   $2, R8
	MOVQ   x+16(FP), DI
	MOVQ   n+24(FP), CX
	MOVQ   out+32(FP), DX
	LEAQ   (SI)(R8*1), R9
	LEAQ   (R9)(R8*1), R10
	LEAQ   (R10)(R8*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   AX, AX
	SHRQ   $4, CX
	JZ     sum

loop:
	VMOVUPS     (DI)(AX*4), Y8
	VMOVUPS     32(DI)(AX*4), Y9
	VFMADD231PS (SI)(AX*4), Y8, Y0
	VFMADD231PS 32(SI)(AX*4), Y9, Y1
	VFMADD231PS (R9)(AX*4), Y8, Y2
	VFMADD231PS 32(R9)(AX*4), Y9, Y3
	VFMADD231PS (R10)(AX*4), Y8, Y4
	VFMADD231PS 32(R10)(AX*4), Y9, Y5
	VFMADD231PS (R11)(AX*4), Y8, Y6
	VFMADD231PS 32(R11)(AX*4), Y9, Y7
	ADDQ        $16, AX
	DECQ        CX
	JNZ         loop

sum:
	// Row r's sum is in Y(2r)+Y(2r+1): add the pairs, then fold the
	// four rows' eight lanes into one XMM of four sums.
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y5, Y4, Y4
	VADDPS       Y7, Y6, Y6
	VHADDPS      Y2, Y0, Y0  // [r0 r0 r1 r1 | r0 r0 r1 r1]
	VHADDPS      Y6, Y4, Y4  // [r2 r2 r3 r3 | r2 r2 r3 r3]
	VHADDPS      Y4, Y0, Y0  // [r0 r1 r2 r3 | r0 r1 r2 r3]
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVUPS      X0, (DX)
	VZEROUPPER
	RET
