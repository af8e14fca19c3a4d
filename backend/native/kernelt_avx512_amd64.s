//go:build amd64 && !purego

#include "textflag.h"
#include "tile_amd64.h"

// The pixel-major micro-kernels (convt.go): a tile of R output pixels by
// 32 output channels, c[r·ldc+j] (+)= Σ_k px[k·ldp+r]·w[k·32+j], stored
// into c, or transposed into dst (dst[j·ldd+r]) when dst is not nil: the
// 7- and 8-pixel kernels scatter each pixel's sums down its column, the
// 14-pixel one transposes them in registers (TRANSPOSE16) and stores
// whole channel rows: 47-117 ns more than a plain store per call, where
// the scatters took 185-400 (kc 128 and 256, operands in L1, interleaved).
//
// The weights stream from memory (a layer's are read once, strip after
// strip), so each step prefetches the strip 16 steps ahead.
//
// Registers: SI walks the pixel panel (ldp floats per k, in R10 as bytes),
// DI the weight strip (32 floats per k), CX counts k down, DX is c and R8
// ldc in bytes. Pixel r's 32 sums are Z(2r) (channels 0-15) and Z(2r+1)
// (16-31); Z30, Z31 hold the strip's row of weights, and the registers
// between the sums and Z30 take the pixel values' broadcasts in turn,
// except the 14-pixel kernel's odd pixels, which its FMAs broadcast
// (PIXELZ; 4–7% faster in L1, where 7 and 8 pixels gained nothing).

// lanes is 0, 1, ..., 15: the scatters' channel indices.
DATA lanes<>+0(SB)/4, $0
DATA lanes<>+4(SB)/4, $1
DATA lanes<>+8(SB)/4, $2
DATA lanes<>+12(SB)/4, $3
DATA lanes<>+16(SB)/4, $4
DATA lanes<>+20(SB)/4, $5
DATA lanes<>+24(SB)/4, $6
DATA lanes<>+28(SB)/4, $7
DATA lanes<>+32(SB)/4, $8
DATA lanes<>+36(SB)/4, $9
DATA lanes<>+40(SB)/4, $10
DATA lanes<>+44(SB)/4, $11
DATA lanes<>+48(SB)/4, $12
DATA lanes<>+52(SB)/4, $13
DATA lanes<>+56(SB)/4, $14
DATA lanes<>+60(SB)/4, $15
GLOBL lanes<>(SB), RODATA|NOPTR, $64

#define PROLOGUE \
	MOVQ kc+0(FP), CX; \
	MOVQ px_base+8(FP), SI; \
	MOVQ w_base+32(FP), DI; \
	MOVQ c_base+56(FP), DX; \
	MOVQ ldp+80(FP), R10; \
	SHLQ $2, R10; \
	MOVQ ldc+88(FP), R8; \
	SHLQ $2, R8

// PIXEL adds pixel (off/4)'s value times the weights to its sums za, zb.
#define PIXEL(off, b, za, zb) BCASTFMA(off, b, Z30, Z31, za, zb)

// PIXELZ is PIXEL with the value broadcast by each FMA (BCASTFMAZ).
#define PIXELZ(off, za, zb) BCASTFMAZ(off, Z30, Z31, za, zb)

// SCATTERSETUP sets Z30 to the channels' offsets in dst, j·ldd for lane
// j, R11 to pixel 0's channel 0 and R12 to its channel 16.
#define SCATTERSETUP \
	MOVQ         ldd+128(FP), AX; \
	VPBROADCASTD AX, Z31; \
	VPMULLD      lanes<>(SB), Z31, Z30; \
	SHLQ         $6, AX; \
	LEAQ         (R11)(AX*1), R12

// SCATTERROW stores a pixel's sums za, zb down its column of dst and
// steps R11, R12 to the next pixel.
#define SCATTERROW(za, zb) \
	KXNORW      K0, K0, K1; \
	VSCATTERDPS za, K1, (R11)(Z30*4); \
	KXNORW      K0, K0, K2; \
	VSCATTERDPS zb, K2, (R12)(Z30*4); \
	ADDQ        $4, R11; \
	ADDQ        $4, R12

// func kernelT7AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)
TEXT ·kernelT7AVX512(SB), NOSPLIT, $0-136
	PROLOGUE
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	TESTQ CX, CX
	JZ    t7done
t7loop:
	PREFETCHT0 2048(DI)
	PREFETCHT0 2112(DI)
	VMOVUPS (DI), Z30
	VMOVUPS 64(DI), Z31
	PIXEL(0, Z14, Z0, Z1)
	PIXEL(4, Z15, Z2, Z3)
	PIXEL(8, Z16, Z4, Z5)
	PIXEL(12, Z17, Z6, Z7)
	PIXEL(16, Z18, Z8, Z9)
	PIXEL(20, Z19, Z10, Z11)
	PIXEL(24, Z20, Z12, Z13)
	ADDQ  $128, DI
	ADDQ  R10, SI
	DECQ  CX
	JNZ   t7loop
