//go:build amd64 && !purego

#include "textflag.h"

// winoMask8<>+4·(8−k) is eight lanes of which the first k are all ones:
// the AVX2 transforms' VMASKMOVPS masks.
DATA winoMask8<>+0(SB)/4, $0xffffffff
DATA winoMask8<>+4(SB)/4, $0xffffffff
DATA winoMask8<>+8(SB)/4, $0xffffffff
DATA winoMask8<>+12(SB)/4, $0xffffffff
DATA winoMask8<>+16(SB)/4, $0xffffffff
DATA winoMask8<>+20(SB)/4, $0xffffffff
DATA winoMask8<>+24(SB)/4, $0xffffffff
DATA winoMask8<>+28(SB)/4, $0xffffffff
DATA winoMask8<>+32(SB)/4, $0
DATA winoMask8<>+36(SB)/4, $0
DATA winoMask8<>+40(SB)/4, $0
DATA winoMask8<>+44(SB)/4, $0
DATA winoMask8<>+48(SB)/4, $0
DATA winoMask8<>+52(SB)/4, $0
DATA winoMask8<>+56(SB)/4, $0
DATA winoMask8<>+60(SB)/4, $0
GLOBL winoMask8<>(SB), RODATA|NOPTR, $64

// func winoInAVX2(plane *float32, y0, x0, h, w int, dst *float32, pstride, n, chans, cstride, dstride int)
//
// winoInAVX512 with eight tiles a YMM register: each row's 18 floats
// loaded with VMASKMOVPS (masked to the plane; a masked-off lane does not
// fault), split into even and odd values with VSHUFPS and VPERMPD, Bᵀ d B
// one row of it at a time (sixteen registers hold three rows), and masked
// stores. The four load masks go to the frame, computed once per eight
// tiles, the store mask stays in Y14.
//
// SI is row y0's address at the step's first column xb (R13) in the first
// channel, DI the step's first store there, R11 the row stride in bytes
// and R14 three times it, R12 the rows inside the plane (bit i for row
// y0+i). Over the channels, DX and R8 are the channel's SI and DI, R10
// counts them. cstride and dstride are scaled to bytes in place.
TEXT ·winoInAVX2(SB), NOSPLIT, $128-88
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

loop:
	TESTQ BX, BX
	JLE   done
	MOVQ  $8, R10
	XORL  DX, DX
	// Y14: the first min(n, 8) lanes.
	MOVQ BX, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y14
	// Frame slot 0: lanes [lo, hi) of the load at s = xb+0, lo = −s and
	// hi = w−s clamped to [0, 8].
	MOVQ w+32(FP), CX
	SUBQ R13, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y12
	MOVQ R13, CX
	NEGQ CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y13
	VANDNPS Y12, Y13, Y12
	VMOVUPS Y12, 0(SP)
	// Frame slot 1: lanes [lo, hi) of the load at s = xb+8, lo = −s and
	// hi = w−s clamped to [0, 8].
	MOVQ w+32(FP), CX
	SUBQ R13, CX
	SUBQ $8, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y12
	MOVQ R13, CX
	NEGQ CX
	SUBQ $8, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y13
	VANDNPS Y12, Y13, Y12
	VMOVUPS Y12, 32(SP)
	// Frame slot 2: lanes [lo, hi) of the load at s = xb+2, lo = −s and
	// hi = w−s clamped to [0, 8].
	MOVQ w+32(FP), CX
	SUBQ R13, CX
	SUBQ $2, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y12
	MOVQ R13, CX
	NEGQ CX
	SUBQ $2, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y13
	VANDNPS Y12, Y13, Y12
	VMOVUPS Y12, 64(SP)
	// Frame slot 3: lanes [lo, hi) of the load at s = xb+10, lo = −s and
	// hi = w−s clamped to [0, 8].
	MOVQ w+32(FP), CX
	SUBQ R13, CX
	SUBQ $10, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y12
	MOVQ R13, CX
	NEGQ CX
	SUBQ $10, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y13
	VANDNPS Y12, Y13, Y12
	VMOVUPS Y12, 96(SP)

	MOVQ SI, DX
	MOVQ DI, R8
	MOVQ chans+64(FP), R10

