//go:build amd64 && !purego

#include "textflag.h"

// func dwAVX2(dst, src *float32, offs *int, w *float32, ntaps, n int, bias float32)
//
// dst[i] = bias + Σ_{t<ntaps} w[t]·src[offs[t]+i] for i < n (a dwFunc): blocks
// of 64 values in Y0..Y7 while n allows, then one block of one to four
// registers for the rest, which may run up to 7 values past n. Each tap
// broadcasts its weight into Y8 and issues one FMA per register, reading
// src directly; Y9 holds the bias.
TEXT ·dwAVX2(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ offs+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ ntaps+32(FP), R10
	MOVQ n+40(FP), CX
	VBROADCASTSS bias+48(FP), Y9

next:
	CMPQ CX, $64
	JGE  block8
	CMPQ CX, $24
	JGT  block4
	CMPQ CX, $16
	JGT  block3
	CMPQ CX, $8
	JGT  block2
	CMPQ CX, $0
	JGT  block1
	JMP  done

block8:
	VMOVAPS Y9, Y0
	VMOVAPS Y9, Y1
	VMOVAPS Y9, Y2
	VMOVAPS Y9, Y3
	VMOVAPS Y9, Y4
	VMOVAPS Y9, Y5
	VMOVAPS Y9, Y6
	VMOVAPS Y9, Y7
	XORQ BX, BX
block8taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Y8
	VFMADD231PS (DX), Y8, Y0
	VFMADD231PS 32(DX), Y8, Y1
	VFMADD231PS 64(DX), Y8, Y2
	VFMADD231PS 96(DX), Y8, Y3
	VFMADD231PS 128(DX), Y8, Y4
	VFMADD231PS 160(DX), Y8, Y5
	VFMADD231PS 192(DX), Y8, Y6
	VFMADD231PS 224(DX), Y8, Y7
	INCQ BX
	CMPQ BX, R10
	JLT  block8taps
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ $256, DI
	ADDQ $256, SI
	SUBQ $64, CX
	JMP  next

block4:
	VMOVAPS Y9, Y0
	VMOVAPS Y9, Y1
	VMOVAPS Y9, Y2
	VMOVAPS Y9, Y3
	XORQ BX, BX
block4taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Y8
	VFMADD231PS (DX), Y8, Y0
	VFMADD231PS 32(DX), Y8, Y1
	VFMADD231PS 64(DX), Y8, Y2
	VFMADD231PS 96(DX), Y8, Y3
	INCQ BX
	CMPQ BX, R10
	JLT  block4taps
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  next

block3:
	VMOVAPS Y9, Y0
	VMOVAPS Y9, Y1
	VMOVAPS Y9, Y2
	XORQ BX, BX
block3taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Y8
	VFMADD231PS (DX), Y8, Y0
	VFMADD231PS 32(DX), Y8, Y1
	VFMADD231PS 64(DX), Y8, Y2
	INCQ BX
	CMPQ BX, R10
	JLT  block3taps
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	ADDQ $96, DI
	ADDQ $96, SI
	SUBQ $24, CX
	JMP  next

block2:
	VMOVAPS Y9, Y0
	VMOVAPS Y9, Y1
	XORQ BX, BX
block2taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Y8
	VFMADD231PS (DX), Y8, Y0
	VFMADD231PS 32(DX), Y8, Y1
	INCQ BX
	CMPQ BX, R10
	JLT  block2taps
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, DI
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  next

block1:
	VMOVAPS Y9, Y0
	XORQ BX, BX
block1taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Y8
	VFMADD231PS (DX), Y8, Y0
	INCQ BX
	CMPQ BX, R10
	JLT  block1taps
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  next

done:
	VZEROUPPER
	RET
