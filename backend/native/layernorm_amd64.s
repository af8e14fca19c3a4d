//go:build amd64 && !purego

#include "textflag.h"

// func lnStatsAVX2(x *float32, stride, ch, n int, mean, variance *float32, inv float32)
//
// For each position i < n (n a multiple of 8) of a block of a layer norm's
// input, whose channel k is at x[k·stride + i]: mean[i] = inv·Σ_k x, then
// variance[i] = inv·Σ_k (x − mean[i])², each product and sum rounded (no
// fused multiply-add). The channels are summed in registers, 32 positions
// at a time (four accumulators), then 8; ch must be at least 1.
TEXT ·lnStatsAVX2(SB), NOSPLIT, $0-52
	MOVQ x+0(FP), SI
	MOVQ stride+8(FP), R8
	SHLQ $2, R8
	MOVQ ch+16(FP), R9
	MOVQ n+24(FP), CX
	MOVQ mean+32(FP), DI
	MOVQ variance+40(FP), R10
	VBROADCASTSS inv+48(FP), Y14
	XORQ DX, DX

loop32:
	LEAQ 32(DX), AX
	CMPQ AX, CX
	JGT loop8
	LEAQ (SI)(DX*4), BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ R9, R11
	MOVQ BX, R12

sum32:
	VADDPS (R12), Y0, Y0
	VADDPS 32(R12), Y1, Y1
	VADDPS 64(R12), Y2, Y2
	VADDPS 96(R12), Y3, Y3
	ADDQ R8, R12
	DECQ R11
	JNZ sum32
	VMULPS Y14, Y0, Y0
	VMULPS Y14, Y1, Y1
	VMULPS Y14, Y2, Y2
	VMULPS Y14, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ R9, R11
	MOVQ BX, R12

var32:
	VMOVUPS (R12), Y8
	VMOVUPS 32(R12), Y9
	VMOVUPS 64(R12), Y10
	VMOVUPS 96(R12), Y11
	VSUBPS Y0, Y8, Y8
	VSUBPS Y1, Y9, Y9
	VSUBPS Y2, Y10, Y10
	VSUBPS Y3, Y11, Y11
	VMULPS Y8, Y8, Y8
	VMULPS Y9, Y9, Y9
	VMULPS Y10, Y10, Y10
	VMULPS Y11, Y11, Y11
	VADDPS Y8, Y4, Y4
	VADDPS Y9, Y5, Y5
	VADDPS Y10, Y6, Y6
	VADDPS Y11, Y7, Y7
	ADDQ R8, R12
	DECQ R11
	JNZ var32
	VMULPS Y14, Y4, Y4
	VMULPS Y14, Y5, Y5
	VMULPS Y14, Y6, Y6
	VMULPS Y14, Y7, Y7
	VMOVUPS Y0, (DI)(DX*4)
	VMOVUPS Y1, 32(DI)(DX*4)
	VMOVUPS Y2, 64(DI)(DX*4)
	VMOVUPS Y3, 96(DI)(DX*4)
	VMOVUPS Y4, (R10)(DX*4)
	VMOVUPS Y5, 32(R10)(DX*4)
	VMOVUPS Y6, 64(R10)(DX*4)
	VMOVUPS Y7, 96(R10)(DX*4)
	MOVQ AX, DX
	JMP loop32

loop8:
	LEAQ 8(DX), AX
	CMPQ AX, CX
	JGT done
	LEAQ (SI)(DX*4), BX
	VXORPS Y0, Y0, Y0
	MOVQ R9, R11
	MOVQ BX, R12

sum8:
	VADDPS (R12), Y0, Y0
	ADDQ R8, R12
	DECQ R11
	JNZ sum8
	VMULPS Y14, Y0, Y0
	VXORPS Y4, Y4, Y4
	MOVQ R9, R11
	MOVQ BX, R12

var8:
	VMOVUPS (R12), Y8
	VSUBPS Y0, Y8, Y8
	VMULPS Y8, Y8, Y8
	VADDPS Y8, Y4, Y4
	ADDQ R8, R12
	DECQ R11
	JNZ var8
	VMULPS Y14, Y4, Y4
	VMOVUPS Y0, (DI)(DX*4)
	VMOVUPS Y4, (R10)(DX*4)
	MOVQ AX, DX
	JMP loop8

done:
	VZEROUPPER
	RET

// func lnApplyAVX2(dst, src, mean, rstd *float32, n int, gamma, beta float32)
//
// dst[i] = (src[i] − mean[i])·rstd[i]·gamma + beta for i < n, n a multiple of 8,
// each operation rounded in that order; dst may be src.
TEXT ·lnApplyAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ mean+16(FP), R8
	MOVQ rstd+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS gamma+40(FP), Y14
	VBROADCASTSS beta+44(FP), Y15
	XORQ DX, DX

apply8:
	CMPQ DX, CX
	JGE applied
	VMOVUPS (SI)(DX*4), Y0
	VSUBPS (R8)(DX*4), Y0, Y0
	VMULPS (R9)(DX*4), Y0, Y0
	VMULPS Y14, Y0, Y0
	VADDPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)(DX*4)
	ADDQ $8, DX
	JMP apply8

applied:
	VZEROUPPER
	RET
