//go:build amd64 && !purego

#include "textflag.h"

// func affineAVX2(dst, src, res *float32, n int, b, sc, sh float32, relu bool)
//
// dst[i] = act((src[i] + b + res[i])·sc + sh), res omitted when nil, act a
// relu when set: eight values per step, then one at a time. The maximum
// takes the value as its second operand so that a NaN propagates, as in
// the unfused graph.
TEXT ·affineAVX2(SB), NOSPLIT, $0-45
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ res+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS b+32(FP), Y1
	VBROADCASTSS sc+36(FP), Y2
	VBROADCASTSS sh+40(FP), Y3
	MOVBLZX relu+44(FP), AX
	VXORPS Y0, Y0, Y0

loop8:
	CMPQ CX, $8
	JLT tail
	VMOVUPS (SI), Y4
	VADDPS Y1, Y4, Y4
	TESTQ DX, DX
	JZ affine8
	VADDPS (DX), Y4, Y4
	ADDQ $32, DX

affine8:
	VMULPS Y2, Y4, Y4
	VADDPS Y3, Y4, Y4
	TESTQ AX, AX
	JZ store8
	VMAXPS Y4, Y0, Y4

store8:
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP loop8

tail:
	TESTQ CX, CX
	JZ done
	VMOVSS (SI), X4
	VADDSS X1, X4, X4
	TESTQ DX, DX
	JZ affine1
	VADDSS (DX), X4, X4
	ADDQ $4, DX

affine1:
	VMULSS X2, X4, X4
	VADDSS X3, X4, X4
	TESTQ AX, AX
	JZ store1
	VMAXSS X4, X0, X4

store1:
	VMOVSS X4, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP tail

done:
	VZEROUPPER
	RET
