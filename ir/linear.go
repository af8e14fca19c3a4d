package ir

// A per-pixel linear layer (nn.Linear applied to every position of an
// NHWC tensor, Keras's Dense on a 4-D tensor) is an OpConv with a 1×1
// kernel, stride 1, no padding and one group whose weight keeps
// nn.Linear's [out,in] shape: the same values in the same order as the
// [out,in,1,1] weight of the equivalent convolution, so every pass and
// backend that reads a convolution's weight as a flat OIHW array runs it
// unchanged, and the reference name loads with the reference shape.

// LinearWeight reports whether conv node n keeps its weight in
// nn.Linear's [out,in] layout.
func LinearWeight(n *Node) bool {
	w := n.Param(RoleWeight)
	return n.Op == OpConv && w != nil && len(w.Shape) == 2
}

// linearAttrs reports whether a's window is the one a per-pixel linear
// layer may have.
func linearAttrs(a *Attrs) bool {
	return a.Kernel == [2]int{1, 1} && a.Strides == [2]int{1, 1} && a.Dilations == [2]int{1, 1} &&
		a.Pads == [4]int{} && a.Groups == 1
}

// convWeightShape is the weight shape conv node n needs for in input
// channels per group: OIHW, or [out,in] for a per-pixel linear layer.
func convWeightShape(n *Node, in int) []int {
	m := n.Attrs.OutChannels
	if LinearWeight(n) && linearAttrs(&n.Attrs) {
		return []int{m, in}
	}
	return []int{m, in, n.Attrs.Kernel[0], n.Attrs.Kernel[1]}
}
