//go:build amd64 && !purego

#include "textflag.h"

// The VPERMT2PS indices that pick the even and the odd values of two ZMM
// registers.
DATA splitIdx<>+0(SB)/4, $0
DATA splitIdx<>+4(SB)/4, $2
DATA splitIdx<>+8(SB)/4, $4
DATA splitIdx<>+12(SB)/4, $6
DATA splitIdx<>+16(SB)/4, $8
DATA splitIdx<>+20(SB)/4, $10
DATA splitIdx<>+24(SB)/4, $12
DATA splitIdx<>+28(SB)/4, $14
DATA splitIdx<>+32(SB)/4, $16
DATA splitIdx<>+36(SB)/4, $18
DATA splitIdx<>+40(SB)/4, $20
DATA splitIdx<>+44(SB)/4, $22
DATA splitIdx<>+48(SB)/4, $24
DATA splitIdx<>+52(SB)/4, $26
DATA splitIdx<>+56(SB)/4, $28
DATA splitIdx<>+60(SB)/4, $30
DATA splitIdx<>+64(SB)/4, $1
DATA splitIdx<>+68(SB)/4, $3
DATA splitIdx<>+72(SB)/4, $5
DATA splitIdx<>+76(SB)/4, $7
DATA splitIdx<>+80(SB)/4, $9
DATA splitIdx<>+84(SB)/4, $11
DATA splitIdx<>+88(SB)/4, $13
DATA splitIdx<>+92(SB)/4, $15
DATA splitIdx<>+96(SB)/4, $17
DATA splitIdx<>+100(SB)/4, $19
DATA splitIdx<>+104(SB)/4, $21
DATA splitIdx<>+108(SB)/4, $23
DATA splitIdx<>+112(SB)/4, $25
DATA splitIdx<>+116(SB)/4, $27
DATA splitIdx<>+120(SB)/4, $29
DATA splitIdx<>+124(SB)/4, $31
GLOBL splitIdx<>(SB), RODATA|NOPTR, $128

// func split2AVX512(even, odd, src *float32, n, rows, srcStride, dstStride int)
//
// For each of rows rows, src's srcStride floats apart and even's and odd's
// dstStride apart: even[i] = src[2i] for 2i < n and odd[i] = src[2i+1] for
// 2i+1 < n, 32 values of src a step, the last step's loads and stores
// masked to the values left (a masked load does not fault past the end).
// R9, R10 and R13 hold the current row's even, odd and src.
TEXT ·split2AVX512(SB), NOSPLIT, $0-56
	MOVQ even+0(FP), R9
	MOVQ odd+8(FP), R10
	MOVQ src+16(FP), R13
	MOVQ rows+32(FP), R14
	MOVQ srcStride+40(FP), R11
	SHLQ $2, R11
	MOVQ dstStride+48(FP), R12
	SHLQ $2, R12
	VMOVUPS splitIdx<>+0(SB), Z8
	VMOVUPS splitIdx<>+64(SB), Z9

row:
	TESTQ R14, R14
	JLE   done
	MOVQ  R9, DI
	MOVQ  R10, DX
	MOVQ  R13, SI
	MOVQ  n+24(FP), BX

loop:
	TESTQ BX, BX
	JLE   nextrow
	// R8 = min(n, 32) values this step; K1, K2 select the loads'
	// values, K3 the evens' and K4 the odds'.
	MOVQ $32, R8
	CMPQ BX, R8
	CMOVQLT BX, R8
	MOVQ R8, CX
	CMPQ CX, $16
	JLE  lo
	MOVQ $16, CX
lo:
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ R8, CX
	SUBQ $16, CX
	JGE  hi
	XORQ CX, CX
hi:
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2
	LEAQ 1(R8), CX
	SHRQ $1, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K3
	MOVQ R8, CX
	SHRQ $1, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K4

	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMOVAPS   Z0, Z2
	VPERMT2PS Z1, Z8, Z2
	VMOVAPS   Z0, Z3
	VPERMT2PS Z1, Z9, Z3
	VMOVUPS   Z2, K3, (DI)
	VMOVUPS   Z3, K4, (DX)
	ADDQ $128, SI
	ADDQ $64, DI
	ADDQ $64, DX
	SUBQ $32, BX
	JMP  loop

nextrow:
	ADDQ R12, R9
	ADDQ R12, R10
	ADDQ R11, R13
	DECQ R14
	JMP  row

done:
	VZEROUPPER
	RET
