//go:build amd64 && !purego

#include "textflag.h"

// The VPERMT2PS indices: winoIdx+0 picks the even values of two ZMM
// registers, +64 the odd ones; +128 interleaves the low halves of two
// registers, +192 their high halves.
DATA winoIdx<>+0(SB)/4, $0
DATA winoIdx<>+4(SB)/4, $2
DATA winoIdx<>+8(SB)/4, $4
DATA winoIdx<>+12(SB)/4, $6
DATA winoIdx<>+16(SB)/4, $8
DATA winoIdx<>+20(SB)/4, $10
DATA winoIdx<>+24(SB)/4, $12
DATA winoIdx<>+28(SB)/4, $14
DATA winoIdx<>+32(SB)/4, $16
DATA winoIdx<>+36(SB)/4, $18
DATA winoIdx<>+40(SB)/4, $20
DATA winoIdx<>+44(SB)/4, $22
DATA winoIdx<>+48(SB)/4, $24
DATA winoIdx<>+52(SB)/4, $26
DATA winoIdx<>+56(SB)/4, $28
DATA winoIdx<>+60(SB)/4, $30
DATA winoIdx<>+64(SB)/4, $1
DATA winoIdx<>+68(SB)/4, $3
DATA winoIdx<>+72(SB)/4, $5
DATA winoIdx<>+76(SB)/4, $7
DATA winoIdx<>+80(SB)/4, $9
DATA winoIdx<>+84(SB)/4, $11
DATA winoIdx<>+88(SB)/4, $13
DATA winoIdx<>+92(SB)/4, $15
DATA winoIdx<>+96(SB)/4, $17
DATA winoIdx<>+100(SB)/4, $19
DATA winoIdx<>+104(SB)/4, $21
DATA winoIdx<>+108(SB)/4, $23
DATA winoIdx<>+112(SB)/4, $25
DATA winoIdx<>+116(SB)/4, $27
DATA winoIdx<>+120(SB)/4, $29
DATA winoIdx<>+124(SB)/4, $31
DATA winoIdx<>+128(SB)/4, $0
DATA winoIdx<>+132(SB)/4, $16
DATA winoIdx<>+136(SB)/4, $1
DATA winoIdx<>+140(SB)/4, $17
DATA winoIdx<>+144(SB)/4, $2
DATA winoIdx<>+148(SB)/4, $18
DATA winoIdx<>+152(SB)/4, $3
DATA winoIdx<>+156(SB)/4, $19
DATA winoIdx<>+160(SB)/4, $4
DATA winoIdx<>+164(SB)/4, $20
DATA winoIdx<>+168(SB)/4, $5
DATA winoIdx<>+172(SB)/4, $21
DATA winoIdx<>+176(SB)/4, $6
DATA winoIdx<>+180(SB)/4, $22
DATA winoIdx<>+184(SB)/4, $7
DATA winoIdx<>+188(SB)/4, $23
DATA winoIdx<>+192(SB)/4, $8
DATA winoIdx<>+196(SB)/4, $24
DATA winoIdx<>+200(SB)/4, $9
DATA winoIdx<>+204(SB)/4, $25
DATA winoIdx<>+208(SB)/4, $10
DATA winoIdx<>+212(SB)/4, $26
DATA winoIdx<>+216(SB)/4, $11
DATA winoIdx<>+220(SB)/4, $27
DATA winoIdx<>+224(SB)/4, $12
DATA winoIdx<>+228(SB)/4, $28
DATA winoIdx<>+232(SB)/4, $13
DATA winoIdx<>+236(SB)/4, $29
DATA winoIdx<>+240(SB)/4, $14
DATA winoIdx<>+244(SB)/4, $30
DATA winoIdx<>+248(SB)/4, $15
DATA winoIdx<>+252(SB)/4, $31
GLOBL winoIdx<>(SB), RODATA|NOPTR, $256

