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

// func gather2SpanAVX512(dst, src *float32, n, x0, ow, lo, hi, srcStride int)
//
// Writes n values of a stride-2 im2col row's span to dst, output rows of
// ow values from column x0 of the first: row r's value j is
// src[r·srcStride+2(j−lo)] for lo ≤ j < hi and 0 for the other j. src is
// the first row's first value read, so the values a chunk reads start
// 2·lo floats before it; they are masked off, and a masked lane is
// neither read nor faults. A step writes 16 values of dst from 32 of src:
// K1 and K2 select the loads' lanes [2a, 2b−1), for the chunk's outputs
// [a, b) that lie in [lo, hi), VPERMT2PS keeps the even ones, and K3
// masks the store to the row's end; chunks well inside [lo, hi) need no
// masks.
//
// Rows up to 64 values long (the 28×28 to 7×7 maps of ResNet's stride-2
// layers) are one to four chunks whose masks, every chunk an edge, are
// the same in every whole row: they are worked out once, into the frame
// (load lanes as two words, then the store's, 8 bytes a chunk; the count
// of chunks after them, 0 for longer rows), and the whole rows go through
// them with no bookkeeping: per 28-value row 2 chunks of 7 instructions
// instead of about 50 in all. Packing all of a layer's im2col rows (one
// thread, interleaved in alternating order) took 0.77–0.82 of the time
// it did before for resnet50's 3×3/2 layer to 28×28 and 0.91–0.92 to
// 14×14, 0.91–0.96 for its 1×1/2 to 28×28, but 1.06–1.15 for the 1×1/2
// to 14×14.
//
// R9 is where the current row's column 0 would be in dst (before dst for
// the first row when x0 > 0: a register only, never dereferenced), R13
// the row's src, R14 the column the row ends at, R12 j0, the chunk's
// first output; DX is a, CX b. n counts down in its slot.
TEXT ·gather2SpanAVX512(SB), NOSPLIT, $40-64
	MOVQ    dst+0(FP), R9
	MOVQ    src+8(FP), R13
	MOVQ    x0+24(FP), R12
	MOVQ    lo+40(FP), R10
	MOVQ    hi+48(FP), BX
	MOVQ    srcStride+56(FP), R11
	SHLQ    $2, R11
	VMOVUPS splitIdx<>+0(SB), Z8
	MOVQ    R12, AX
	SHLQ    $2, AX
	SUBQ    AX, R9
	// SI's offset from the row's src for chunk j0 is 8(j0−lo) bytes.
	MOVQ    R10, R8
	SHLQ    $3, R8
	NEGQ    R8

	// The whole rows' masks, when a row is at most 4 chunks.
	MOVQ $0, 32(SP)
	MOVQ ow+32(FP), AX
	CMPQ AX, $64
	JGT  row
	ADDQ $15, AX
	SHRQ $4, AX
	MOVQ AX, 32(SP)
	XORQ R14, R14 // chunk c, at j0 = 16c

wholemask:
	// As edge computes them: a = clamp(lo−j0, 0, 16), b = clamp(hi−j0,
	// a, 16), lanes [2a, 2b−1); then min(16, ow−j0) to store.
	MOVQ    R14, R15
	SHLQ    $4, R15
	MOVQ    R10, DX
	SUBQ    R15, DX
	XORQ    AX, AX
	CMPQ    DX, AX
	CMOVQLT AX, DX
	MOVQ    $16, AX
	CMPQ    DX, AX
	CMOVQGT AX, DX
	MOVQ    BX, CX
	SUBQ    R15, CX
	CMPQ    CX, AX
	CMOVQGT AX, CX
	CMPQ    CX, DX
	CMOVQLT DX, CX
	XORQ    AX, AX
	CMPQ    CX, DX
	JEQ     wholestore
	LEAQ    -1(CX)(CX*1), CX
	MOVQ    $1, AX
	SHLQ    CX, AX
	LEAQ    (DX)(DX*1), CX
	MOVQ    $1, DX
	SHLQ    CX, DX
	SUBQ    DX, AX

wholestore:
	MOVL    AX, 0(SP)(R14*8)
	MOVQ    ow+32(FP), CX
	SUBQ    R15, CX
	MOVQ    $16, AX
	CMPQ    CX, AX
	CMOVQGT AX, CX
	MOVQ    $1, AX
	SHLQ    CX, AX
	DECQ    AX
	MOVW    AX, 4(SP)(R14*8)
	INCQ    R14
	CMPQ    R14, 32(SP)
	JLT     wholemask

row:
	// The row covers [R12, R14): R14 = min(ow, R12+n).
	MOVQ    n+16(FP), AX
	TESTQ   AX, AX
	JLE     done
	// A whole row, when its masks are in the frame.
	CMPQ    32(SP), $0
	JEQ     partrow
	TESTQ   R12, R12
	JNZ     partrow
	CMPQ    AX, ow+32(FP)
	JLT     partrow
	MOVQ    R9, DI
	LEAQ    (R13)(R8*1), SI
	XORQ    CX, CX

