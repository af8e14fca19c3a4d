//go:build amd64 && !purego

#include "textflag.h"

// func maxPool3s2AVX512(dst, src *float32, n, rows, stride int)
//
// maxPool3s2AVX2 (gather_amd64.s) sixteen outputs a step: the minima of
// the negated rows, of column pairs, then of the pairs' even and odd
// lanes, picked in order across two ZMM by VPERMI2PS. When n is an odd
// multiple of 8, the last eight go to maxPool3s2AVX2. ResNet's stem pool
// (64 planes of 112×112, one thread, interleaved) took 0.32-0.49 ms with
// it where the AVX2 kernel took 0.38-0.56: reading the planes from L3
// bounds it more than the arithmetic does.

// evens<> and odds<> are the lanes VPERMI2PS takes from a pair of ZMM.
DATA evens<>+0(SB)/4, $0
DATA evens<>+4(SB)/4, $2
DATA evens<>+8(SB)/4, $4
DATA evens<>+12(SB)/4, $6
DATA evens<>+16(SB)/4, $8
DATA evens<>+20(SB)/4, $10
DATA evens<>+24(SB)/4, $12
DATA evens<>+28(SB)/4, $14
DATA evens<>+32(SB)/4, $16
DATA evens<>+36(SB)/4, $18
DATA evens<>+40(SB)/4, $20
DATA evens<>+44(SB)/4, $22
DATA evens<>+48(SB)/4, $24
DATA evens<>+52(SB)/4, $26
DATA evens<>+56(SB)/4, $28
DATA evens<>+60(SB)/4, $30
GLOBL evens<>(SB), RODATA|NOPTR, $64
DATA odds<>+0(SB)/4, $1
DATA odds<>+4(SB)/4, $3
DATA odds<>+8(SB)/4, $5
DATA odds<>+12(SB)/4, $7
DATA odds<>+16(SB)/4, $9
DATA odds<>+20(SB)/4, $11
DATA odds<>+24(SB)/4, $13
DATA odds<>+28(SB)/4, $15
DATA odds<>+32(SB)/4, $17
DATA odds<>+36(SB)/4, $19
DATA odds<>+40(SB)/4, $21
DATA odds<>+44(SB)/4, $23
DATA odds<>+48(SB)/4, $25
DATA odds<>+52(SB)/4, $27
DATA odds<>+56(SB)/4, $29
DATA odds<>+60(SB)/4, $31
GLOBL odds<>(SB), RODATA|NOPTR, $64

// GOMINZ is gather_amd64.s's GOMIN for ZMM, where the OR is an integer
// one (VORPS on ZMM needs AVX512DQ).
#define GOMINZ(x, acc, t) \
	VMINPS x, acc, t; \
	VMINPS acc, t, acc; \
	VPORD  t, acc, acc

TEXT ·maxPool3s2AVX512(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         rows+24(FP), DX
	MOVQ         stride+32(FP), R8
	SHLQ         $2, R8
	MOVL         $0x80000000, AX
	VPBROADCASTD AX, Z15
	VMOVUPS      evens<>(SB), Z13
	VMOVUPS      odds<>(SB), Z14
	MOVQ         CX, BX
	SHRQ         $4, CX
	JZ           tail

loop:
	VPXORD (SI), Z15, Z0
	VPXORD 64(SI), Z15, Z1
	VPXORD 4(SI), Z15, Z2
	VPXORD 68(SI), Z15, Z3
	MOVQ   SI, R9
	MOVQ   DX, R10

row:
	DECQ   R10
	JZ     columns
	ADDQ   R8, R9
	VPXORD (R9), Z15, Z4
	VPXORD 64(R9), Z15, Z5
	VPXORD 4(R9), Z15, Z6
	VPXORD 68(R9), Z15, Z7
	GOMINZ(Z4, Z0, Z8)
	GOMINZ(Z5, Z1, Z9)
	GOMINZ(Z6, Z2, Z10)
	GOMINZ(Z7, Z3, Z11)
	JMP    row

columns:
	GOMINZ(Z2, Z0, Z8)
	GOMINZ(Z3, Z1, Z9)
	VMOVAPS   Z13, Z4
	VPERMI2PS Z1, Z0, Z4
	VMOVAPS   Z14, Z5
	VPERMI2PS Z1, Z0, Z5
	GOMINZ(Z5, Z4, Z8)
	VPXORD    Z15, Z4, Z4
	VMOVUPS   Z4, (DI)
	ADDQ      $128, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       loop

tail:
	ANDQ       $15, BX
	JZ         done
	MOVQ       DI, dst+0(FP)
	MOVQ       SI, src+8(FP)
	MOVQ       BX, n+16(FP)
	VZEROUPPER
	JMP        ·maxPool3s2AVX2(SB)

done:
	VZEROUPPER
	RET
