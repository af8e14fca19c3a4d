package native

// A gemvStep is a 1×1 convolution of an input with one pixel per channel
// (the squeeze-excitation blocks' two convolutions after the global
// pool): a matrix-vector product per image, which the GEMM path would pad
// to a whole tile of pixels and pack value by value. Tasks are (image,
// block of output channels), so that images may run apart (schedule.go);
// the weights are small enough to be read once per image.
type gemvStep struct {
	in, out *tensor
	w       []float32 // [m][k]
	ep      epilogue
	k, m    int
	blocks  int
}

// gemvApplies reports whether a convolution of geometry g is one.
func gemvApplies(g *window) bool {
	return g.G == 1 && g.H*g.W == 1 && g.OH*g.OW == 1 && g.KH == 1 && g.KW == 1 && g.PT == 0 && g.PL == 0
}

func newGemvStep(g window, in, out *tensor, w []float32, ep epilogue, threads int) *gemvStep {
	return &gemvStep{in: in, out: out, w: clone(w), ep: ep, k: g.C, m: g.M, blocks: split(g.M, 4*threads, 16)}
}

func (s *gemvStep) tasks(c *execCtx) int { return c.batch * s.blocks }

func (s *gemvStep) imageTasks() int { return s.blocks }

func (s *gemvStep) run(c *execCtx, _, task int) {
	// Blocks start at multiples of four, as fcStep's do, so that a row's
	// rounding does not depend on the thread count.
	b, blk := task/s.blocks, task%s.blocks
	lo, hi := part(s.m, s.blocks, blk)
	lo, hi = lo&^3, hi&^3
	if blk == s.blocks-1 {
		hi = s.m
	}
	out := c.image(s.out, b)
	fcRows(s.w[lo*s.k:hi*s.k], nil, c.image(s.in, b)[:s.k], out, lo, hi)
	s.ep.channels(out[lo:hi], s.ep.residual(c, b, lo, hi), lo)
}
