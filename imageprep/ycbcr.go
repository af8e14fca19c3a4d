package imageprep

import "image"

// JPEG colour conversion as libjpeg (and so PIL) does it, rather than Go's
// color.YCbCrToRGB, which rounds differently; and libjpeg's default
// "fancy" (triangle-filter) chroma upsampling for 4:2:2 and 4:2:0 rather
// than Go's pixel replication, which differs by tens of levels along
// colour edges. The IDCT stays Go's, so samples can still differ from
// libjpeg's by a unit or two.

// libjpeg's jdcolor.c tables, SCALEBITS = 16.
var crR, cbB, crG, cbG [256]int32

func init() {
	const half = 1 << 15
	fix := func(x float64) int32 { return int32(x*(1<<16) + 0.5) }
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (fix(1.40200)*x + half) >> 16
		cbB[i] = (fix(1.77200)*x + half) >> 16
		crG[i] = -fix(0.71414) * x
		cbG[i] = -fix(0.34414)*x + half
	}
}

func clamp255(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

func yccPixel(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y)
	return clamp255(yy + crR[cr]), clamp255(yy + (cbG[cb]+crG[cr])>>16), clamp255(yy + cbB[cb])
}

// ycbcrToRGB converts a decoded JPEG's planes. It handles 4:4:4, 4:2:2 and
// 4:2:0 images whose rectangle starts at the origin (as image/jpeg
// returns them) and reports false for anything else.
func ycbcrToRGB(m *image.YCbCr) (*RGB, bool) {
	if m.Rect.Min != (image.Point{}) {
		return nil, false
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	var cb, cr []uint8 // full-resolution chroma, w×h
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		out := newRGB(w, h)
		for y := range h {
			for x := range w {
				i := 3 * (y*w + x)
				c := y*m.CStride + x
				out.Pix[i], out.Pix[i+1], out.Pix[i+2] = yccPixel(m.Y[y*m.YStride+x], m.Cb[c], m.Cr[c])
			}
		}
		return out, true
	case image.YCbCrSubsampleRatio422:
		cw := (w + 1) / 2
		cb, cr = make([]uint8, w*h), make([]uint8, w*h)
		row := make([]uint8, 2*cw)
		for y := range h {
			h2v1(m.Cb[y*m.CStride:y*m.CStride+cw], row)
			copy(cb[y*w:(y+1)*w], row)
			h2v1(m.Cr[y*m.CStride:y*m.CStride+cw], row)
			copy(cr[y*w:(y+1)*w], row)
		}
	case image.YCbCrSubsampleRatio420:
		cw, ch := (w+1)/2, (h+1)/2
		cb, cr = h2v2(m.Cb, m.CStride, cw, ch, w, h), h2v2(m.Cr, m.CStride, cw, ch, w, h)
	default:
		return nil, false
	}
	out := newRGB(w, h)
	for y := range h {
		for x := range w {
			i := 3 * (y*w + x)
			out.Pix[i], out.Pix[i+1], out.Pix[i+2] = yccPixel(m.Y[y*m.YStride+x], cb[y*w+x], cr[y*w+x])
		}
	}
	return out, true
}

// h2v1 is libjpeg's h2v1_fancy_upsample: in (n samples) to out (2n).
func h2v1(in, out []uint8) {
	n := len(in)
	if n == 1 {
		out[0], out[1] = in[0], in[0]
		return
	}
	out[0] = in[0]
	out[1] = uint8((int(in[0])*3 + int(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v := int(in[i]) * 3
		out[2*i] = uint8((v + int(in[i-1]) + 1) >> 2)
		out[2*i+1] = uint8((v + int(in[i+1]) + 2) >> 2)
	}
	out[2*n-2] = uint8((int(in[n-1])*3 + int(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// h2v2 is libjpeg's h2v2_fancy_upsample of a cw×ch plane to w×h, the rows
// above the first and below the last being copies of them, as libjpeg's
// context rows are at the image's edges.
func h2v2(plane []uint8, stride, cw, ch, w, h int) []uint8 {
	out := make([]uint8, w*h)
	sums := make([]int, cw)
	row := make([]uint8, 2*cw)
	for y := range h {
		cy := y / 2
		ny := cy - 1 // the nearer other row: above for even rows, below for odd
		if y%2 == 1 {
			ny = cy + 1
		}
		ny = max(0, min(ny, ch-1))
		near, far := plane[cy*stride:], plane[ny*stride:]
		for x := range cw {
			sums[x] = int(near[x])*3 + int(far[x])
		}
		if cw == 1 {
			v := uint8((sums[0]*4 + 8) >> 4)
			row[0], row[1] = v, v
		} else {
			row[0] = uint8((sums[0]*4 + 8) >> 4)
			row[1] = uint8((sums[0]*3 + sums[1] + 7) >> 4)
			for x := 1; x < cw-1; x++ {
				v := sums[x] * 3
				row[2*x] = uint8((v + sums[x-1] + 8) >> 4)
				row[2*x+1] = uint8((v + sums[x+1] + 7) >> 4)
			}
			row[2*cw-2] = uint8((sums[cw-1]*3 + sums[cw-2] + 8) >> 4)
			row[2*cw-1] = uint8((sums[cw-1]*4 + 7) >> 4)
		}
		copy(out[y*w:(y+1)*w], row)
	}
	return out
}
