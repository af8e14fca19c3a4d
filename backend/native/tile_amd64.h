// Macros the micro-kernels share for moving a tile between its
// accumulators and the output c, whose rows are R8 bytes apart: a row of
// two ZMM (32 floats) or two YMM (16 floats), of four ZMM (64 floats), or
// of one register.

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

// ADDROW1 and STOREROW1 are ADDROW and STOREROW for rows of one register
// (the half-width kernels' tiles), ZMM or YMM.
#define ADDROW1(z) \
	VADDPS (R9), z, z; \
	ADDQ   R8, R9

#define STOREROW1(z) \
	VMOVUPS z, (DX); \
	ADDQ    R8, DX

// ADDROW4 and STOREROW4 are ADDROW and STOREROW for rows of four ZMM.
#define ADDROW4(z0, z1, z2, z3) \
	VADDPS (R9), z0, z0; \
	VADDPS 64(R9), z1, z1; \
	VADDPS 128(R9), z2, z2; \
	VADDPS 192(R9), z3, z3; \
	ADDQ   R8, R9

#define STOREROW4(z0, z1, z2, z3) \
	VMOVUPS z0, (DX); \
	VMOVUPS z1, 64(DX); \
	VMOVUPS z2, 128(DX); \
	VMOVUPS z3, 192(DX); \
	ADDQ    R8, DX

// ADDROWY and STOREROWY are ADDROW and STOREROW for rows of two YMM.
#define ADDROWY(ya, yb) \
	VADDPS (R9), ya, ya; \
	VADDPS 32(R9), yb, yb; \
	ADDQ   R8, R9

#define STOREROWY(ya, yb) \
	VMOVUPS ya, (DX); \
	VMOVUPS yb, 32(DX); \
	ADDQ    R8, DX

// KERNELARGS loads a kernelFunc's arguments (kernel_amd64.go): CX kc,
// SI a, DI b, DX c, R10 ldb and R8 ldc, both in bytes.
#define KERNELARGS \
	MOVQ kc+0(FP), CX; \
	MOVQ a_base+8(FP), SI; \
	MOVQ b_base+32(FP), DI; \
	MOVQ c_base+56(FP), DX; \
	MOVQ ldb+80(FP), R10; \
	SHLQ $2, R10; \
	MOVQ ldc+88(FP), R8; \
	SHLQ $2, R8

// BCASTFMA multiplies the A value at off(SI), broadcast into b, by B's
// row x0, x1 and adds the products to za, zb: AVX2's way.
#define BCASTFMA(off, b, x0, x1, za, zb) \
	VBROADCASTSS off(SI), b; \
	VFMADD231PS  x0, b, za; \
	VFMADD231PS  x1, b, zb

// BCASTFMAZ is BCASTFMA for ZMM with AVX-512's embedded broadcast: each
// FMA reads the value itself, one fused µop where BCASTFMA spends a third
// on the broadcast, but two loads where it has one. The 8×32 kernels and
// the 14-pixel one use it for every other row: fewer µops per FMA, and at
// most 14 loads per 8 FMA cycles, under the two a cycle of AVX-512 cores
// before Sapphire Rapids. On a Sapphire Rapids core the 8×32 kernel ran
// 4–12% faster so in L1 (interleaved with the old one), every row
// broadcast by the FMAs no faster than that.
#define BCASTFMAZ(off, x0, x1, za, zb) \
	VFMADD231PS.BCST off(SI), x0, za; \
	VFMADD231PS.BCST off(SI), x1, zb

// FINROW finishes the row of a tile in za, zb whose bias is at off(R11)
// and whose residual, the row of c at DX, it overwrites, with
// epilogueAVX512's operations in its order (kernelAVX512Res): Z16 takes
// the bias, Z17 holds 1, Z18 0 and Z19 the relu's floor.
#define FINROW(off, za, zb) \
	VBROADCASTSS off(R11), Z16; \
	VADDPS       Z16, za, za; \
	VADDPS       Z16, zb, zb; \
	VADDPS       (DX), za, za; \
	VADDPS       64(DX), zb, zb; \
	VMULPS       Z17, za, za; \
	VMULPS       Z17, zb, zb; \
	VADDPS       Z18, za, za; \
	VADDPS       Z18, zb, zb; \
	VMAXPS       za, Z19, za; \
	VMAXPS       zb, Z19, zb; \
	VMOVUPS      za, (DX); \
	VMOVUPS      zb, 64(DX); \
	ADDQ         R8, DX

// ZEROTILE zeroes Z0..Z15, the 16 ZMM accumulators of the AVX-512 tiles.
#define ZEROTILE \
	VPXORD Z0, Z0, Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z2, Z2, Z2; \
	VPXORD Z3, Z3, Z3; \
	VPXORD Z4, Z4, Z4; \
	VPXORD Z5, Z5, Z5; \
	VPXORD Z6, Z6, Z6; \
	VPXORD Z7, Z7, Z7; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11; \
	VPXORD Z12, Z12, Z12; \
	VPXORD Z13, Z13, Z13; \
	VPXORD Z14, Z14, Z14; \
	VPXORD Z15, Z15, Z15

// STEP8X32 is one k of the 8×32 kernels (kernelAVX512, kernelAVX512Res):
// B's row into Z16, Z17, the even rows' A values broadcast into Z18..Z21,
// the odd rows' by the FMAs, then SI and DI on to the next k.
#define STEP8X32 \
	VMOVUPS (DI), Z16; \
	VMOVUPS 64(DI), Z17; \
	BCASTFMA(0, Z18, Z16, Z17, Z0, Z1); \
	BCASTFMAZ(4, Z16, Z17, Z2, Z3); \
	BCASTFMA(8, Z19, Z16, Z17, Z4, Z5); \
	BCASTFMAZ(12, Z16, Z17, Z6, Z7); \
	BCASTFMA(16, Z20, Z16, Z17, Z8, Z9); \
	BCASTFMAZ(20, Z16, Z17, Z10, Z11); \
	BCASTFMA(24, Z21, Z16, Z17, Z12, Z13); \
	BCASTFMAZ(28, Z16, Z17, Z14, Z15); \
	ADDQ $32, SI; \
	ADDQ R10, DI

// PREFETCHROW fetches the two lines of a 32-float row of c at R9 into L1
// and steps R9 to the next row.
#define PREFETCHROW \
	PREFETCHT0 (R9); \
	PREFETCHT0 64(R9); \
	ADDQ       R8, R9