wholechunk:
	KMOVW     0(SP)(CX*8), K1
	KMOVW     2(SP)(CX*8), K2
	KMOVW     4(SP)(CX*8), K3
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VPERMT2PS Z1, Z8, Z0
	VMOVUPS   Z0, K3, (DI)
	ADDQ      $128, SI
	ADDQ      $64, DI
	INCQ      CX
	CMPQ      CX, 32(SP)
	JLT       wholechunk
	MOVQ      ow+32(FP), AX
	SUBQ      AX, n+16(FP)
	LEAQ      (R9)(AX*4), R9
	ADDQ      R11, R13
	JMP       row

partrow:
	LEAQ    (R12)(AX*1), R14
	MOVQ    ow+32(FP), AX
	CMPQ    R14, AX
	CMOVQGT AX, R14
	MOVQ    R14, AX
	SUBQ    R12, AX
	SUBQ    AX, n+16(FP)
	LEAQ    (R9)(R12*4), DI
	LEAQ    (R13)(R8*1), SI
	LEAQ    (SI)(R12*8), SI

chunk:
	CMPQ R12, R14
	JGE  nextrow
	// Inside the values read and the row, lo ≤ j0, j0+17 ≤ hi (the
	// chunk's last odd value, 2(j0−lo)+31, is at most the last one read,
	// 2(hi−1−lo)) and j0+16 ≤ the row's end: no masks.
	CMPQ      R12, R10
	JLT       edge
	LEAQ      17(R12), AX
	CMPQ      AX, BX
	JGT       edge
	LEAQ      16(R12), AX
	CMPQ      AX, R14
	JGT       edge
	VMOVUPS   (SI), Z0
	VMOVUPS   64(SI), Z1
	VPERMT2PS Z1, Z8, Z0
	VMOVUPS   Z0, (DI)
	JMP       next

edge:
	// a = clamp(lo−j0, 0, 16), b = clamp(hi−j0, a, 16).
	MOVQ    R10, DX
	SUBQ    R12, DX
	XORQ    AX, AX
	CMPQ    DX, AX
	CMOVQLT AX, DX
	MOVQ    $16, AX
	CMPQ    DX, AX
	CMOVQGT AX, DX
	MOVQ    BX, CX
	SUBQ    R12, CX
	CMPQ    CX, AX
	CMOVQGT AX, CX
	CMPQ    CX, DX
	CMOVQLT DX, CX
	// The load lanes [2a, 2b−1) as a 32-bit mask: (2^(2b−1) − 2^(2a)),
	// 0 when b = a.
	XORQ    AX, AX
	CMPQ    CX, DX
	JEQ     masks
	LEAQ    -1(CX)(CX*1), CX
	MOVQ    $1, AX
	SHLQ    CX, AX
	LEAQ    (DX)(DX*1), CX
	MOVQ    $1, DX
	SHLQ    CX, DX
	SUBQ    DX, AX

masks:
	KMOVW AX, K1
	SHRQ  $16, AX
	KMOVW AX, K2
	// K3: min(16, end−j0) values to store.
	MOVQ    R14, CX
	SUBQ    R12, CX
	MOVQ    $16, AX
	CMPQ    CX, AX
	CMOVQGT AX, CX
	MOVQ    $1, AX
	SHLQ    CX, AX
	DECQ    AX
	KMOVW   AX, K3

	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VPERMT2PS Z1, Z8, Z0
	VMOVUPS   Z0, K3, (DI)

next:
	ADDQ $128, SI
	ADDQ $64, DI
	ADDQ $16, R12
	JMP  chunk

nextrow:
	LEAQ (R9)(R14*4), R9
	ADDQ R11, R13
	XORQ R12, R12
	JMP  row

done:
	VZEROUPPER
	RET

// func maxPool3s2RowsAVX512(dst, src *float32, n, rows, stride, orows, dstStride, srcStep int) bool
//
// A 3-wide, stride-2 max pool over whole planes, sixteen outputs a step:
// the column maxima of the rows, split into even and odd columns by
// VPERMT2PS with splitIdx, and the even ones again one column on (VALIGND
// with the next block's first column, which is also the next step's
// start: each column's maximum over the rows is taken once). Masks cover
// the last step's columns, so the kernel reads and writes nothing past
// them.
//
// VRANGEPS takes the maxima, with max's answer for signed zeros in one
// instruction where GOMIN takes three, but it passes over a NaN as IEEE
// maxNum does. So the kernel also sums every value it reads (Z15): a NaN
// among them leaves a NaN in the sum, and the kernel reports false for
// the caller to compute the rows again exactly (as it does for +Inf and
// −Inf in one lane, which sum to NaN too). ResNet's stem pool (64 planes
// of 112×112 from L3, one thread, the three interleaved in rotating
// order, thread CPU time) takes 0.27–0.40 ms, where the row-by-row GOMIN
// kernel it replaces took 0.31–0.52 and the AVX2 one 0.38–0.58.
TEXT ·maxPool3s2RowsAVX512(SB), NOSPLIT, $0-65
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    rows+24(FP), DX
	MOVQ    stride+32(FP), R8
	SHLQ    $2, R8
	MOVQ    orows+40(FP), R11
	MOVQ    dstStride+48(FP), R12
	SHLQ    $2, R12
	MOVQ    srcStep+56(FP), R13
	SHLQ    $2, R13
	VMOVUPS splitIdx<>+0(SB), Z13
	VMOVUPS splitIdx<>+64(SB), Z14
	VPXORD  Z15, Z15, Z15
	MOVL    $0xFFFF, R15

