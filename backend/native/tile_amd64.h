// Macros the micro-kernels share for moving a tile between its
// accumulators and the output c, whose rows are R8 bytes apart: a row of
// two ZMM (32 floats) or two YMM (16 floats), or of four ZMM (64 floats).

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

// BCASTFMA multiplies the A value at off(SI), broadcast into b, by B's
// row x0, x1 and adds the products to za, zb.
#define BCASTFMA(off, b, x0, x1, za, zb) \
	VBROADCASTSS off(SI), b; \
	VFMADD231PS  x0, b, za; \
	VFMADD231PS  x1, b, zb
