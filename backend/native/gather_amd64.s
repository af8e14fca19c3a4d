//go:build amd64 && !purego

#include "textflag.h"

// func gather2AVX2(dst, src *float32, n int)
//
// dst[i] = src[2i] for i < n, n a multiple of 8, reading src[0, 2n): each
// step loads sixteen values, keeps the even ones of each 128-bit lane
// (VSHUFPS) and puts the lanes' pairs back in order (VPERMPD).
TEXT ·gather2AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VPERMPD $0xD8, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET

DATA maxSign<>+0(SB)/4, $0x80000000
GLOBL maxSign<>(SB), RODATA|NOPTR, $4

// GOMIN sets acc to the minimum of acc and x with Go's semantics (a NaN
// wins, −0 beats +0): the minimum both ways round, ORed. The max kernels
// work on negated values, where Go's max is this minimum.
#define GOMIN(x, acc, t) \
	VMINPS x, acc, t; \
	VMINPS acc, t, acc; \
	VORPS  t, acc, acc

// func maxAVX2(dst, src *float32, n int)
//
// dst[i] = max(dst[i], src[i]) for i < n, n a multiple of 8, with Go's
// semantics (a NaN wins, +0 beats −0): the sequence the Go compiler emits
// for max, eight lanes at a time: negate both, take the minimum both ways
// round and OR them, negate back.
TEXT ·maxAVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS maxSign<>(SB), Y2
	SHRQ         $3, CX
	JZ           maxdone

maxloop:
	VXORPS  (DI), Y2, Y0
	VXORPS  (SI), Y2, Y1
	GOMIN(Y1, Y0, Y3)
	VXORPS  Y2, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     maxloop

maxdone:
	VZEROUPPER
	RET

// func maxPool3s2AVX2(dst, src *float32, n, rows, stride int)
//
// dst[i] = max over r < rows and t < 3 of src[r·stride + 2i + t] for
// i < n, n a multiple of 8 and rows at least 1, with Go's max semantics:
// the interior of a 3-wide, stride-2 max pool's output row (ResNet's
// stem pool), each window's rows and columns in one pass.
//
// Eight outputs read input columns 0 to 16 of their stretch: per row, the
// values x0..x15 (Y0, Y1) and x1..x16 (Y2, Y3), negated; the rows'
// minima, then P_j = min(x_j, x_j+1) for j < 16, and output i is
// min(P_2i, P_2i+1): the even and odd P of each 128-bit lane (VSHUFPS),
// their minimum, the lanes' pairs put back in order (VPERMPD).
TEXT ·maxPool3s2AVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         rows+24(FP), DX
	MOVQ         stride+32(FP), R8
	SHLQ         $2, R8
	VBROADCASTSS maxSign<>(SB), Y15
	SHRQ         $3, CX
	JZ           done

loop:
	VXORPS (SI), Y15, Y0
	VXORPS 32(SI), Y15, Y1
	VXORPS 4(SI), Y15, Y2
	VXORPS 36(SI), Y15, Y3
	MOVQ   SI, R9
	MOVQ   DX, R10

row:
	DECQ   R10
	JZ     columns
	ADDQ   R8, R9
	VXORPS (R9), Y15, Y4
	VXORPS 32(R9), Y15, Y5
	VXORPS 4(R9), Y15, Y6
	VXORPS 36(R9), Y15, Y7
	GOMIN(Y4, Y0, Y8)
	GOMIN(Y5, Y1, Y9)
	GOMIN(Y6, Y2, Y10)
	GOMIN(Y7, Y3, Y11)
	JMP    row

columns:
	GOMIN(Y2, Y0, Y8)
	GOMIN(Y3, Y1, Y9)
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xDD, Y1, Y0, Y5
	GOMIN(Y5, Y4, Y8)
	VPERMPD $0xD8, Y4, Y4
	VXORPS  Y15, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
