//go:build amd64 && !purego

#include "textflag.h"

// The constants of transcend.go, as float32 bits.
DATA transc<>+0(SB)/4, $0x3fb8aa3b // log2e
DATA transc<>+4(SB)/4, $0x3f000000 // half
DATA transc<>+8(SB)/4, $0x3f318000 // ln2hi
DATA transc<>+12(SB)/4, $0xb95e8083 // ln2lo
DATA transc<>+16(SB)/4, $0xc2aeac4f // expmin
DATA transc<>+20(SB)/4, $0x42b10000 // expmax
DATA transc<>+24(SB)/4, $0x3f800000 // one
DATA transc<>+28(SB)/4, $0x41624630 // xmax
DATA transc<>+32(SB)/4, $0x3f3504f3 // invsqrt2
DATA transc<>+36(SB)/4, $0x0000007f // int127
DATA transc<>+40(SB)/4, $0x7fffffff // absmask
DATA transc<>+44(SB)/4, $0x80000000 // signmask
DATA transc<>+48(SB)/4, $0x39500d01 // e^r, degree 7
DATA transc<>+52(SB)/4, $0x3ab60b61 // e^r, degree 6
DATA transc<>+56(SB)/4, $0x3c088889 // e^r, degree 5
DATA transc<>+60(SB)/4, $0x3d2aaaab // e^r, degree 4
DATA transc<>+64(SB)/4, $0x3e2aaaab // e^r, degree 3
DATA transc<>+68(SB)/4, $0x3f000000 // e^r, degree 2
DATA transc<>+72(SB)/4, $0x3e146896 // g(t), degree 9
DATA transc<>+76(SB)/4, $0xbf2e4ab1 // g(t), degree 8
DATA transc<>+80(SB)/4, $0x3f940fda // g(t), degree 7
DATA transc<>+84(SB)/4, $0xbf323d90 // g(t), degree 6
DATA transc<>+88(SB)/4, $0xbda46a13 // g(t), degree 5
DATA transc<>+92(SB)/4, $0x3aa6255f // g(t), degree 4
DATA transc<>+96(SB)/4, $0x3d0dbbaa // g(t), degree 3
DATA transc<>+100(SB)/4, $0x3ec5f5bb // g(t), degree 2
DATA transc<>+104(SB)/4, $0x3f7fa666 // g(t), degree 1
DATA transc<>+108(SB)/4, $0xbfa1fa33 // g(t), degree 0
DATA transc<>+112(SB)/4, $0xfffff000 // the top 12 bits of a float
DATA transc<>+116(SB)/4, $0x40c00000 // 6
DATA transc<>+120(SB)/4, $0x40400000 // 3
DATA transc<>+124(SB)/4, $0x3b16741d // tanh's P(u), degree 5
DATA transc<>+128(SB)/4, $0xbc08c150 // degree 4
DATA transc<>+132(SB)/4, $0x3cb256d4 // degree 3
DATA transc<>+136(SB)/4, $0xbd5d0488 // degree 2
DATA transc<>+140(SB)/4, $0x3e088875 // degree 1
DATA transc<>+144(SB)/4, $0xbeaaaaab // degree 0
DATA transc<>+148(SB)/4, $0x3f200000 // 0.625
DATA transc<>+152(SB)/4, $0x40000000 // 2
GLOBL transc<>(SB), RODATA|NOPTR, $156

