//go:build amd64 && !purego

#include "textflag.h"

// func epilogueAVX2(dst, src *float32, ld int, res *float32, ldr, rows, cols int, bias, scale, shift *float32, relu bool)
//
// For each row r < rows and column j < cols, with rows ld floats apart in
// dst and src and ldr apart in res:
//
//	dst[r][j] = act((src[r][j] + bias[r] + res[r][j])·scale[r] + shift[r])
//
// res, bias and scale (with shift) may be nil, meaning none; act is a relu
// when relu is set. Eight values per step, then one at a time. The maximum
// takes the value as its second operand so that a NaN propagates, as in
// the unfused graph.
//
// Registers: DI, R8 and SI walk dst, src and res row by row; R10 counts
// rows, R11 holds cols, CX indexes columns; R12, R13 and BX point at bias,
// scale and shift; Y1, Y2, Y3 hold the row's bias, scale and shift; Y0 is
// zero and Y5 one.
TEXT ·epilogueAVX2(SB), NOSPLIT, $0-81
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), R8
	MOVQ res+24(FP), SI
	MOVQ cols+48(FP), R11
	MOVQ bias+56(FP), R12
	MOVQ scale+64(FP), R13
	MOVQ shift+72(FP), BX
	MOVBLZX relu+80(FP), AX
	VXORPS Y0, Y0, Y0
	MOVL $0x3f800000, DX
	VMOVD DX, X5
	VBROADCASTSS X5, Y5
	XORQ R10, R10

row:
	CMPQ R10, rows+40(FP)
	JGE done
	VXORPS Y1, Y1, Y1
	TESTQ R12, R12
	JZ nobias
	VBROADCASTSS (R12)(R10*4), Y1

nobias:
	VMOVUPS Y5, Y2
	VXORPS Y3, Y3, Y3
	TESTQ R13, R13
	JZ noaffine
	VBROADCASTSS (R13)(R10*4), Y2
	VBROADCASTSS (BX)(R10*4), Y3

noaffine:
	XORQ CX, CX

col8:
	LEAQ 8(CX), DX
	CMPQ DX, R11
	JGT col1
	VMOVUPS (R8)(CX*4), Y4
	VADDPS Y1, Y4, Y4
	TESTQ SI, SI
	JZ affine8
	VADDPS (SI)(CX*4), Y4, Y4

affine8:
	VMULPS Y2, Y4, Y4
	VADDPS Y3, Y4, Y4
	TESTQ AX, AX
	JZ store8
	VMAXPS Y4, Y0, Y4

store8:
	VMOVUPS Y4, (DI)(CX*4)
	MOVQ DX, CX
	JMP col8

col1:
	CMPQ CX, R11
	JGE nextrow
	VMOVSS (R8)(CX*4), X4
	VADDSS X1, X4, X4
	TESTQ SI, SI
	JZ affine1
	VADDSS (SI)(CX*4), X4, X4

affine1:
	VMULSS X2, X4, X4
	VADDSS X3, X4, X4
	TESTQ AX, AX
	JZ store1
	VMAXSS X4, X0, X4

store1:
	VMOVSS X4, (DI)(CX*4)
	INCQ CX
	JMP col1

nextrow:
	MOVQ ld+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, DI
	ADDQ DX, R8
	TESTQ SI, SI
	JZ noresrow
	MOVQ ldr+32(FP), DX
	SHLQ $2, DX
	ADDQ DX, SI

noresrow:
	INCQ R10
	JMP row

done:
	VZEROUPPER
	RET
