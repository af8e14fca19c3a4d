//go:build amd64 && !purego

#include "textflag.h"

// func axpyAVX2(dst, src *float32, n int, a float32)
//
// dst[i] += a·src[i] for i < n: a multiply, then an add, each rounded, as
// the Go loop computes it (no fused multiply-add), eight values a step and
// then one at a time.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS a+24(FP), Y0
	XORQ DX, DX

loop8:
	LEAQ 8(DX), AX
	CMPQ AX, CX
	JGT loop1
	VMULPS (SI)(DX*4), Y0, Y1
	VADDPS (DI)(DX*4), Y1, Y1
	VMOVUPS Y1, (DI)(DX*4)
	MOVQ AX, DX
	JMP loop8

loop1:
	CMPQ DX, CX
	JGE done
	VMULSS (SI)(DX*4), X0, X1
	VADDSS (DI)(DX*4), X1, X1
	VMOVSS X1, (DI)(DX*4)
	INCQ DX
	JMP loop1

done:
	VZEROUPPER
	RET