chan:
	// Rows 0 and 2; t0 = d0 − d2.
	BTQ  $0, R12
	JCC  zero0
	VMOVUPS 0(SP), Y12
	VMASKMOVPS (DX), Y12, Y0
	VMOVUPS 32(SP), Y12
	VMASKMOVPS 32(DX), Y12, Y1
	VSHUFPS $0xdd, Y1, Y0, Y13
	VSHUFPS $0x88, Y1, Y0, Y0
	VPERMPD $0xd8, Y0, Y0
	VPERMPD $0xd8, Y13, Y1
	VMOVUPS 64(SP), Y12
	VMASKMOVPS 8(DX), Y12, Y2
	VMOVUPS 96(SP), Y12
	VMASKMOVPS 40(DX), Y12, Y3
	VSHUFPS $0xdd, Y3, Y2, Y13
	VSHUFPS $0x88, Y3, Y2, Y2
	VPERMPD $0xd8, Y2, Y2
	VPERMPD $0xd8, Y13, Y3
	JMP  row0done
zero0:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
row0done:
	BTQ  $2, R12
	JCC  zero2
	VMOVUPS 0(SP), Y12
	VMASKMOVPS (DX)(R11*2), Y12, Y8
	VMOVUPS 32(SP), Y12
	VMASKMOVPS 32(DX)(R11*2), Y12, Y9
	VSHUFPS $0xdd, Y9, Y8, Y13
	VSHUFPS $0x88, Y9, Y8, Y8
	VPERMPD $0xd8, Y8, Y8
	VPERMPD $0xd8, Y13, Y9
	VMOVUPS 64(SP), Y12
	VMASKMOVPS 8(DX)(R11*2), Y12, Y10
	VMOVUPS 96(SP), Y12
	VMASKMOVPS 40(DX)(R11*2), Y12, Y11
	VSHUFPS $0xdd, Y11, Y10, Y13
	VSHUFPS $0x88, Y11, Y10, Y10
	VPERMPD $0xd8, Y10, Y10
	VPERMPD $0xd8, Y13, Y11
	JMP  row2done
zero2:
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
row2done:
	MOVQ R8, AX
	VSUBPS Y8, Y0, Y0
	VSUBPS Y9, Y1, Y1
	VSUBPS Y10, Y2, Y2
	VSUBPS Y11, Y3, Y3
	// positions 0..3: x0−x2, x1+x2, x2−x1, x1−x3
	VSUBPS Y2, Y0, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VADDPS Y2, Y1, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y1, Y2, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y3, Y1, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	// Row 1; t1 = d1 + d2 into Y0-3, t2 = d2 − d1 into Y8-11.
	BTQ  $1, R12
	JCC  zero1
	VMOVUPS 0(SP), Y12
	VMASKMOVPS (DX)(R11*1), Y12, Y4
	VMOVUPS 32(SP), Y12
	VMASKMOVPS 32(DX)(R11*1), Y12, Y5
	VSHUFPS $0xdd, Y5, Y4, Y13
	VSHUFPS $0x88, Y5, Y4, Y4
	VPERMPD $0xd8, Y4, Y4
	VPERMPD $0xd8, Y13, Y5
	VMOVUPS 64(SP), Y12
	VMASKMOVPS 8(DX)(R11*1), Y12, Y6
	VMOVUPS 96(SP), Y12
	VMASKMOVPS 40(DX)(R11*1), Y12, Y7
	VSHUFPS $0xdd, Y7, Y6, Y13
	VSHUFPS $0x88, Y7, Y6, Y6
	VPERMPD $0xd8, Y6, Y6
	VPERMPD $0xd8, Y13, Y7
	JMP  row1done