// func winoInAVX512(plane *float32, y0, x0, h, w int, dst *float32, pstride, n, chans, cstride, dstride int)
//
// The input transform of n tiles along a tile row (winoInGo is its twin):
// the first tile's 4×4 patch starts at row y0 and column x0 of the h×w
// plane (either may be negative: values outside the plane are the
// convolution's zero padding), dst is the first tile's column in the
// panel of position 0, position p's panel pstride floats on. Sixteen
// tiles a step: each of the four rows' 34 floats loaded masked to the
// plane (a masked load does not fault past its ends; rows outside it are
// zeros), split into the patches' columns d0..d3 (even and odd values at
// offsets 0 and 2) by permutes, then Bᵀ d B with adds, and one store per
// position, masked to the n tiles; the step repeats for chans channels,
// their planes cstride floats apart and their panels' rows dstride.
//
// SI is row y0's address at the step's first column xb (R13) in the first
// channel, DI the step's first store there, R11 the row stride in bytes
// and R14 three times it, R12 the rows inside the plane (bit i for row
// y0+i); K2-K5 mask the loads at columns xb, xb+16, xb+2 and xb+18. Over
// the channels, DX and R8 are the channel's SI and DI, R10 counts them.
// cstride and dstride are scaled to bytes in place.
TEXT ·winoInAVX512(SB), NOSPLIT, $0-88
	MOVQ cstride+72(FP), AX
	SHLQ $2, AX
	MOVQ AX, cstride+72(FP)
	MOVQ dstride+80(FP), AX
	SHLQ $2, AX
	MOVQ AX, dstride+80(FP)
	MOVQ plane+0(FP), SI
	MOVQ y0+8(FP), DX
	MOVQ x0+16(FP), R13
	MOVQ w+32(FP), R8
	MOVQ R8, R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R14
	MOVQ DX, AX
	IMULQ R11, AX
	ADDQ AX, SI
	LEAQ (SI)(R13*4), SI
	MOVQ dst+40(FP), DI
	MOVQ pstride+48(FP), R9
	SHLQ $2, R9
	MOVQ n+56(FP), BX
	MOVQ $16, R10
	// R12: bit i set when 0 ≤ y0+i < h.
	XORQ R12, R12
	MOVQ h+24(FP), CX
	CMPQ DX, $0
	JLT  out0
	CMPQ DX, CX
	JGE  out0
	ORQ  $1, R12
out0:
	INCQ DX
	CMPQ DX, $0
	JLT  out1
	CMPQ DX, CX
	JGE  out1
	ORQ  $2, R12
out1:
	INCQ DX
	CMPQ DX, $0
	JLT  out2
	CMPQ DX, CX
	JGE  out2
	ORQ  $4, R12
out2:
	INCQ DX
	CMPQ DX, $0
	JLT  out3
	CMPQ DX, CX
	JGE  out3
	ORQ  $8, R12
out3:
	INCQ DX
	VMOVUPS winoIdx<>+0(SB), Z30
	VMOVUPS winoIdx<>+64(SB), Z31

loop:
	TESTQ BX, BX
	JLE   done
	MOVQ  w+32(FP), R8
	MOVQ  $16, R10
	// K1 selects min(n, 16) tiles.
	MOVQ $16, CX
	CMPQ BX, CX
	CMOVQLT BX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1

	// The load masks: all ones when the 34 columns are inside the plane.
	TESTQ R13, R13
	JLT   edge
	LEAQ  34(R13), CX
	CMPQ  CX, R8
	JGT   edge
	MOVL  $0xffff, AX
	KMOVW AX, K2
	KMOVW AX, K3
	KMOVW AX, K4
	KMOVW AX, K5
	JMP   rows

edge:
	// K2: lanes [lo, hi) of the load at s = xb+0, lo = clamp(−s),
	// hi = clamp(w−s), clamped to [0, 16].
	MOVQ R8, CX
	SUBQ R13, CX
	XORL DX, DX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	MOVQ R13, CX
	NEGQ CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	NOTL DX
	ANDL DX, AX
	KMOVW AX, K2
	// K3: lanes [lo, hi) of the load at s = xb+16, lo = clamp(−s),
	// hi = clamp(w−s), clamped to [0, 16].
	MOVQ R8, CX
	SUBQ R13, CX
	SUBQ $16, CX
	XORL DX, DX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	MOVQ R13, CX
	NEGQ CX
	SUBQ $16, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	NOTL DX
	ANDL DX, AX
	KMOVW AX, K3
	// K4: lanes [lo, hi) of the load at s = xb+2, lo = clamp(−s),
	// hi = clamp(w−s), clamped to [0, 16].
	MOVQ R8, CX
	SUBQ R13, CX
	SUBQ $2, CX
	XORL DX, DX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	MOVQ R13, CX
	NEGQ CX
	SUBQ $2, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	NOTL DX
	ANDL DX, AX
	KMOVW AX, K4
	// K5: lanes [lo, hi) of the load at s = xb+18, lo = clamp(−s),
	// hi = clamp(w−s), clamped to [0, 16].
	MOVQ R8, CX
	SUBQ R13, CX
	SUBQ $18, CX
	XORL DX, DX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	MOVQ R13, CX
	NEGQ CX
	SUBQ $18, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	NOTL DX
	ANDL DX, AX
	KMOVW AX, K5

rows:
	MOVQ SI, DX
	MOVQ DI, R8
	MOVQ chans+64(FP), R10

