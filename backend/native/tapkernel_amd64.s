//go:build amd64 && !purego

#include "textflag.h"
#include "tile_amd64.h"

// func tapKernelAVX2(kc int, a, b *float32, offs *int32, c *float32, ldc int, acc bool)
//
// kernelAVX2's 6×16 tile with B's row k read at b+offs[k] (tapconv.go):
// SI walks A, R12 the offsets, DI is B's column 0; Y0..Y11 hold the tile,
// Y12, Y13 B's row, Y14 the broadcast A value.
TEXT ·tapKernelAVX2(SB), NOSPLIT, $0-49
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ offs+24(FP), R12
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
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
	MOVLQSX (R12), R11
	VMOVUPS (DI)(R11*4), Y12
	VMOVUPS 32(DI)(R11*4), Y13
	BCASTFMA(0, Y14, Y12, Y13, Y0, Y1)
	BCASTFMA(4, Y14, Y12, Y13, Y2, Y3)
	BCASTFMA(8, Y14, Y12, Y13, Y4, Y5)
	BCASTFMA(12, Y14, Y12, Y13, Y6, Y7)
	BCASTFMA(16, Y14, Y12, Y13, Y8, Y9)
	BCASTFMA(20, Y14, Y12, Y13, Y10, Y11)
	ADDQ         $24, SI
	ADDQ         $4, R12
	DECQ         CX
	JNZ          loop

epilogue:
	MOVBQZX acc+48(FP), AX
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