t7done:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      t7stored
	MOVQ    DX, R9
	ADDROW(Z0, Z1)
	ADDROW(Z2, Z3)
	ADDROW(Z4, Z5)
	ADDROW(Z6, Z7)
	ADDROW(Z8, Z9)
	ADDROW(Z10, Z11)
	ADDROW(Z12, Z13)
t7stored:
	MOVQ    dst_base+104(FP), R11
	TESTQ   R11, R11
	JNZ     t7scatter
	STOREROW(Z0, Z1)
	STOREROW(Z2, Z3)
	STOREROW(Z4, Z5)
	STOREROW(Z6, Z7)
	STOREROW(Z8, Z9)
	STOREROW(Z10, Z11)
	STOREROW(Z12, Z13)
	VZEROUPPER
	RET
t7scatter:
	SCATTERSETUP
	SCATTERROW(Z0, Z1)
	SCATTERROW(Z2, Z3)
	SCATTERROW(Z4, Z5)
	SCATTERROW(Z6, Z7)
	SCATTERROW(Z8, Z9)
	SCATTERROW(Z10, Z11)
	SCATTERROW(Z12, Z13)
	VZEROUPPER
	RET

// func kernelT8AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)
TEXT ·kernelT8AVX512(SB), NOSPLIT, $0-136
	PROLOGUE
	ZEROTILE
	TESTQ CX, CX
	JZ    t8done
t8loop:
	PREFETCHT0 2048(DI)
	PREFETCHT0 2112(DI)
	VMOVUPS (DI), Z30
	VMOVUPS 64(DI), Z31
	PIXEL(0, Z16, Z0, Z1)
	PIXEL(4, Z17, Z2, Z3)
	PIXEL(8, Z18, Z4, Z5)
	PIXEL(12, Z19, Z6, Z7)
	PIXEL(16, Z20, Z8, Z9)
	PIXEL(20, Z21, Z10, Z11)
	PIXEL(24, Z22, Z12, Z13)
	PIXEL(28, Z23, Z14, Z15)
	ADDQ  $128, DI
	ADDQ  R10, SI
	DECQ  CX
	JNZ   t8loop
t8done:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      t8stored
	MOVQ    DX, R9
	ADDROW(Z0, Z1)
	ADDROW(Z2, Z3)
	ADDROW(Z4, Z5)
	ADDROW(Z6, Z7)
	ADDROW(Z8, Z9)
	ADDROW(Z10, Z11)
	ADDROW(Z12, Z13)
	ADDROW(Z14, Z15)
t8stored:
	MOVQ    dst_base+104(FP), R11
	TESTQ   R11, R11
	JNZ     t8scatter
	STOREROW(Z0, Z1)
	STOREROW(Z2, Z3)
	STOREROW(Z4, Z5)
	STOREROW(Z6, Z7)
	STOREROW(Z8, Z9)
	STOREROW(Z10, Z11)
	STOREROW(Z12, Z13)
	STOREROW(Z14, Z15)
	VZEROUPPER
	RET
t8scatter:
	SCATTERSETUP
	SCATTERROW(Z0, Z1)
	SCATTERROW(Z2, Z3)
	SCATTERROW(Z4, Z5)
	SCATTERROW(Z6, Z7)
	SCATTERROW(Z8, Z9)
	SCATTERROW(Z10, Z11)
	SCATTERROW(Z12, Z13)
	SCATTERROW(Z14, Z15)
	VZEROUPPER
	RET

