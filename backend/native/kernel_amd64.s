//go:build amd64 && !purego

#include "textflag.h"
#include "tile_amd64.h"

// func kernelAVX2(kc int, a, b, c []float32, ldb, ldc int, acc bool)
//
// Registers: SI walks A (6 floats per k), DI walks B (ldb floats per k), CX
// counts k down; Y0..Y11 hold the tile, row r in Y(2r) (columns 0-7) and Y(2r+1)
// (columns 8-15); Y12, Y13 hold B's row, Y14 the broadcast A value.
TEXT ·kernelAVX2(SB), NOSPLIT, $0-97
	KERNELARGS

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
	BCASTFMA(0, Y14, Y12, Y13, Y0, Y1)
	BCASTFMA(4, Y14, Y12, Y13, Y2, Y3)
	BCASTFMA(8, Y14, Y12, Y13, Y4, Y5)
	BCASTFMA(12, Y14, Y12, Y13, Y6, Y7)
	BCASTFMA(16, Y14, Y12, Y13, Y8, Y9)
	BCASTFMA(20, Y14, Y12, Y13, Y10, Y11)
	ADDQ         $24, SI
	ADDQ         R10, DI
	DECQ         CX
	JNZ          loop

epilogue:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      store
	MOVQ    DX, R9
	ADDROWY(Y0, Y1)
	ADDROWY(Y2, Y3)
	ADDROWY(Y4, Y5)
	ADDROWY(Y6, Y7)
	ADDROWY(Y8, Y9)
	ADDROWY(Y10, Y11)

store:
	STOREROWY(Y0, Y1)
	STOREROWY(Y2, Y3)
	STOREROWY(Y4, Y5)
	STOREROWY(Y6, Y7)
	STOREROWY(Y8, Y9)
	STOREROWY(Y10, Y11)
	VZEROUPPER
	RET

// func kernelAVX2x8(kc int, a, b, c []float32, ldb, ldc int, acc bool)
//
// kernelAVX2's tile half as wide, 6×8, for a last strip of B no wider:
// row r in Y(r), B's row in Y12.
TEXT ·kernelAVX2x8(SB), NOSPLIT, $0-97
	KERNELARGS
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	TESTQ CX, CX
	JZ    epilogue8

loop8:
	VMOVUPS      (DI), Y12
	VBROADCASTSS 0(SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VBROADCASTSS 4(SI), Y14
	VFMADD231PS  Y12, Y14, Y1
	VBROADCASTSS 8(SI), Y14
	VFMADD231PS  Y12, Y14, Y2
	VBROADCASTSS 12(SI), Y14
	VFMADD231PS  Y12, Y14, Y3
	VBROADCASTSS 16(SI), Y14
	VFMADD231PS  Y12, Y14, Y4
	VBROADCASTSS 20(SI), Y14
	VFMADD231PS  Y12, Y14, Y5
	ADDQ         $24, SI
	ADDQ         R10, DI
	DECQ         CX
	JNZ          loop8

epilogue8:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      store8
	MOVQ    DX, R9
	ADDROW1(Y0)
	ADDROW1(Y1)
	ADDROW1(Y2)
	ADDROW1(Y3)
	ADDROW1(Y4)
	ADDROW1(Y5)

store8:
	STOREROW1(Y0)
	STOREROW1(Y1)
	STOREROW1(Y2)
	STOREROW1(Y3)
	STOREROW1(Y4)
	STOREROW1(Y5)
	VZEROUPPER
	RET