chan:
	// Z(4i+j) = column j of row i of the 16 patches.
	BTQ  $0, R12
	JCC  zero0
	VMOVUPS.Z (DX), K2, Z0
	VMOVUPS.Z 64(DX), K3, Z20
	VMOVUPS.Z 8(DX), K4, Z2
	VMOVUPS.Z 72(DX), K5, Z21
	VMOVAPS Z0, Z1
	VPERMT2PS Z20, Z30, Z0
	VPERMT2PS Z20, Z31, Z1
	VMOVAPS Z2, Z3
	VPERMT2PS Z21, Z30, Z2
	VPERMT2PS Z21, Z31, Z3
	JMP  row0done
zero0:
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
row0done:
	BTQ  $1, R12
	JCC  zero1
	VMOVUPS.Z (DX)(R11*1), K2, Z4
	VMOVUPS.Z 64(DX)(R11*1), K3, Z20
	VMOVUPS.Z 8(DX)(R11*1), K4, Z6
	VMOVUPS.Z 72(DX)(R11*1), K5, Z21
	VMOVAPS Z4, Z5
	VPERMT2PS Z20, Z30, Z4
	VPERMT2PS Z20, Z31, Z5
	VMOVAPS Z6, Z7
	VPERMT2PS Z21, Z30, Z6
	VPERMT2PS Z21, Z31, Z7
	JMP  row1done
zero1:
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
row1done:
	BTQ  $2, R12
	JCC  zero2
	VMOVUPS.Z (DX)(R11*2), K2, Z8
	VMOVUPS.Z 64(DX)(R11*2), K3, Z20
	VMOVUPS.Z 8(DX)(R11*2), K4, Z10
	VMOVUPS.Z 72(DX)(R11*2), K5, Z21
	VMOVAPS Z8, Z9
	VPERMT2PS Z20, Z30, Z8
	VPERMT2PS Z20, Z31, Z9
	VMOVAPS Z10, Z11
	VPERMT2PS Z21, Z30, Z10
	VPERMT2PS Z21, Z31, Z11
	JMP  row2done
zero2:
	VXORPS Z8, Z8, Z8
	VXORPS Z9, Z9, Z9
	VXORPS Z10, Z10, Z10
	VXORPS Z11, Z11, Z11
row2done:
	BTQ  $3, R12
	JCC  zero3
	VMOVUPS.Z (DX)(R14*1), K2, Z12
	VMOVUPS.Z 64(DX)(R14*1), K3, Z20
	VMOVUPS.Z 8(DX)(R14*1), K4, Z14
	VMOVUPS.Z 72(DX)(R14*1), K5, Z21
	VMOVAPS Z12, Z13
	VPERMT2PS Z20, Z30, Z12
	VPERMT2PS Z20, Z31, Z13
	VMOVAPS Z14, Z15
	VPERMT2PS Z21, Z30, Z14
	VPERMT2PS Z21, Z31, Z15
	JMP  row3done
zero3:
	VXORPS Z12, Z12, Z12
	VXORPS Z13, Z13, Z13
	VXORPS Z14, Z14, Z14
	VXORPS Z15, Z15, Z15
row3done:

	// Bᵀ d: rows d0−d2, d1+d2, d2−d1, d1−d3 into Z0-3, Z4-7, Z16-19, Z12-15.
	VSUBPS Z8, Z0, Z0
	VSUBPS Z12, Z4, Z12
	VSUBPS Z4, Z8, Z16
	VADDPS Z8, Z4, Z4
	VSUBPS Z9, Z1, Z1
	VSUBPS Z13, Z5, Z13
	VSUBPS Z5, Z9, Z17
	VADDPS Z9, Z5, Z5
	VSUBPS Z10, Z2, Z2
	VSUBPS Z14, Z6, Z14
	VSUBPS Z6, Z10, Z18
	VADDPS Z10, Z6, Z6
	VSUBPS Z11, Z3, Z3
	VSUBPS Z15, Z7, Z15
	VSUBPS Z7, Z11, Z19
	VADDPS Z11, Z7, Z7

	// (Bᵀ d) B: each row's columns x0−x2, x1+x2, x2−x1, x1−x3, stored at
	// positions 4i..4i+3.
	MOVQ R8, AX
	VSUBPS Z2, Z0, Z20
	VADDPS Z2, Z1, Z21
	VSUBPS Z1, Z2, Z22
	VSUBPS Z3, Z1, Z23
	VMOVUPS Z20, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z21, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z22, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z23, K1, (AX)
	ADDQ R9, AX
	VSUBPS Z6, Z4, Z20
	VADDPS Z6, Z5, Z21
	VSUBPS Z5, Z6, Z22
	VSUBPS Z7, Z5, Z23
	VMOVUPS Z20, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z21, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z22, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z23, K1, (AX)
	ADDQ R9, AX
	VSUBPS Z18, Z16, Z20
	VADDPS Z18, Z17, Z21
	VSUBPS Z17, Z18, Z22
	VSUBPS Z19, Z17, Z23
	VMOVUPS Z20, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z21, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z22, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z23, K1, (AX)
	ADDQ R9, AX
	VSUBPS Z14, Z12, Z20
	VADDPS Z14, Z13, Z21
	VSUBPS Z13, Z14, Z22
	VSUBPS Z15, Z13, Z23
	VMOVUPS Z20, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z21, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z22, K1, (AX)
	ADDQ R9, AX
	VMOVUPS Z23, K1, (AX)

	ADDQ cstride+72(FP), DX
	ADDQ dstride+80(FP), R8
	DECQ R10
	JNZ  chan

	ADDQ $128, SI
	ADDQ $32, R13
	ADDQ $64, DI
	SUBQ $16, BX
	JMP  loop