// TRANSPOSE16 transposes Z0..Z15, rows of 16 floats, into Z0..Z15, Z16..Z31
// serving in between: afterwards Zj holds column j, row r in lane r.
#define TRANSPOSE16 \
	VUNPCKLPS Z1, Z0, Z16; \
	VUNPCKHPS Z1, Z0, Z17; \
	VUNPCKLPS Z3, Z2, Z18; \
	VUNPCKHPS Z3, Z2, Z19; \
	VUNPCKLPS Z5, Z4, Z20; \
	VUNPCKHPS Z5, Z4, Z21; \
	VUNPCKLPS Z7, Z6, Z22; \
	VUNPCKHPS Z7, Z6, Z23; \
	VUNPCKLPS Z9, Z8, Z24; \
	VUNPCKHPS Z9, Z8, Z25; \
	VUNPCKLPS Z11, Z10, Z26; \
	VUNPCKHPS Z11, Z10, Z27; \
	VUNPCKLPS Z13, Z12, Z28; \
	VUNPCKHPS Z13, Z12, Z29; \
	VUNPCKLPS Z15, Z14, Z30; \
	VUNPCKHPS Z15, Z14, Z31; \
	VUNPCKLPD Z18, Z16, Z0; \
	VUNPCKHPD Z18, Z16, Z1; \
	VUNPCKLPD Z19, Z17, Z2; \
	VUNPCKHPD Z19, Z17, Z3; \
	VUNPCKLPD Z22, Z20, Z4; \
	VUNPCKHPD Z22, Z20, Z5; \
	VUNPCKLPD Z23, Z21, Z6; \
	VUNPCKHPD Z23, Z21, Z7; \
	VUNPCKLPD Z26, Z24, Z8; \
	VUNPCKHPD Z26, Z24, Z9; \
	VUNPCKLPD Z27, Z25, Z10; \
	VUNPCKHPD Z27, Z25, Z11; \
	VUNPCKLPD Z30, Z28, Z12; \
	VUNPCKHPD Z30, Z28, Z13; \
	VUNPCKLPD Z31, Z29, Z14; \
	VUNPCKHPD Z31, Z29, Z15; \
	VSHUFF32X4 $0x88, Z4, Z0, Z16; \
	VSHUFF32X4 $0xdd, Z4, Z0, Z20; \
	VSHUFF32X4 $0x88, Z5, Z1, Z17; \
	VSHUFF32X4 $0xdd, Z5, Z1, Z21; \
	VSHUFF32X4 $0x88, Z6, Z2, Z18; \
	VSHUFF32X4 $0xdd, Z6, Z2, Z22; \
	VSHUFF32X4 $0x88, Z7, Z3, Z19; \
	VSHUFF32X4 $0xdd, Z7, Z3, Z23; \
	VSHUFF32X4 $0x88, Z12, Z8, Z24; \
	VSHUFF32X4 $0xdd, Z12, Z8, Z28; \
	VSHUFF32X4 $0x88, Z13, Z9, Z25; \
	VSHUFF32X4 $0xdd, Z13, Z9, Z29; \
	VSHUFF32X4 $0x88, Z14, Z10, Z26; \
	VSHUFF32X4 $0xdd, Z14, Z10, Z30; \
	VSHUFF32X4 $0x88, Z15, Z11, Z27; \
	VSHUFF32X4 $0xdd, Z15, Z11, Z31; \
	VSHUFF32X4 $0x88, Z24, Z16, Z0; \
	VSHUFF32X4 $0xdd, Z24, Z16, Z8; \
	VSHUFF32X4 $0x88, Z25, Z17, Z1; \
	VSHUFF32X4 $0xdd, Z25, Z17, Z9; \
	VSHUFF32X4 $0x88, Z26, Z18, Z2; \
	VSHUFF32X4 $0xdd, Z26, Z18, Z10; \
	VSHUFF32X4 $0x88, Z27, Z19, Z3; \
	VSHUFF32X4 $0xdd, Z27, Z19, Z11; \
	VSHUFF32X4 $0x88, Z28, Z20, Z4; \
	VSHUFF32X4 $0xdd, Z28, Z20, Z12; \
	VSHUFF32X4 $0x88, Z29, Z21, Z5; \
	VSHUFF32X4 $0xdd, Z29, Z21, Z13; \
	VSHUFF32X4 $0x88, Z30, Z22, Z6; \
	VSHUFF32X4 $0xdd, Z30, Z22, Z14; \
	VSHUFF32X4 $0x88, Z31, Z23, Z7; \
	VSHUFF32X4 $0xdd, Z31, Z23, Z15

// TRANSPOSEHALF stores 16 channels of the 14-pixel tile whose pixels'
// sums lie 128 bytes apart from R9 (pixel r's 16 channels at 128·r(R9))
// as 16 rows of dst from R11 on, AX bytes apart, masked by K1 to 14
// pixels, and steps R11 past them.
#define TRANSPOSEHALF \
	VMOVUPS 0(R9), Z0; \
	VMOVUPS 128(R9), Z1; \
	VMOVUPS 256(R9), Z2; \
	VMOVUPS 384(R9), Z3; \
	VMOVUPS 512(R9), Z4; \
	VMOVUPS 640(R9), Z5; \
	VMOVUPS 768(R9), Z6; \
	VMOVUPS 896(R9), Z7; \
	VMOVUPS 1024(R9), Z8; \
	VMOVUPS 1152(R9), Z9; \
	VMOVUPS 1280(R9), Z10; \
	VMOVUPS 1408(R9), Z11; \
	VMOVUPS 1536(R9), Z12; \
	VMOVUPS 1664(R9), Z13; \
	VPXORD  Z14, Z14, Z14; \
	VPXORD  Z15, Z15, Z15; \
	TRANSPOSE16; \
	VMOVUPS Z0, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z1, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z2, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z3, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z4, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z5, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z6, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z7, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z8, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z9, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z10, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z11, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z12, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z13, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z14, K1, (R11); \
	ADDQ    AX, R11; \
	VMOVUPS Z15, K1, (R11); \
	ADDQ    AX, R11

