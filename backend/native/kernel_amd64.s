//go:build amd64 && !purego

#include "textflag.h"

// func kernelAVX2(kc int, a, b, c []float32, ldb, ldc int, acc bool)
//
// Registers: SI walks A (6 floats per k), DI walks B (ldb floats per k), CX
// counts k down; Y0..Y11 hold the tile, row r in Y(2r) (columns 0-7) and Y(2r+1)
// (columns 8-15); Y12, Y13 hold B's row, Y14 the broadcast A value.
TEXT ·kernelAVX2(SB), NOSPLIT, $0-97
	MOVQ kc+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), DI
	MOVQ c_base+56(FP), DX
	MOVQ ldb+80(FP), R10
	SHLQ $2, R10
	MOVQ ldc+88(FP), R8
	SHLQ $2, R8

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	TESTQ CX, CX
	JZ    epilogue

loop:
	VMOVUPS      (DI), Y12
	VMOVUPS      32(DI), Y13
	VBROADCASTSS (SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS 4(SI), Y14
	VFMADD231PS  Y12, Y14, Y2
	VFMADD231PS  Y13, Y14, Y3
	VBROADCASTSS 8(SI), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS 12(SI), Y14
	VFMADD231PS  Y12, Y14, Y6
	VFMADD231PS  Y13, Y14, Y7
	VBROADCASTSS 16(SI), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS 20(SI), Y14
	VFMADD231PS  Y12, Y14, Y10
	VFMADD231PS  Y13, Y14, Y11
	ADDQ         $24, SI
	ADDQ         R10, DI
	DECQ         CX
	JNZ          loop

epilogue:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      store
	MOVQ    DX, R9
	VADDPS  (R9), Y0, Y0
	VADDPS  32(R9), Y1, Y1
	ADDQ    R8, R9
	VADDPS  (R9), Y2, Y2
	VADDPS  32(R9), Y3, Y3
	ADDQ    R8, R9
	VADDPS  (R9), Y4, Y4
	VADDPS  32(R9), Y5, Y5
	ADDQ    R8, R9
	VADDPS  (R9), Y6, Y6
	VADDPS  32(R9), Y7, Y7
	ADDQ    R8, R9
	VADDPS  (R9), Y8, Y8
	VADDPS  32(R9), Y9, Y9
	ADDQ    R8, R9
	VADDPS  (R9), Y10, Y10
	VADDPS  32(R9), Y11, Y11

store:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
