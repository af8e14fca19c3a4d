package compiler

import "github.com/resc-dev/resc/ir"

// lowerResize is upsample(size: [H, W]): nearest-neighbour resizing to
// that size, as torch's F.interpolate(x, size=(H, W), mode="nearest"),
// the FPN's top-down step to the lateral's size (upsample(size:
// shape(lateral)[1:])), which is not always twice the input (4x4 to 7x7).
func lowerResize(l *lowering, size []Value) {
	if _, both := l.given["scale"]; both {
		l.e.errorf(l.pos, "upsample takes a scale or a size, not both")
		return
	}
	if len(size) != 2 {
		l.e.errorf(l.pos, "size of upsample must be [height, width], got %s", show(size))
		return
	}
	var hw [2]int
	for i, v := range size {
		d, _ := v.(int64)
		if d < 1 || d > ir.MaxDim {
			l.e.errorf(l.pos, "size of upsample must be two positive ints of at most %d, got %s", ir.MaxDim, show(size))
			return
		}
		hw[i] = int(d)
	}
	if len(l.x.Shape) != 4 {
		l.e.errorf(l.pos, "upsample needs an [N,C,H,W] input, got %v", l.x.Shape)
		return
	}
	l.emit(ir.OpUpsample, ir.Attrs{Size: hw})
}
