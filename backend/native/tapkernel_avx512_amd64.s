//go:build amd64 && !purego

#include "textflag.h"
#include "tile_amd64.h"

// func tapKernelAVX512(kc int, a, b *float32, offs *int32, c *float32, ldc int, acc bool)
//
// kernelAVX512's 8×32 tile with B's row k read at b+offs[k] (tapconv.go):
// SI walks A, R12 the offsets, DI is B's column 0; Z0..Z15 hold the tile,
// Z16, Z17 B's row, Z18..Z21 the even rows' broadcast A values (the odd
// rows' broadcast by their FMAs, as there).
TEXT ·tapKernelAVX512(SB), NOSPLIT, $0-49
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ offs+24(FP), R12
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	ZEROTILE

	TESTQ CX, CX
	JZ    epilogue

loop:
	MOVLQSX (R12), R11
	VMOVUPS (DI)(R11*4), Z16
	VMOVUPS 64(DI)(R11*4), Z17
	BCASTFMA(0, Z18, Z16, Z17, Z0, Z1)
	BCASTFMAZ(4, Z16, Z17, Z2, Z3)
	BCASTFMA(8, Z19, Z16, Z17, Z4, Z5)
	BCASTFMAZ(12, Z16, Z17, Z6, Z7)
	BCASTFMA(16, Z20, Z16, Z17, Z8, Z9)
	BCASTFMAZ(20, Z16, Z17, Z10, Z11)
	BCASTFMA(24, Z21, Z16, Z17, Z12, Z13)
	BCASTFMAZ(28, Z16, Z17, Z14, Z15)
	ADDQ         $32, SI
	ADDQ         $4, R12
	DECQ         CX
	JNZ          loop

epilogue:
	MOVBQZX acc+48(FP), AX
	TESTQ   AX, AX
	JZ      store
	MOVQ    DX, R9
	ADDROW(Z0, Z1)
	ADDROW(Z2, Z3)
	ADDROW(Z4, Z5)
	ADDROW(Z6, Z7)
	ADDROW(Z8, Z9)
	ADDROW(Z10, Z11)
	ADDROW(Z12, Z13)
	ADDROW(Z14, Z15)

store:
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

// func tapKernelAVX512x4(kc int, a, b *float32, offs *int32, c *float32, ldc int, acc bool)
//
// The 4×64 tile, for groups of four output channels (ResNeXt's first
// stage), which the 8×32 tile would compute half of in vain: Z0..Z15 hold
// it, row r in Z(4r)..Z(4r+3); Z16..Z19 hold B's row, Z20..Z23 the
// broadcast A values.
TEXT ·tapKernelAVX512x4(SB), NOSPLIT, $0-49
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ offs+24(FP), R12
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	ZEROTILE

	TESTQ CX, CX
	JZ    epilogue4

loop4:
	MOVLQSX (R12), R11
	VMOVUPS 0(DI)(R11*4), Z16
	VMOVUPS 64(DI)(R11*4), Z17
	VMOVUPS 128(DI)(R11*4), Z18
	VMOVUPS 192(DI)(R11*4), Z19
	BCASTFMA(0, Z20, Z16, Z17, Z0, Z1)
	VFMADD231PS  Z18, Z20, Z2
	VFMADD231PS  Z19, Z20, Z3
	BCASTFMA(4, Z21, Z16, Z17, Z4, Z5)
	VFMADD231PS  Z18, Z21, Z6
	VFMADD231PS  Z19, Z21, Z7
	BCASTFMA(8, Z22, Z16, Z17, Z8, Z9)
	VFMADD231PS  Z18, Z22, Z10
	VFMADD231PS  Z19, Z22, Z11
	BCASTFMA(12, Z23, Z16, Z17, Z12, Z13)
	VFMADD231PS  Z18, Z23, Z14
	VFMADD231PS  Z19, Z23, Z15
	ADDQ         $16, SI
	ADDQ         $4, R12
	DECQ         CX
	JNZ          loop4

epilogue4:
	MOVBQZX acc+48(FP), AX
	TESTQ   AX, AX
	JZ      store4
	MOVQ    DX, R9
	ADDROW4(Z0, Z1, Z2, Z3)
	ADDROW4(Z4, Z5, Z6, Z7)
	ADDROW4(Z8, Z9, Z10, Z11)
	ADDROW4(Z12, Z13, Z14, Z15)

store4:
	STOREROW4(Z0, Z1, Z2, Z3)
	STOREROW4(Z4, Z5, Z6, Z7)
	STOREROW4(Z8, Z9, Z10, Z11)
	STOREROW4(Z12, Z13, Z14, Z15)
	VZEROUPPER
	RET
