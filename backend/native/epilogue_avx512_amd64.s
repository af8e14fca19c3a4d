//go:build amd64 && !purego

#include "textflag.h"

// func epilogueAVX512(dst, src *float32, ld int, res *float32, ldr, rows, cols int, bias, scale, shift *float32, relu bool)
//
// epilogueAVX2 sixteen values per step, the last step of a row under a
// mask (K1) instead of one value at a time; the masked loads cannot fault
// past the row's end.
//
// Registers: DI, R8 and SI walk dst, src and res row by row; R10 counts
// rows, R11 holds cols, CX indexes columns; R12, R13 and BX point at bias,
// scale and shift; Z1, Z2, Z3 hold the row's bias, scale and shift; Z0 is
// zero and Z5 one.
TEXT ·epilogueAVX512(SB), NOSPLIT, $0-81
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), R8
	MOVQ    res+24(FP), SI
	MOVQ    cols+48(FP), R11
	MOVQ    bias+56(FP), R12
	MOVQ    scale+64(FP), R13
	MOVQ    shift+72(FP), BX
	MOVBLZX relu+80(FP), AX
	VPXORD  Z0, Z0, Z0
	MOVL    $0x3f800000, DX
	VMOVD   DX, X5
	VBROADCASTSS X5, Z5
	XORQ    R10, R10

row:
	CMPQ R10, rows+40(FP)
	JGE  done
	VPXORD Z1, Z1, Z1
	TESTQ R12, R12
	JZ    nobias
	VBROADCASTSS (R12)(R10*4), Z1

nobias:
	VMOVUPS Z5, Z2
	VPXORD  Z3, Z3, Z3
	TESTQ   R13, R13
	JZ      noaffine
	VBROADCASTSS (R13)(R10*4), Z2
	VBROADCASTSS (BX)(R10*4), Z3

noaffine:
	XORQ CX, CX

col16:
	LEAQ 16(CX), DX
	CMPQ DX, R11
	JGT  tail
	VMOVUPS (R8)(CX*4), Z4
	VADDPS  Z1, Z4, Z4
	TESTQ   SI, SI
	JZ      affine16
	VADDPS  (SI)(CX*4), Z4, Z4

affine16:
	VMULPS Z2, Z4, Z4
	VADDPS Z3, Z4, Z4
	TESTQ  AX, AX
	JZ     store16
	VMAXPS Z4, Z0, Z4

store16:
	VMOVUPS Z4, (DI)(CX*4)
	MOVQ    DX, CX
	JMP     col16

tail:
	// K1 selects the cols−CX < 16 values left.
	MOVQ R11, DX
	SUBQ CX, DX
	JLE  nextrow
	MOVQ CX, R9
	MOVQ DX, CX
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	MOVQ R9, CX
	KMOVW DX, K1
	VMOVUPS.Z (R8)(CX*4), K1, Z4
	VADDPS    Z1, Z4, Z4
	TESTQ     SI, SI
	JZ        affinet
	VMOVUPS.Z (SI)(CX*4), K1, Z6
	VADDPS    Z6, Z4, Z4

affinet:
	VMULPS Z2, Z4, Z4
	VADDPS Z3, Z4, Z4
	TESTQ  AX, AX
	JZ     storet
	VMAXPS Z4, Z0, Z4

storet:
	VMOVUPS Z4, K1, (DI)(CX*4)

nextrow:
	MOVQ ld+16(FP), DX
	SHLQ $2, DX
	ADDQ DX, DI
	ADDQ DX, R8
	TESTQ SI, SI
	JZ    noresrow
	MOVQ  ldr+32(FP), DX
	SHLQ  $2, DX
	ADDQ  DX, SI

noresrow:
	INCQ R10
	JMP  row

done:
	VZEROUPPER
	RET