zero1:
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
row1done:
	VADDPS Y8, Y4, Y0
	VADDPS Y9, Y5, Y1
	VADDPS Y10, Y6, Y2
	VADDPS Y11, Y7, Y3
	// positions 4..7: x0−x2, x1+x2, x2−x1, x1−x3
	VSUBPS Y2, Y0, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VADDPS Y2, Y1, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y1, Y2, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y3, Y1, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y4, Y8, Y8
	VSUBPS Y5, Y9, Y9
	VSUBPS Y6, Y10, Y10
	VSUBPS Y7, Y11, Y11
	// positions 8..11: x0−x2, x1+x2, x2−x1, x1−x3
	VSUBPS Y10, Y8, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VADDPS Y10, Y9, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y9, Y10, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y11, Y9, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	// Row 3 into Y0-3; t3 = d1 − d3 into Y4-7.
	BTQ  $3, R12
	JCC  zero3
	VMOVUPS 0(SP), Y12
	VMASKMOVPS (DX)(R14*1), Y12, Y0
	VMOVUPS 32(SP), Y12
	VMASKMOVPS 32(DX)(R14*1), Y12, Y1
	VSHUFPS $0xdd, Y1, Y0, Y13
	VSHUFPS $0x88, Y1, Y0, Y0
	VPERMPD $0xd8, Y0, Y0
	VPERMPD $0xd8, Y13, Y1
	VMOVUPS 64(SP), Y12
	VMASKMOVPS 8(DX)(R14*1), Y12, Y2
	VMOVUPS 96(SP), Y12
	VMASKMOVPS 40(DX)(R14*1), Y12, Y3
	VSHUFPS $0xdd, Y3, Y2, Y13
	VSHUFPS $0x88, Y3, Y2, Y2
	VPERMPD $0xd8, Y2, Y2
	VPERMPD $0xd8, Y13, Y3
	JMP  row3done
zero3:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
row3done:
	VSUBPS Y0, Y4, Y4
	VSUBPS Y1, Y5, Y5
	VSUBPS Y2, Y6, Y6
	VSUBPS Y3, Y7, Y7
	// positions 12..15: x0−x2, x1+x2, x2−x1, x1−x3
	VSUBPS Y6, Y4, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VADDPS Y6, Y5, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y5, Y6, Y15
	VMASKMOVPS Y15, Y14, (AX)
	ADDQ R9, AX
	VSUBPS Y7, Y5, Y15
	VMASKMOVPS Y15, Y14, (AX)

	ADDQ cstride+72(FP), DX
	ADDQ dstride+80(FP), R8
	DECQ R10
	JNZ  chan

	ADDQ $64, SI
	ADDQ $16, R13
	ADDQ $32, DI
	SUBQ $8, BX
	JMP  loop

done:
	VZEROUPPER
	RET

// func winoOutAVX2(src *float32, pstride int, dst *float32, ld, n, w, rows int)
//
// winoOutAVX512 with eight tiles a YMM register: the 16 positions loaded
// with VMASKMOVPS (masked to the tiles left), Aᵀ M A with adds, each
// output row's two columns interleaved by VUNPCKLPS/VUNPCKHPS and
// VPERM2F128 into 16 outputs, stored masked to the columns left (the two
// store masks in the frame).
TEXT ·winoOutAVX2(SB), NOSPLIT, $64-56
	MOVQ src+0(FP), SI
	MOVQ pstride+8(FP), R9
	SHLQ $2, R9
	LEAQ (R9*4), R11
	LEAQ (R11)(R11*2), R14
	MOVQ dst+16(FP), DI
	MOVQ ld+24(FP), R8
	SHLQ $2, R8
	MOVQ n+32(FP), BX
	MOVQ w+40(FP), R13
	MOVQ $8, R10

