package native

// The GEMM core: C[M×N] (+)= A[M×K]·B[K×N] over packed panels.
//
// A is packed into strips of mr rows, each k-block of a strip stored
// k-major: panel[k][r] = A[strip·mr+r][k0+k], rows past M zero. B's k-block
// is copied (for a convolution, gathered by im2col) into a row panel
// [kc][ldb] holding the task's columns; ldb is an odd multiple of nr, so
// that the kc rows of one nr-column strip fall in different cache sets and
// the strip stays in L1 while the kernel sweeps A. The micro-kernel
// multiplies one A strip by one B strip over kc steps into an mr×nr tile
// of C; columns of B past N hold anything, since the tile's columns are
// independent and the edge tiles' extra columns are dropped.

// The tile, mr×nr, is the micro-kernel's (isa.go): 6×16 for AVX2 and Go,
// 8×32 for AVX-512.
const (
	kcMax = 256 // k-block: an nr-column B strip of kc rows stays in L1
	mcMax = 120 // rows of A per pass over a B panel (a multiple of every mr): mc·kc in L2
	ncMax = 256 // B columns per task at most: ncMax·kc floats of packed B
)

// kernelFunc computes the mr×nr tile c[r·ldc+j] = Σ_k a[k·mr+r]·b[k·ldb+j],
// added to c's values when acc. a holds kc·mr values, b (kc−1)·ldb+nr.
type kernelFunc func(kc int, a, b, c []float32, ldb, ldc int, acc bool)

// kernelRef is the reference of the micro-kernels of an mr×nr tile:
//
//	for r < mr, j < nr: c[r·ldc+j] (+)= Σ_{k<kc} a[k·mr+r]·b[k·ldb+j]
func kernelRef(mr, nr, kc int, a, b, c []float32, ldb, ldc int, acc bool) {
	for r := 0; r < mr; r++ {
		for j := 0; j < nr; j++ {
			var s float32
			for k := 0; k < kc; k++ {
				s += a[k*mr+r] * b[k*ldb+j]
			}
			if acc {
				c[r*ldc+j] += s
			} else {
				c[r*ldc+j] = s
			}
		}
	}
}

// kernelGo is the pure-Go micro-kernel of the 6×16 tile, in 2×4
// sub-tiles whose eight accumulators stay in registers over the k loop.
func kernelGo(kc int, a, b, c []float32, ldb, ldc int, acc bool) {
	const mr, nr = 6, 16
	a = a[:kc*mr]
	b = b[:(kc-1)*ldb+nr]
	_ = c[(mr-1)*ldc+nr-1]
	for r := 0; r < mr; r += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			ai, bi := r, j
			for k := 0; k < kc; k++ {
				ap := (*[2]float32)(a[ai:])
				bp := (*[4]float32)(b[bi:])
				a0, a1 := ap[0], ap[1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
				ai += mr
				bi += ldb
			}
			r0 := (*[4]float32)(c[r*ldc+j:])
			r1 := (*[4]float32)(c[(r+1)*ldc+j:])
			if acc {
				r0[0] += c00
				r0[1] += c01
				r0[2] += c02
				r0[3] += c03
				r1[0] += c10
				r1[1] += c11
				r1[2] += c12
				r1[3] += c13
			} else {
				r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
				r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
			}
		}
	}
}

// packA packs rows [0, m) and columns [k0, k0+kc) of the row-major matrix
// a (row stride lda) into strips of mr rows: strip i at dst[i·mr·kc:],
// panel[k][r]; rows from m up to the strip's end are zero.
func packA(dst, a []float32, lda, m, k0, kc, mr int) {
	strips := (m + mr - 1) / mr
	for i := 0; i < strips; i++ {
		p := dst[i*mr*kc : (i+1)*mr*kc]
		for r := 0; r < mr; r++ {
			row := i*mr + r
			if row >= m {
				for k := 0; k < kc; k++ {
					p[k*mr+r] = 0
				}
				continue
			}
			src := a[row*lda+k0 : row*lda+k0+kc]
			for k, v := range src {
				p[k*mr+r] = v
			}
		}
	}
}

