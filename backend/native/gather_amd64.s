//go:build amd64 && !purego

#include "textflag.h"

// func gather2AVX2(dst, src *float32, n int)
//
// dst[i] = src[2i] for i < n, n a multiple of 8, reading src[0, 2n): each
// step loads sixteen values, keeps the even ones of each 128-bit lane
// (VSHUFPS) and puts the lanes' pairs back in order (VPERMPD).
TEXT ·gather2AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VPERMPD $0xD8, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET

DATA maxSign<>+0(SB)/4, $0x80000000
GLOBL maxSign<>(SB), RODATA|NOPTR, $4

// func maxAVX2(dst, src *float32, n int)
//
// dst[i] = max(dst[i], src[i]) for i < n, n a multiple of 8, with Go's
// semantics (a NaN wins, +0 beats −0): the sequence the Go compiler emits
// for max, eight lanes at a time: negate both, take the minimum both ways
// round and OR them, negate back.
TEXT ·maxAVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS maxSign<>(SB), Y2
	SHRQ         $3, CX
	JZ           maxdone

maxloop:
	VXORPS  (DI), Y2, Y0
	VXORPS  (SI), Y2, Y1
	VMINPS  Y1, Y0, Y3
	VMINPS  Y0, Y3, Y4
	VORPS   Y3, Y4, Y4
	VXORPS  Y2, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     maxloop

maxdone:
	VZEROUPPER
	RET