orow:
	MOVQ SI, R9  // the step's first column
	MOVQ DI, R10
	MOVQ n+16(FP), BX

	// The first block's column maxima: min(16, 2n+1) columns.
	LEAQ      1(BX)(BX*1), AX
	CMPQ      AX, $16
	CMOVQGT   R15, AX       // BZHI reads only the index's low byte
	BZHIL     AX, R15, CX
	KMOVW     CX, K1
	VMOVUPS.Z (R9), K1, Z0
	VADDPS    Z0, Z15, Z15
	MOVQ      R9, CX
	MOVQ      DX, R14

first:
	DECQ      R14
	JZ        steps
	ADDQ      R8, CX
	VMOVUPS.Z (CX), K1, Z5
	VRANGEPS  $5, Z5, Z0, Z0 // max, the sign of the larger
	VADDPS    Z5, Z15, Z15
	JMP       first

steps:
	CMPQ BX, $16
	JB   tail

	// Columns 16-31 whole, 32-47 as far as 2n.
	LEAQ      -31(BX)(BX*1), AX
	CMPQ      AX, $16
	CMOVQGT   R15, AX
	BZHIL     AX, R15, CX
	KMOVW     CX, K1
	VMOVUPS   64(R9), Z1
	VMOVUPS.Z 128(R9), K1, Z2
	VADDPS    Z1, Z15, Z15
	VADDPS    Z2, Z15, Z15
	MOVQ      R9, CX
	MOVQ      DX, R14

block:
	DECQ      R14
	JZ        pick
	ADDQ      R8, CX
	VMOVUPS   64(CX), Z5
	VMOVUPS.Z 128(CX), K1, Z6
	VRANGEPS  $5, Z5, Z1, Z1
	VRANGEPS  $5, Z6, Z2, Z2
	VADDPS    Z5, Z15, Z15
	VADDPS    Z6, Z15, Z15
	JMP       block

pick:
	VMOVAPS   Z0, Z3
	VPERMT2PS Z1, Z14, Z3    // odd columns
	VPERMT2PS Z1, Z13, Z0    // even columns
	VALIGND   $1, Z0, Z2, Z4 // even columns from 2 on
	VRANGEPS  $5, Z3, Z0, Z0
	VRANGEPS  $5, Z4, Z0, Z0
	VMOVUPS   Z0, (R10)
	VMOVAPS   Z2, Z0
	ADDQ      $128, R9
	ADDQ      $64, R10
	SUBQ      $16, BX
	JMP       steps

tail:
	TESTQ BX, BX
	JZ    next

	// The last 1-15 outputs: columns 16 on as far as 2n (maybe none).
	LEAQ      -15(BX)(BX*1), AX
	XORL      CX, CX
	CMPQ      AX, $0
	CMOVQGT   AX, CX
	BZHIL     CX, R15, CX
	KMOVW     CX, K1
	VMOVUPS.Z 64(R9), K1, Z1
	VADDPS    Z1, Z15, Z15
	MOVQ      R9, CX
	MOVQ      DX, R14

last:
	DECQ      R14
	JZ        lastpick
	ADDQ      R8, CX
	VMOVUPS.Z 64(CX), K1, Z5
	VRANGEPS  $5, Z5, Z1, Z1
	VADDPS    Z5, Z15, Z15
	JMP       last

lastpick:
	MOVL      BX, CX
	BZHIL     CX, R15, CX
	KMOVW     CX, K2
	VMOVAPS   Z0, Z3
	VPERMT2PS Z1, Z14, Z3
	VPERMT2PS Z1, Z13, Z0
	VALIGND   $1, Z0, Z0, Z4 // its last lane unused: past the n outputs
	VRANGEPS  $5, Z3, Z0, Z0
	VRANGEPS  $5, Z4, Z0, Z0
	VMOVUPS   Z0, K2, (R10)

next:
	ADDQ R13, SI
	ADDQ R12, DI
	DECQ R11
	JNZ  orow

	VCMPPS   $3, Z15, Z15, K3 // unordered: a NaN in the sum
	KORTESTW K3, K3
	SETEQ    ret+64(FP)
	VZEROUPPER
	RET