// packGroups packs the weights w of groups convolution groups, each an
// m×k row-major matrix, for a micro-kernel of mr rows: group by group,
// k-block by k-block (blocks of kc, the last maybe shorter), each block
// as packA lays it out. Group g's values start at g·packedA(m, k, mr),
// its block at k0 packedA(m, k0, mr) further on.
func packGroups(w []float32, groups, m, k, kc, mr int) []float32 {
	dst := make([]float32, groups*packedA(m, k, mr))
	for grp := 0; grp < groups; grp++ {
		wg := w[grp*m*k : (grp+1)*m*k]
		base := grp * packedA(m, k, mr)
		for k0 := 0; k0 < k; k0 += kc {
			packA(dst[base+packedA(m, k0, mr):], wg, k, m, k0, min(kc, k-k0), mr)
		}
	}
	return dst
}

// packedA is the packed size of an m×k matrix in strips of mr rows.
func packedA(m, k, mr int) int { return (m + mr - 1) / mr * mr * k }

// ldbFor is the row length of a B panel of ncols columns: whole strips of
// nr, an odd number of them.
func ldbFor(ncols, nr int) int {
	strips := (ncols + nr - 1) / nr
	return (strips | 1) * nr
}

// gemmBlock computes the rows [m0, m1) and columns [n0, n0+ncols) of C
// for one k-block: ap holds A's k-block packed (all strips, kc each), bp
// the B panel of those columns, rows ldb apart, c the output with row
// stride ldc (c[0] is row 0, column 0 of C). acc adds to C. tile is mr·nr
// floats of scratch for the edges. fin, unless nil, finishes C with a
// residual convolution's epilogue, C holding the residual (see
// tileFinish): there is one k-block, and acc is false.
func gemmBlock(mk *microKernel, ap, bp, c []float32, ldb, ldc, m0, m1, n0, ncols, kc int, acc bool, tile []float32, fin *tileFinish) {
	k, mr, nr := mk.f, mk.mr, mk.nr
	strips := (ncols + nr - 1) / nr
	for mb := m0; mb < m1; mb += mcMax {
		me := min(m1, mb+mcMax)
		for s := 0; s < strips; s++ {
			b := bp[s*nr:]
			col := n0 + s*nr
			cols := min(nr, ncols-s*nr)
			f, width := k, mk.width(cols)
			if width < nr {
				f = mk.half
			}
			for row := mb; row < me; row += mr {
				a := ap[row*kc : (row+mr)*kc]
				rows := min(mr, me-row)
				if rows == mr && cols == nr && fin != nil {
					mk.res(kc, a, b, c[row*ldc+col:], ldb, ldc, &fin.bias[row], fin.relu)
					continue
				}
				if rows == mr && cols == width && fin == nil {
					f(kc, a, b, c[row*ldc+col:], ldb, ldc, acc)
					continue
				}
				// An edge tile goes through scratch, which needs C's
				// values only when the kernel adds to them.
				if acc {
					for r := 0; r < rows; r++ {
						copy(tile[r*width:r*width+cols], c[(row+r)*ldc+col:(row+r)*ldc+col+cols])
					}
				}
				f(kc, a, b, tile, ldb, width, acc)
				if fin != nil {
					fin.tile(tile, width, c[row*ldc+col:], ldc, row, rows, cols)
				}
				for r := 0; r < rows; r++ {
					copy(c[(row+r)*ldc+col:(row+r)*ldc+col+cols], tile[r*width:r*width+cols])
				}
			}
		}
	}
}

// A tileFinish is the epilogue gemmBlock applies to a residual
// convolution's tiles as it computes them, the output written over the
// residual (residualInPlace): full tiles in the micro-kernel (mk.res),
// with bias, one per row of C (zeros for none), and relu; edge tiles in
// scratch by the instruction set's epilogue (ep's Go loop where it has
// none), the same operations in the same order.
type tileFinish struct {
	ep   *epilogue
	bias []float32
	relu bool
}

// tile finishes an edge tile's sums in place in scratch, rows by cols
// (rows width apart), from row r0 of C: res holds their residual, rows
// ldr apart.
func (t *tileFinish) tile(sums []float32, width int, res []float32, ldr, r0, rows, cols int) {
	if tileFast(sums, sums, width, res, ldr, rows, cols, perRow(t.ep.bias, r0, rows), nil, nil, t.relu) {
		return
	}
	for r := 0; r < rows; r++ {
		row := sums[r*width : r*width+cols]
		t.ep.apply(row, row, res[r*ldr:r*ldr+cols], r0+r)
	}
}