// func kernelT14AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)
TEXT ·kernelT14AVX512(SB), $1792-136
	PROLOGUE
	ZEROTILE
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	TESTQ CX, CX
	JZ    t14done
t14loop:
	PREFETCHT0 2048(DI)
	PREFETCHT0 2112(DI)
	VMOVUPS (DI), Z30
	VMOVUPS 64(DI), Z31
	PIXEL(0, Z28, Z0, Z1)
	PIXELZ(4, Z2, Z3)
	PIXEL(8, Z28, Z4, Z5)
	PIXELZ(12, Z6, Z7)
	PIXEL(16, Z28, Z8, Z9)
	PIXELZ(20, Z10, Z11)
	PIXEL(24, Z28, Z12, Z13)
	PIXELZ(28, Z14, Z15)
	PIXEL(32, Z28, Z16, Z17)
	PIXELZ(36, Z18, Z19)
	PIXEL(40, Z28, Z20, Z21)
	PIXELZ(44, Z22, Z23)
	PIXEL(48, Z28, Z24, Z25)
	PIXELZ(52, Z26, Z27)
	ADDQ  $128, DI
	ADDQ  R10, SI
	DECQ  CX
	JNZ   t14loop
t14done:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      t14stored
	MOVQ    DX, R9
	ADDROW(Z0, Z1)
	ADDROW(Z2, Z3)
	ADDROW(Z4, Z5)
	ADDROW(Z6, Z7)
	ADDROW(Z8, Z9)
	ADDROW(Z10, Z11)
	ADDROW(Z12, Z13)
	ADDROW(Z14, Z15)
	ADDROW(Z16, Z17)
	ADDROW(Z18, Z19)
	ADDROW(Z20, Z21)
	ADDROW(Z22, Z23)
	ADDROW(Z24, Z25)
	ADDROW(Z26, Z27)
t14stored:
	MOVQ    dst_base+104(FP), R11
	TESTQ   R11, R11
	JNZ     t14transpose
	STOREROW(Z0, Z1)
	STOREROW(Z2, Z3)
	STOREROW(Z4, Z5)
	STOREROW(Z6, Z7)
	STOREROW(Z8, Z9)
	STOREROW(Z10, Z11)
	STOREROW(Z12, Z13)
	STOREROW(Z14, Z15)
	STOREROW(Z16, Z17)
	STOREROW(Z18, Z19)
	STOREROW(Z20, Z21)
	STOREROW(Z22, Z23)
	STOREROW(Z24, Z25)
	STOREROW(Z26, Z27)
	VZEROUPPER
	RET
t14transpose:
	// The 28 sums go to the frame, pixel r's 32 channels at 128·r; each
	// half of the channels comes back as 14 rows of 16 (two of zeros),
	// is transposed in registers, and goes out as 16 channel rows of 14
	// pixels, masked: about a quarter of the 28 scatters' time.
	VMOVUPS Z0, 0(SP)
	VMOVUPS Z1, 64(SP)
	VMOVUPS Z2, 128(SP)
	VMOVUPS Z3, 192(SP)
	VMOVUPS Z4, 256(SP)
	VMOVUPS Z5, 320(SP)
	VMOVUPS Z6, 384(SP)
	VMOVUPS Z7, 448(SP)
	VMOVUPS Z8, 512(SP)
	VMOVUPS Z9, 576(SP)
	VMOVUPS Z10, 640(SP)
	VMOVUPS Z11, 704(SP)
	VMOVUPS Z12, 768(SP)
	VMOVUPS Z13, 832(SP)
	VMOVUPS Z14, 896(SP)
	VMOVUPS Z15, 960(SP)
	VMOVUPS Z16, 1024(SP)
	VMOVUPS Z17, 1088(SP)
	VMOVUPS Z18, 1152(SP)
	VMOVUPS Z19, 1216(SP)
	VMOVUPS Z20, 1280(SP)
	VMOVUPS Z21, 1344(SP)
	VMOVUPS Z22, 1408(SP)
	VMOVUPS Z23, 1472(SP)
	VMOVUPS Z24, 1536(SP)
	VMOVUPS Z25, 1600(SP)
	VMOVUPS Z26, 1664(SP)
	VMOVUPS Z27, 1728(SP)
	MOVQ    ldd+128(FP), AX
	SHLQ    $2, AX
	MOVL    $0x3FFF, BX
	KMOVW   BX, K1
	LEAQ    (SP), R9
	TRANSPOSEHALF
	LEAQ    64(SP), R9
	TRANSPOSEHALF
	VZEROUPPER
	RET
