//go:build amd64 && !purego

#include "textflag.h"

// Row kernels of the elementwise steps (rows.go).

// func sumAVX2(v *float32, n int) float64
//
// Σ v[i] for i < n, n a multiple of 16, in float64: sixteen running
// sums, four values of each step widened into each of four YMM.
TEXT ·sumAVX2(SB), NOSPLIT, $0-24
	MOVQ   v+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	SHRQ   $4, CX
	JZ     sumdone

sumloop:
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD 32(SI), Y6
	VCVTPS2PD 48(SI), Y7
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VADDPD    Y6, Y2, Y2
	VADDPD    Y7, Y3, Y3
	ADDQ      $64, SI
	DECQ      CX
	JNZ       sumloop

sumdone:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VHADDPD      X0, X0, X0
	VMOVSD       X0, ret+16(FP)
	VZEROUPPER
	RET

// func scaleAVX2(dst, src *float32, k float32, add *float32, n int)
//
// dst[i] = src[i]·k, plus add[i] unless add is nil, for i < n, n a
// multiple of 8: the product rounded before the sum, as Go computes
// float32(v*k) + a. dst may be src or add.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	VMOVSS       k+16(FP), X0
	VBROADCASTSS X0, Y0
	MOVQ         add+24(FP), DX
	MOVQ         n+32(FP), CX
	SHRQ         $3, CX
	JZ           scaledone
	TESTQ        DX, DX
	JZ           scaleonly

scaleadd:
	VMULPS  (SI), Y0, Y1
	VADDPS  (DX), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     scaleadd
	JMP     scaledone

scaleonly:
	VMULPS  (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     scaleonly

scaledone:
	VZEROUPPER
	RET

// func addAVX2(dst, a, b *float32, n int)
//
// dst[i] = a[i] + b[i] for i < n, n a multiple of 8. dst may be a or b.
TEXT ·addAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   adddone

addloop:
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     addloop

adddone:
	VZEROUPPER
	RET
