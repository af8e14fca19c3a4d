//go:build amd64 && !purego

#include "textflag.h"
#include "tile_amd64.h"
// func kernelAVX512(kc int, a, b, c []float32, ldb, ldc int, acc bool)
//
// Registers: SI walks A (8 floats per k), DI walks B (ldb floats per k), CX
// counts k down; Z0..Z15 hold the tile, row r in Z(2r) (columns 0-15) and
// Z(2r+1) (columns 16-31); Z16, Z17 hold B's row. The even rows' A values
// are broadcast into Z18..Z21 (one register per row, so that no broadcast
// waits on an FMA), the odd rows' by the FMAs themselves (BCASTFMAZ).
TEXT ·kernelAVX512(SB), NOSPLIT, $0-97
	KERNELARGS
	ZEROTILE

	TESTQ CX, CX
	JZ    epilogue

loop:
	STEP8X32
	DECQ CX
	JNZ  loop

epilogue:
	MOVBQZX acc+96(FP), AX
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

// func kernelAVX512x16(kc int, a, b, c []float32, ldb, ldc int, acc bool)
//
// kernelAVX512's tile half as wide, 8×16, for a last strip of B no wider:
// row r in Z(r), B's row in Z16, each A value broadcast by its FMA (with
// one FMA a row, a separate broadcast would be a load all the same). Eight
// accumulators are as many as two FMA units of four cycles' latency keep
// busy.
TEXT ·kernelAVX512x16(SB), NOSPLIT, $0-97
	KERNELARGS
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	TESTQ CX, CX
	JZ    epilogue16

loop16:
	VMOVUPS (DI), Z16
	VFMADD231PS.BCST 0(SI), Z16, Z0
	VFMADD231PS.BCST 4(SI), Z16, Z1
	VFMADD231PS.BCST 8(SI), Z16, Z2
	VFMADD231PS.BCST 12(SI), Z16, Z3
	VFMADD231PS.BCST 16(SI), Z16, Z4
	VFMADD231PS.BCST 20(SI), Z16, Z5
	VFMADD231PS.BCST 24(SI), Z16, Z6
	VFMADD231PS.BCST 28(SI), Z16, Z7
	ADDQ    $32, SI
	ADDQ    R10, DI
	DECQ    CX
	JNZ     loop16

epilogue16:
	MOVBQZX acc+96(FP), AX
	TESTQ   AX, AX
	JZ      store16
	MOVQ    DX, R9
	ADDROW1(Z0)
	ADDROW1(Z1)
	ADDROW1(Z2)
	ADDROW1(Z3)
	ADDROW1(Z4)
	ADDROW1(Z5)
	ADDROW1(Z6)
	ADDROW1(Z7)

store16:
	STOREROW1(Z0)
	STOREROW1(Z1)
	STOREROW1(Z2)
	STOREROW1(Z3)
	STOREROW1(Z4)
	STOREROW1(Z5)
	STOREROW1(Z6)
	STOREROW1(Z7)
	VZEROUPPER
	RET

// func kernelAVX512Res(kc int, a, b, c []float32, ldb, ldc int, bias *float32, relu bool)
//
// kernelAVX512 over a single k-block, finishing the tile in registers
// with a residual convolution's epilogue where the residual is c itself
// (the output written over it): row r of c becomes
// max(floor, ((Σ + bias[r]) + c[r])·1 + 0), floor 0 for a relu and −Inf
// otherwise, the very operations epilogueAVX512 does in its order, so
// that the result is its bit for bit. The residual's lines are
// prefetched as the tile starts.
TEXT ·kernelAVX512Res(SB), NOSPLIT, $0-105
	KERNELARGS
	MOVQ DX, R9
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	ZEROTILE

	TESTQ CX, CX
	JZ    finish

loopr:
	STEP8X32
	DECQ CX
	JNZ  loopr

finish:
	MOVQ         bias+96(FP), R11
	MOVL         $0x3f800000, AX
	VPBROADCASTD AX, Z17 // 1, the epilogue's scale
	VPXORD       Z18, Z18, Z18 // 0, its shift
	MOVL         $0xff800000, AX
	MOVBLZX      relu+104(FP), CX
	TESTL        CX, CX
	JZ           floor
	XORL         AX, AX

floor:
	VPBROADCASTD AX, Z19 // 0 for a relu, −Inf for none
	FINROW(0, Z0, Z1)
	FINROW(4, Z2, Z3)
	FINROW(8, Z4, Z5)
	FINROW(12, Z6, Z7)
	FINROW(16, Z8, Z9)
	FINROW(20, Z10, Z11)
	FINROW(24, Z12, Z13)
	FINROW(28, Z14, Z15)
	VZEROUPPER
	RET