done:
	VZEROUPPER
	RET

// func winoOutAVX512(src *float32, pstride int, dst *float32, ld, n, w, rows int)
//
// The output transform of n tiles along a tile row (winoOutGo is its
// twin): src is the first tile's value in the GEMM result of position 0,
// position p's pstride floats on; dst is the first output, the second
// output row ld floats on. It writes the first w columns (w ≤ 2n) of
// rows rows (1 or 2) of Aᵀ M A, sixteen tiles a step: masked loads of the
// 16 positions, adds, and the two columns of each output row interleaved
// by permutes into 32 values, stored masked to the columns left.
TEXT ·winoOutAVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ pstride+8(FP), R9
	SHLQ $2, R9
	MOVQ dst+16(FP), DI
	MOVQ ld+24(FP), R8
	SHLQ $2, R8
	MOVQ n+32(FP), BX
	MOVQ w+40(FP), DX
	MOVQ rows+48(FP), R10
	VMOVUPS winoIdx<>+128(SB), Z30
	VMOVUPS winoIdx<>+192(SB), Z31

loop:
	TESTQ BX, BX
	JLE   done
	// K1 selects min(n, 16) tiles; K2 and K3 the low and high 16 of
	// min(w, 32) columns.
	MOVQ $16, CX
	CMPQ BX, CX
	CMOVQLT BX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ $32, CX
	CMPQ DX, CX
	CMOVQLT DX, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K2
	SHRQ $16, AX
	KMOVW AX, K3

	// Z(p) = M_p of the 16 tiles.
	MOVQ SI, AX
	VMOVUPS.Z (AX), K1, Z0
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z1
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z2
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z3
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z4
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z5
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z6
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z7
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z8
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z9
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z10
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z11
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z12
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z13
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z14
	ADDQ R9, AX
	VMOVUPS.Z (AX), K1, Z15

	// Aᵀ M: rows q0+q1+q2 into Z0-3 and q1−q2−q3 into Z4-7.
	VADDPS Z4, Z0, Z0
	VADDPS Z8, Z0, Z0
	VSUBPS Z8, Z4, Z4
	VSUBPS Z12, Z4, Z4
	VADDPS Z5, Z1, Z1
	VADDPS Z9, Z1, Z1
	VSUBPS Z9, Z5, Z5
	VSUBPS Z13, Z5, Z5
	VADDPS Z6, Z2, Z2
	VADDPS Z10, Z2, Z2
	VSUBPS Z10, Z6, Z6
	VSUBPS Z14, Z6, Z6
	VADDPS Z7, Z3, Z3
	VADDPS Z11, Z3, Z3
	VSUBPS Z11, Z7, Z7
	VSUBPS Z15, Z7, Z7

	// Each row's columns x0+x1+x2 and x1−x2−x3 (Z16, Z17 for row 0; Z18,
	// Z19 for row 1), interleaved into 32 outputs.
	VADDPS Z1, Z0, Z16
	VADDPS Z2, Z16, Z16
	VSUBPS Z2, Z1, Z17
	VSUBPS Z3, Z17, Z17
	VADDPS Z5, Z4, Z18
	VADDPS Z6, Z18, Z18
	VSUBPS Z6, Z5, Z19
	VSUBPS Z7, Z19, Z19
	VMOVAPS Z16, Z20
	VPERMT2PS Z17, Z30, Z20
	VPERMT2PS Z17, Z31, Z16
	VMOVUPS Z20, K2, (DI)
	VMOVUPS Z16, K3, 64(DI)
	CMPQ R10, $2
	JLT  next
	VMOVAPS Z18, Z21
	VPERMT2PS Z19, Z30, Z21
	VPERMT2PS Z19, Z31, Z18
	VMOVUPS Z21, K2, (DI)(R8*1)
	VMOVUPS Z18, K3, 64(DI)(R8*1)

next:
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $16, BX
	SUBQ $32, DX
	JMP  loop

done:
	VZEROUPPER
	RET