// func transcendAVX2(dst, src *float32, n, fn int, alpha float32)
//
// dst[i] = f(src[i]) for i < n, n a multiple of 8, with f the sigmoid
// (fn 0), SiLU (1) or GELU (2) of transcend.go, or the relu (3), relu6
// (4), hardsigmoid (5), hardswish (6) or leaky relu of slope alpha (7) of
// act.go, or the tanh (8): the same float32 operations in the same order
// as sigmoid32, silu32, gelu32, tanh32 (with exp32 written out) and the Go
// loops, eight values a step. A NaN stays a NaN (the value is the maximum's second operand);
// relu and relu6 keep −0 where Go's max gives +0. dst may be src.
//
// Registers: DI, SI walk dst and src, DX counts values, CX is n; BX
// points at the constants; Y15..Y8 hold log2e, 0.5, ln2hi, ln2lo, the
// exponent's clamps, 1 and the integer 127; Y7 the sign mask (in the
// GELU loop, which needs none, the underflow mask); Y0..Y6 are working
// registers, Y3 the underflow mask in the sigmoid and SiLU loops.
TEXT ·transcendAVX2(SB), NOSPLIT, $0-36
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ fn+24(FP), AX
	LEAQ transc<>(SB), BX
	VBROADCASTSS 0(BX), Y15 // log2e
	VBROADCASTSS 4(BX), Y14 // half
	VBROADCASTSS 8(BX), Y13 // ln2hi
	VBROADCASTSS 12(BX), Y12 // ln2lo
	VBROADCASTSS 16(BX), Y11 // expmin
	VBROADCASTSS 20(BX), Y10 // expmax
	VBROADCASTSS 24(BX), Y9 // one
	VBROADCASTSS 36(BX), Y8 // int127
	VBROADCASTSS 44(BX), Y7 // signmask
	XORQ DX, DX
	TESTQ AX, AX
	JEQ sigmoid
	CMPQ AX, $1
	JEQ silu
	CMPQ AX, $2
	JEQ gelu
	CMPQ AX, $3
	JEQ relu
	CMPQ AX, $4
	JEQ relu6
	CMPQ AX, $5
	JEQ hardsigmoid
	CMPQ AX, $6
	JEQ hardswish
	CMPQ AX, $7
	JEQ leaky
	JMP tanh

