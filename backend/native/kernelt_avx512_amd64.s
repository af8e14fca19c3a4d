//go:build amd64 && !purego

#include "textflag.h"

// The pixel-major micro-kernels (convt.go): a tile of R output pixels by
// 32 output channels, c[r·ldc+j] (+)= Σ_k px[k·ldp+r]·w[k·32+j].
//
// Registers: SI walks the pixel panel (ldp floats per k, in R10 as bytes),
// DI the weight strip (32 floats per k), CX counts k down, DX is c and R8
// ldc in bytes. Pixel r's 32 sums are Z(2r) (channels 0-15) and Z(2r+1)
// (16-31); Z30, Z31 hold the strip's row of weights, and the registers
// between the sums and Z30 take the pixel values' broadcasts in turn.

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
#define PIXEL(off, b, za, zb) \
	VBROADCASTSS off(SI), b; \
	VFMADD231PS  Z30, b, za; \
	VFMADD231PS  Z31, b, zb

// ADDROW adds the row of c at R9 to za, zb and steps R9 to the next.
#define ADDROW(za, zb) \
	VADDPS (R9), za, za; \
	VADDPS 64(R9), zb, zb; \
	ADDQ   R8, R9

// STOREROW stores za, zb to the row of c at DX and steps DX to the next.
#define STOREROW(za, zb) \
	VMOVUPS za, (DX); \
	VMOVUPS zb, 64(DX); \
	ADDQ    R8, DX

// func kernelT7AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool)
TEXT ·kernelT7AVX512(SB), NOSPLIT, $0-97
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
	JZ      t7store
	MOVQ    DX, R9
	ADDROW(Z0, Z1)
	ADDROW(Z2, Z3)
	ADDROW(Z4, Z5)
	ADDROW(Z6, Z7)
	ADDROW(Z8, Z9)
	ADDROW(Z10, Z11)
	ADDROW(Z12, Z13)
t7store:
	STOREROW(Z0, Z1)
	STOREROW(Z2, Z3)
	STOREROW(Z4, Z5)
	STOREROW(Z6, Z7)
	STOREROW(Z8, Z9)
	STOREROW(Z10, Z11)
	STOREROW(Z12, Z13)
	VZEROUPPER
	RET

// func kernelT8AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool)
TEXT ·kernelT8AVX512(SB), NOSPLIT, $0-97
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
	JZ      t8store
	MOVQ    DX, R9
	ADDROW(Z0, Z1)
	ADDROW(Z2, Z3)
	ADDROW(Z4, Z5)
	ADDROW(Z6, Z7)
	ADDROW(Z8, Z9)
	ADDROW(Z10, Z11)
	ADDROW(Z12, Z13)
	ADDROW(Z14, Z15)
t8store:
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

// func kernelT14AVX512(kc int, px, w, c []float32, ldp, ldc int, acc bool)
TEXT ·kernelT14AVX512(SB), NOSPLIT, $0-97
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
	VMOVUPS (DI), Z30
	VMOVUPS 64(DI), Z31
	PIXEL(0, Z28, Z0, Z1)
	PIXEL(4, Z29, Z2, Z3)
	PIXEL(8, Z28, Z4, Z5)
	PIXEL(12, Z29, Z6, Z7)
	PIXEL(16, Z28, Z8, Z9)
	PIXEL(20, Z29, Z10, Z11)
	PIXEL(24, Z28, Z12, Z13)
	PIXEL(28, Z29, Z14, Z15)
	PIXEL(32, Z28, Z16, Z17)
	PIXEL(36, Z29, Z18, Z19)
	PIXEL(40, Z28, Z20, Z21)
	PIXEL(44, Z29, Z22, Z23)
	PIXEL(48, Z28, Z24, Z25)
	PIXEL(52, Z29, Z26, Z27)
	ADDQ  $128, DI
	ADDQ  R10, SI
	DECQ  CX
	JNZ   t14loop
t14done:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      t14store
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
t14store:
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
