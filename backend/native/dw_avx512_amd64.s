//go:build amd64 && !purego

#include "textflag.h"

// func dwAVX512(dst, src *float32, offs *int, w *float32, ntaps, n int, bias float32)
//
// dst[i] = bias + Σ_{t<ntaps} w[t]·src[offs[t]+i] for i < n (a dwFunc): blocks
// of 128 values in Z0..Z7 while n allows, then one block of one to four
// registers for the rest, which may run up to 15 values past n. Each tap
// broadcasts its weight into Z8 and issues one FMA per register, reading
// src directly; Z9 holds the bias.
TEXT ·dwAVX512(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ offs+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ ntaps+32(FP), R10
	MOVQ n+40(FP), CX
	VBROADCASTSS bias+48(FP), Z9

next:
	CMPQ CX, $128
	JGE  block8
	CMPQ CX, $48
	JGT  block4
	CMPQ CX, $32
	JGT  block3
	CMPQ CX, $16
	JGT  block2
	CMPQ CX, $0
	JGT  block1
	JMP  done

block8:
	VMOVAPS Z9, Z0
	VMOVAPS Z9, Z1
	VMOVAPS Z9, Z2
	VMOVAPS Z9, Z3
	VMOVAPS Z9, Z4
	VMOVAPS Z9, Z5
	VMOVAPS Z9, Z6
	VMOVAPS Z9, Z7
	XORQ BX, BX
block8taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z8
	VFMADD231PS (DX), Z8, Z0
	VFMADD231PS 64(DX), Z8, Z1
	VFMADD231PS 128(DX), Z8, Z2
	VFMADD231PS 192(DX), Z8, Z3
	VFMADD231PS 256(DX), Z8, Z4
	VFMADD231PS 320(DX), Z8, Z5
	VFMADD231PS 384(DX), Z8, Z6
	VFMADD231PS 448(DX), Z8, Z7
	INCQ BX
	CMPQ BX, R10
	JLT  block8taps
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	ADDQ $512, DI
	ADDQ $512, SI
	SUBQ $128, CX
	JMP  next

block4:
	VMOVAPS Z9, Z0
	VMOVAPS Z9, Z1
	VMOVAPS Z9, Z2
	VMOVAPS Z9, Z3
	XORQ BX, BX
block4taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z8
	VFMADD231PS (DX), Z8, Z0
	VFMADD231PS 64(DX), Z8, Z1
	VFMADD231PS 128(DX), Z8, Z2
	VFMADD231PS 192(DX), Z8, Z3
	INCQ BX
	CMPQ BX, R10
	JLT  block4taps
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, DI
	ADDQ $256, SI
	SUBQ $64, CX
	JMP  next

block3:
	VMOVAPS Z9, Z0
	VMOVAPS Z9, Z1
	VMOVAPS Z9, Z2
	XORQ BX, BX
block3taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z8
	VFMADD231PS (DX), Z8, Z0
	VFMADD231PS 64(DX), Z8, Z1
	VFMADD231PS 128(DX), Z8, Z2
	INCQ BX
	CMPQ BX, R10
	JLT  block3taps
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	ADDQ $192, DI
	ADDQ $192, SI
	SUBQ $48, CX
	JMP  next

block2:
	VMOVAPS Z9, Z0
	VMOVAPS Z9, Z1
	XORQ BX, BX
block2taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z8
	VFMADD231PS (DX), Z8, Z0
	VFMADD231PS 64(DX), Z8, Z1
	INCQ BX
	CMPQ BX, R10
	JLT  block2taps
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $128, DI
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  next

block1:
	VMOVAPS Z9, Z0
	XORQ BX, BX
block1taps:
	MOVQ (R8)(BX*8), AX
	LEAQ (SI)(AX*4), DX
	VBROADCASTSS (R9)(BX*4), Z8
	VFMADD231PS (DX), Z8, Z0
	INCQ BX
	CMPQ BX, R10
	JLT  block1taps
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  next

done:
	VZEROUPPER
	RET