loop:
	TESTQ BX, BX
	JLE   done
	XORL  DX, DX
	// Y12: the first min(n, 8) lanes; the frame: the first min(w, 8) and
	// min(w−8, 8) clamped at 0.
	MOVQ BX, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y12
	MOVQ R13, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y13
	VMOVUPS Y13, 0(SP)
	MOVQ R13, CX
	SUBQ $8, CX
	CMPQ CX, DX
	CMOVQLT DX, CX
	CMPQ CX, R10
	CMOVQGT R10, CX
	NEGQ CX
	LEAQ winoMask8<>+32(SB), AX
	VMOVUPS (AX)(CX*4), Y13
	VMOVUPS Y13, 32(SP)

	// Aᵀ M: for each column j, q_j+q_4+j+q_8+j into Y(j) and
	// q_4+j−q_8+j−q_12+j into Y(4+j).
	MOVQ SI, AX
	VMASKMOVPS (AX), Y12, Y8
	VMASKMOVPS (AX)(R11*1), Y12, Y9
	VMASKMOVPS (AX)(R11*2), Y12, Y10
	VMASKMOVPS (AX)(R14*1), Y12, Y11
	VADDPS Y9, Y8, Y0
	VADDPS Y10, Y0, Y0
	VSUBPS Y10, Y9, Y4
	VSUBPS Y11, Y4, Y4
	ADDQ R9, AX
	VMASKMOVPS (AX), Y12, Y8
	VMASKMOVPS (AX)(R11*1), Y12, Y9
	VMASKMOVPS (AX)(R11*2), Y12, Y10
	VMASKMOVPS (AX)(R14*1), Y12, Y11
	VADDPS Y9, Y8, Y1
	VADDPS Y10, Y1, Y1
	VSUBPS Y10, Y9, Y5
	VSUBPS Y11, Y5, Y5
	ADDQ R9, AX
	VMASKMOVPS (AX), Y12, Y8
	VMASKMOVPS (AX)(R11*1), Y12, Y9
	VMASKMOVPS (AX)(R11*2), Y12, Y10
	VMASKMOVPS (AX)(R14*1), Y12, Y11
	VADDPS Y9, Y8, Y2
	VADDPS Y10, Y2, Y2
	VSUBPS Y10, Y9, Y6
	VSUBPS Y11, Y6, Y6
	ADDQ R9, AX
	VMASKMOVPS (AX), Y12, Y8
	VMASKMOVPS (AX)(R11*1), Y12, Y9
	VMASKMOVPS (AX)(R11*2), Y12, Y10
	VMASKMOVPS (AX)(R14*1), Y12, Y11
	VADDPS Y9, Y8, Y3
	VADDPS Y10, Y3, Y3
	VSUBPS Y10, Y9, Y7
	VSUBPS Y11, Y7, Y7

	// Each row's columns x0+x1+x2 and x1−x2−x3: Y8, Y9 for row 0; Y10,
	// Y11 for row 1.
	VADDPS Y1, Y0, Y8
	VADDPS Y2, Y8, Y8
	VSUBPS Y2, Y1, Y9
	VSUBPS Y3, Y9, Y9
	VADDPS Y5, Y4, Y10
	VADDPS Y6, Y10, Y10
	VSUBPS Y6, Y5, Y11
	VSUBPS Y7, Y11, Y11
	VUNPCKLPS Y9, Y8, Y13
	VUNPCKHPS Y9, Y8, Y14
	VPERM2F128 $0x20, Y14, Y13, Y15
	VPERM2F128 $0x31, Y14, Y13, Y13
	VMOVUPS 0(SP), Y14
	VMASKMOVPS Y15, Y14, (DI)
	VMOVUPS 32(SP), Y14
	VMASKMOVPS Y13, Y14, 32(DI)
	CMPQ rows+48(FP), $2
	JLT  next
	VUNPCKLPS Y11, Y10, Y13
	VUNPCKHPS Y11, Y10, Y14
	VPERM2F128 $0x20, Y14, Y13, Y15
	VPERM2F128 $0x31, Y14, Y13, Y13
	VMOVUPS 0(SP), Y14
	VMASKMOVPS Y15, Y14, (DI)(R8*1)
	VMOVUPS 32(SP), Y14
	VMASKMOVPS Y13, Y14, 32(DI)(R8*1)

next:
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $8, BX
	SUBQ $16, R13
	JMP  loop

done:
	VZEROUPPER
	RET
