package native

import "unsafe"

// The Winograd transforms of one tile row, the unit the vector kernels
// work in (16 tiles per ZMM register, masked tails); winoInGo and
// winoOutGo are their pure-Go twins and references.

// winoInFunc is the input transform of n tiles along a tile row: the
// first tile's 4×4 patch d_0 starts at row y0 and column x0 of the h×w
// plane, either possibly negative (values outside the plane are zeros,
// the convolution's padding), tile t's 2t columns further; dst is the
// first tile's column in position 0's panel, position p's pstride floats
// on:
//
//	dst[p·pstride + t] = (Bᵀ d_t B)[p]
//
// for chans channels, their planes cstride floats apart and their rows in
// the panels dstride apart.
type winoInFunc func(plane *float32, y0, x0, h, w int, dst *float32, pstride, n, chans, cstride, dstride int)

// winoOutFunc is the output transform of n tiles along a tile row: src is
// the first tile's value in position 0's GEMM result, position p's
// pstride floats on; it writes the first w (≤ 2n) columns of rows (1 or
// 2) output rows of Aᵀ M_t A from dst on, rows ld floats apart.
type winoOutFunc func(src *float32, pstride int, dst *float32, ld, n, w, rows int)

// winoIn runs the active instruction set's input transform, or Go's.
func winoIn(plane []float32, y0, x0, h, w int, dst []float32, pstride, n, chans, cstride, dstride int) {
	if f := active.winoIn; f != nil {
		_ = plane[(chans-1)*cstride+h*w-1]
		_ = dst[15*pstride+(chans-1)*dstride+n-1]
		f(unsafe.SliceData(plane), y0, x0, h, w, unsafe.SliceData(dst), pstride, n, chans, cstride, dstride)
		return
	}
	for c := 0; c < chans; c++ {
		winoInGo(plane[c*cstride:c*cstride+h*w], y0, x0, h, w, dst[c*dstride:], pstride, n)
	}
}

// winoOut runs the active instruction set's output transform, or Go's.
func winoOut(src []float32, pstride int, dst []float32, ld, n, w, rows int) {
	if f := active.winoOut; f != nil {
		_ = src[15*pstride+n-1]
		_ = dst[(rows-1)*ld+w-1]
		f(unsafe.SliceData(src), pstride, unsafe.SliceData(dst), ld, n, w, rows)
		return
	}
	winoOutGo(src, pstride, dst, ld, n, w, rows)
}

// winoInGo is winoInFunc in Go, a tile at a time.
func winoInGo(plane []float32, y0, x0, h, w int, dst []float32, pstride, n int) {
	for t := 0; t < n; t++ {
		var d [16]float32
		for i := 0; i < 4; i++ {
			y := y0 + i
			if y < 0 || y >= h {
				continue
			}
			for j := 0; j < 4; j++ {
				if x := x0 + 2*t + j; x >= 0 && x < w {
					d[4*i+j] = plane[y*w+x]
				}
			}
		}
		// Bᵀ d: rows d0−d2, d1+d2, d2−d1, d1−d3; then the same on each
		// row's columns.
		var x [16]float32
		for j := 0; j < 4; j++ {
			d0, d1, d2, d3 := d[j], d[4+j], d[8+j], d[12+j]
			x[j], x[4+j], x[8+j], x[12+j] = d0-d2, d1+d2, d2-d1, d1-d3
		}
		for i := 0; i < 4; i++ {
			x0, x1, x2, x3 := x[4*i], x[4*i+1], x[4*i+2], x[4*i+3]
			o := 4*i*pstride + t
			dst[o] = x0 - x2
			dst[o+pstride] = x1 + x2
			dst[o+2*pstride] = x2 - x1
			dst[o+3*pstride] = x1 - x3
		}
	}
}

// winoOutGo is winoOutFunc in Go, a tile at a time.
func winoOutGo(src []float32, pstride int, dst []float32, ld, n, w, rows int) {
	for t := 0; t < n; t++ {
		var q [16]float32
		for p := range q {
			q[p] = src[p*pstride+t]
		}
		// Aᵀ q: rows q0+q1+q2, q1−q2−q3; then the same on columns.
		var a [8]float32
		for j := 0; j < 4; j++ {
			q0, q1, q2, q3 := q[j], q[4+j], q[8+j], q[12+j]
			a[j], a[4+j] = q0+q1+q2, q1-q2-q3
		}
		x := 2 * t
		for i := 0; i < rows; i++ {
			x0, x1, x2, x3 := a[4*i], a[4*i+1], a[4*i+2], a[4*i+3]
			row := dst[i*ld:]
			if x < w {
				row[x] = x0 + x1 + x2
			}
			if x+1 < w {
				row[x+1] = x1 - x2 - x3
			}
		}
	}
}
