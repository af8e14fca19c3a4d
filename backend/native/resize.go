package native

import "github.com/resc-dev/resc/ir"

// A resizeStep is an Upsample to a given size (the FPN's top-down path
// upsamples to the lateral's size, 4x4 to 7x7 for instance): output row y
// and column x read input row ys[y] and column xs[x], PyTorch's nearest
// indices (ir.NearestSource). Its rows are the input's channel planes;
// the fast path gathers each distinct output row once and copies it to
// the rows that read the same input row.
type resizeStep struct {
	rows
	x, out *tensor
	ys, xs []int
	ref    bool
}

func newResizeStep(x, out *tensor, size [2]int, threads int, ref bool) *resizeStep {
	s := &resizeStep{rows: newRows(x, threads), x: x, out: out, ys: make([]int, size[0]), xs: make([]int, size[1]), ref: ref}
	for y := range s.ys {
		s.ys[y] = ir.NearestSource(y, x.shape[2], size[0])
	}
	for i := range s.xs {
		s.xs[i] = ir.NearestSource(i, x.shape[3], size[1])
	}
	return s
}

func (s *resizeStep) run(c *execCtx, _, task int) {
	b, lo, hi := s.bounds(task)
	h, w := s.x.shape[2], s.x.shape[3]
	oh, ow := len(s.ys), len(s.xs)
	x, out := c.image(s.x, b), c.image(s.out, b)
	for r := lo; r < hi; r++ {
		src, dst := x[r*h*w:(r+1)*h*w], out[r*oh*ow:(r+1)*oh*ow]
		if s.ref {
			resizeRef(src, dst, h, w, oh, ow)
			continue
		}
		for y, sy := range s.ys {
			row := dst[y*ow : (y+1)*ow]
			if y > 0 && s.ys[y-1] == sy {
				copy(row, dst[(y-1)*ow:y*ow])
				continue
			}
			in := src[sy*w : (sy+1)*w]
			for i, sx := range s.xs {
				row[i] = in[sx]
			}
		}
	}
}

// resizeRef is nearest resizing of one h×w plane to oh×ow, each index
// computed where it is used.
func resizeRef(in, out []float32, h, w, oh, ow int) {
	for y := range oh {
		for x := range ow {
			out[y*ow+x] = in[ir.NearestSource(y, h, oh)*w+ir.NearestSource(x, w, ow)]
		}
	}
}
