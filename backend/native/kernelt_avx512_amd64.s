//go:build amd64 && !purego

#include "textflag.h"
#include "tile_amd64.h"

// The pixel-major micro-kernels (convt.go): a tile of R output pixels by
// 32 output channels, c[r·ldc+j] (+)= Σ_k px[k·ldp+r]·w[k·32+j], stored
// into c, or transposed into dst (dst[j·ldd+r]) when dst is not nil.
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
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
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

// func kernelT14AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool, dst []float32, ldd int)
TEXT ·kernelT14AVX512(SB), NOSPLIT, $0-136
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
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
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
	JNZ     t14scatter
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
t14scatter:
	SCATTERSETUP
	SCATTERROW(Z0, Z1)
	SCATTERROW(Z2, Z3)
	SCATTERROW(Z4, Z5)
	SCATTERROW(Z6, Z7)
	SCATTERROW(Z8, Z9)
	SCATTERROW(Z10, Z11)
	SCATTERROW(Z12, Z13)
	SCATTERROW(Z14, Z15)
	SCATTERROW(Z16, Z17)
	SCATTERROW(Z18, Z19)
	SCATTERROW(Z20, Z21)
	SCATTERROW(Z22, Z23)
	SCATTERROW(Z24, Z25)
	SCATTERROW(Z26, Z27)
	VZEROUPPER
	RET
