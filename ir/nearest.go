package ir

import "math"

// NearestSource is the input index that output index dst of an Upsample to
// a size reads along one axis of in values resized to out: PyTorch's
// F.interpolate(mode="nearest") rule (nearest_idx in ATen's
// UpSampleKernel.cpp), which copies at equal sizes, halves at exactly
// twice the size, and otherwise takes floor(dst · scale) with the scale
// in/out rounded to float32, as torch computes it, so that the indices
// agree with torch's even where dst·in/out is an integer that float32
// misses.
func NearestSource(dst, in, out int) int {
	switch {
	case out == in:
		return dst
	case out == 2*in:
		return dst >> 1
	}
	scale := float32(in) / float32(out)
	return min(int(math.Floor(float64(float32(dst)*scale))), in-1)
}