sigmoid:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y4
	VXORPS Y7, Y4, Y4 // -x
	VCMPPS $1, Y11, Y4, Y3 // x < expmin: 0
	VMAXPS Y4, Y11, Y4
	VMINPS Y4, Y10, Y4
	VMULPS Y15, Y4, Y0
	VADDPS Y14, Y0, Y0
	VROUNDPS $1, Y0, Y0
	VMULPS Y13, Y0, Y1
	VSUBPS Y1, Y4, Y1
	VMULPS Y12, Y0, Y2
	VSUBPS Y2, Y1, Y1
	VBROADCASTSS 48(BX), Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 52(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 56(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 60(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 64(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 68(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VADDPS Y9, Y5, Y5
	VMULPS Y1, Y5, Y5
	VADDPS Y9, Y5, Y5
	VCVTPS2DQ Y0, Y0
	VPADDD Y8, Y0, Y0
	VPSLLD $23, Y0, Y0
	VMULPS Y0, Y5, Y5
	VANDNPS Y5, Y3, Y5
	VADDPS Y9, Y5, Y5
	VDIVPS Y5, Y9, Y5 // 1/(1 + e^-x)
	VMOVUPS Y5, (DI)(DX*4)
	ADDQ $8, DX
	JMP sigmoid

silu:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y6
	VXORPS Y7, Y6, Y4 // -x
	VCMPPS $1, Y11, Y4, Y3 // x < expmin: 0
	VMAXPS Y4, Y11, Y4
	VMINPS Y4, Y10, Y4
	VMULPS Y15, Y4, Y0
	VADDPS Y14, Y0, Y0
	VROUNDPS $1, Y0, Y0
	VMULPS Y13, Y0, Y1
	VSUBPS Y1, Y4, Y1
	VMULPS Y12, Y0, Y2
	VSUBPS Y2, Y1, Y1
	VBROADCASTSS 48(BX), Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 52(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 56(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 60(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 64(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 68(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VADDPS Y9, Y5, Y5
	VMULPS Y1, Y5, Y5
	VADDPS Y9, Y5, Y5
	VCVTPS2DQ Y0, Y0
	VPADDD Y8, Y0, Y0
	VPSLLD $23, Y0, Y0
	VMULPS Y0, Y5, Y5
	VANDNPS Y5, Y3, Y5
	VADDPS Y9, Y5, Y5
	VDIVPS Y5, Y6, Y5 // x/(1 + e^-x)
	VMOVUPS Y5, (DI)(DX*4)
	ADDQ $8, DX
	JMP silu

gelu:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y6 // x
	VBROADCASTSS 40(BX), Y4
	VANDPS Y6, Y4, Y4 // |x|
	VBROADCASTSS 28(BX), Y3
	VMINPS Y4, Y3, Y4 // a = min(|x|, 10·√2)
	VBROADCASTSS 32(BX), Y3
	VMULPS Y3, Y4, Y3 // z = a/√2
	VMULPS Y14, Y3, Y3
	VADDPS Y9, Y3, Y3
	VDIVPS Y3, Y9, Y3 // t = 1/(1 + z/2)
	VBROADCASTSS 72(BX), Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 76(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 80(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 84(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 88(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 92(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 96(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 100(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 104(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y3, Y5, Y5
	VBROADCASTSS 108(BX), Y2
	VADDPS Y2, Y5, Y5
	VBROADCASTSS 112(BX), Y0
	VANDPS Y4, Y0, Y0 // ah: a to 12 bits
	VSUBPS Y0, Y4, Y1
	VADDPS Y0, Y4, Y2
	VMULPS Y2, Y1, Y1
	VMULPS Y14, Y1, Y1 // d = (a² − ah²)/2
	VSUBPS Y1, Y5, Y5 // lo = g(t) − d
	VMULPS Y0, Y0, Y4
	VMULPS Y14, Y4, Y4
	VBROADCASTSS 44(BX), Y7
	VXORPS Y7, Y4, Y4 // hi = −ah²/2, exact
	VADDPS Y5, Y4, Y2 // x = hi + lo
	VCMPPS $1, Y11, Y2, Y7 // x < expmin: 0
	VMULPS Y15, Y2, Y0
	VADDPS Y14, Y0, Y0
	VROUNDPS $1, Y0, Y0 // k
	VMULPS Y13, Y0, Y1
	VSUBPS Y1, Y4, Y1 // hi − k·ln2hi, exact
	VADDPS Y5, Y1, Y1
	VMULPS Y12, Y0, Y2
	VSUBPS Y2, Y1, Y1 // r
	VBROADCASTSS 48(BX), Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 52(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 56(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 60(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 64(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VBROADCASTSS 68(BX), Y2
	VADDPS Y2, Y5, Y5
	VMULPS Y1, Y5, Y5
	VADDPS Y9, Y5, Y5
	VMULPS Y1, Y5, Y5
	VADDPS Y9, Y5, Y5
	VCVTPS2DQ Y0, Y0
	VPADDD Y8, Y0, Y0
	VPSLLD $23, Y0, Y0
	VMULPS Y0, Y5, Y5
	VANDNPS Y5, Y7, Y5
	VMULPS Y5, Y3, Y5
	VMULPS Y14, Y5, Y5 // h = erfc(z)/2
	VSUBPS Y5, Y9, Y4 // 1 - h
	VBLENDVPS Y6, Y5, Y4, Y4 // Φ: h where x's sign is set, else 1 - h
	VMULPS Y4, Y6, Y4
	VMOVUPS Y4, (DI)(DX*4)
	ADDQ $8, DX
	JMP gelu

// The piecewise linear ones: Y0 is zero, Y1 six, Y2 three or alpha.
relu:
	VXORPS Y0, Y0, Y0

relu8:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y4
	VMAXPS Y4, Y0, Y4
	VMOVUPS Y4, (DI)(DX*4)
	ADDQ $8, DX
	JMP relu8

relu6:
	VXORPS Y0, Y0, Y0
	VBROADCASTSS 116(BX), Y1

relu68:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y4
	VMAXPS Y4, Y0, Y4
	VMINPS Y4, Y1, Y4
	VMOVUPS Y4, (DI)(DX*4)
	ADDQ $8, DX
	JMP relu68

hardsigmoid:
	VXORPS Y0, Y0, Y0
	VBROADCASTSS 116(BX), Y1
	VBROADCASTSS 120(BX), Y2

hardsigmoid8:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y4
	VADDPS Y2, Y4, Y4
	VMAXPS Y4, Y0, Y4
	VMINPS Y4, Y1, Y4
	VDIVPS Y1, Y4, Y4 // min(max(v+3, 0), 6)/6
	VMOVUPS Y4, (DI)(DX*4)
	ADDQ $8, DX
	JMP hardsigmoid8

hardswish:
	VXORPS Y0, Y0, Y0
	VBROADCASTSS 116(BX), Y1
	VBROADCASTSS 120(BX), Y2

hardswish8:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y5
	VADDPS Y2, Y5, Y4
	VMAXPS Y4, Y0, Y4
	VMINPS Y4, Y1, Y4
	VMULPS Y4, Y5, Y4
	VDIVPS Y1, Y4, Y4 // v·min(max(v+3, 0), 6)/6
	VMOVUPS Y4, (DI)(DX*4)
	ADDQ $8, DX
	JMP hardswish8

leaky:
	VXORPS Y0, Y0, Y0
	VBROADCASTSS alpha+32(FP), Y2

leaky8:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y5
	VMULPS Y2, Y5, Y4
	VCMPPS $1, Y0, Y5, Y3 // v < 0
	VBLENDVPS Y3, Y4, Y5, Y4 // v·alpha there, else v
	VMOVUPS Y4, (DI)(DX*4)
	ADDQ $8, DX
	JMP leaky8

// tanh: x + x·u·P(u), u = x², below |x| = 0.625; 1 − 2/(1 + e^(2|x|)) with
// x's sign above.
tanh:
	CMPQ DX, CX
	JGE done
	VMOVUPS (SI)(DX*4), Y6 // x
	VBROADCASTSS 40(BX), Y4
	VANDPS Y6, Y4, Y4 // a = |x|
	VADDPS Y4, Y4, Y5 // 2a
	VCMPPS $1, Y11, Y5, Y7 // x < expmin: 0
	VMAXPS Y5, Y11, Y5
	VMINPS Y5, Y10, Y5
	VMULPS Y15, Y5, Y0
	VADDPS Y14, Y0, Y0
	VROUNDPS $1, Y0, Y0
	VMULPS Y13, Y0, Y1
	VSUBPS Y1, Y5, Y1
	VMULPS Y12, Y0, Y2
	VSUBPS Y2, Y1, Y1
	VBROADCASTSS 48(BX), Y3
	VMULPS Y1, Y3, Y3
	VBROADCASTSS 52(BX), Y2
	VADDPS Y2, Y3, Y3
	VMULPS Y1, Y3, Y3
	VBROADCASTSS 56(BX), Y2
	VADDPS Y2, Y3, Y3
	VMULPS Y1, Y3, Y3
	VBROADCASTSS 60(BX), Y2
	VADDPS Y2, Y3, Y3
	VMULPS Y1, Y3, Y3
	VBROADCASTSS 64(BX), Y2
	VADDPS Y2, Y3, Y3
	VMULPS Y1, Y3, Y3
	VBROADCASTSS 68(BX), Y2
	VADDPS Y2, Y3, Y3
	VMULPS Y1, Y3, Y3
	VADDPS Y9, Y3, Y3
	VMULPS Y1, Y3, Y3
	VADDPS Y9, Y3, Y3
	VCVTPS2DQ Y0, Y0
	VPADDD Y8, Y0, Y0
	VPSLLD $23, Y0, Y0
	VMULPS Y0, Y3, Y3
	VANDNPS Y3, Y7, Y3
	VADDPS Y9, Y3, Y3
	VBROADCASTSS 152(BX), Y2
	VDIVPS Y3, Y2, Y3
	VSUBPS Y3, Y9, Y3 // 1 − 2/(1 + e^2a)
	VBROADCASTSS 44(BX), Y2
	VANDPS Y6, Y2, Y2
	VORPS Y2, Y3, Y3 // with x's sign
	VMULPS Y6, Y6, Y0 // u
	VBROADCASTSS 124(BX), Y1
	VMULPS Y0, Y1, Y1
	VBROADCASTSS 128(BX), Y2
	VADDPS Y2, Y1, Y1
	VMULPS Y0, Y1, Y1
	VBROADCASTSS 132(BX), Y2
	VADDPS Y2, Y1, Y1
	VMULPS Y0, Y1, Y1
	VBROADCASTSS 136(BX), Y2
	VADDPS Y2, Y1, Y1
	VMULPS Y0, Y1, Y1
	VBROADCASTSS 140(BX), Y2
	VADDPS Y2, Y1, Y1
	VMULPS Y0, Y1, Y1
	VBROADCASTSS 144(BX), Y2
	VADDPS Y2, Y1, Y1
	VMULPS Y0, Y1, Y1
	VMULPS Y6, Y1, Y1
	VADDPS Y6, Y1, Y1 // x + x·u·P(u)
	VBROADCASTSS 148(BX), Y2
	VCMPPS $1, Y2, Y4, Y0 // a < 0.625
	VBLENDVPS Y0, Y1, Y3, Y4
	VMOVUPS Y4, (DI)(DX*4)
	ADDQ $8, DX
	JMP tanh

done:
	VZEROUPPER
	RET
