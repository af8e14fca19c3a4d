// Package ir is resc's graph intermediate representation: a typed dataflow
// graph of NCHW float32 tensors whose batch dimension is symbolic.
//
// Every node produces one tensor. Per-op facts (name, arity, shape rule,
// multiply-accumulate count) live in one table indexed by Op, so that passes
// and backends share them instead of re-deriving them.
package ir

import "fmt"

// An Op is a node's operation.
type Op uint8

const (
	OpInput Op = iota
	OpConv
	OpBatchNorm
	OpRelu
	OpSigmoid
	OpAdd // n-ary elementwise sum of equal shapes
	OpMul // x * gate, the gate [N,C,1,1] broadcast over space
	OpMaxPool
	OpAvgPool
	OpGlobalAvgPool
	OpGlobalMaxPool
	OpFlatten
	OpGemm // fully connected: [N,K] x W[M,K]^T + b
	OpSoftmax
	OpPad          // spatial zero padding
	OpSubsamplePad // option-A shortcut: x[:, :, ::s, ::s], zero channels padded on both sides
	OpChannelConv  // ECA: 1-D convolution across the channel axis of [N,C,1,1]
	OpDropout      // identity at inference, kept for export fidelity
	OpScaleShift   // x·scale[c] + shift[c]: a batch norm at inference, after lower-batchnorm

	// Activations beyond ReLU and sigmoid (elementwise; see act.go).
	OpSilu        // x·sigmoid(x) (Swish)
	OpHardSwish   // x·relu6(x+3)/6
	OpHardSigmoid // relu6(x+3)/6, PyTorch's slope 1/6 (not ONNX's default 0.2)
	OpRelu6       // min(max(x, 0), 6)
	OpGelu        // x·Φ(x), exact (erf)
	OpLeakyRelu   // x < 0 ? Alpha·x : x
	OpTanh

	OpConcat       // n-ary concatenation along channels (axis 1)
	OpSlice        // channels [Begin, End) of axis 1
	OpLayerNorm    // normalisation over the channel axis at each position (ConvNeXt's LayerNorm2d)
	OpGroupNorm    // normalisation over groups of channels and space
	OpUpsample     // nearest-neighbour upsampling by integer factors Factor, or to an output Size
	OpChannelScale // x·gamma[c]: layer scale
	OpDropPath     // stochastic depth: identity at inference, kept for export fidelity
	OpSpaceToDepth // blocks of Block×Block pixels moved into channels (ONNX SpaceToDepth order)
	// OpRadixSoftmax is split attention's softmax (ResNeSt's rSoftMax, SK's
	// path softmax): the channels, taken as [Groups, Radix, C/(Groups·Radix)],
	// are softmaxed over the radix axis and written radix-major as
	// [Radix, Groups, C/(Groups·Radix)].
	OpRadixSoftmax
	numOps
)

// OpInfo holds the facts about one op.
type OpInfo struct {
	Name  string
	Arity int // number of inputs; -1 means two or more
	// Shape infers the output shape from the input shapes and attributes.
	Shape func(n *Node, in []Shape) (Shape, error)
	// MACs counts multiply-accumulates per image (batch 1); nil means none
	// counted. Only convolutions and fully connected layers count, the
	// convention of the published figures.
	MACs func(n *Node) int64
}

var opTable = [numOps]OpInfo{
	OpInput:         {Name: "Input", Arity: 0, Shape: func(n *Node, _ []Shape) (Shape, error) { return n.Shape, nil }},
	OpConv:          {Name: "Conv", Arity: 1, Shape: convShape, MACs: convMACs},
	OpBatchNorm:     {Name: "BatchNorm", Arity: 1, Shape: sameShape},
	OpRelu:          {Name: "Relu", Arity: 1, Shape: sameShape},
	OpSigmoid:       {Name: "Sigmoid", Arity: 1, Shape: sameShape},
	OpAdd:           {Name: "Add", Arity: -1, Shape: addShape},
	OpMul:           {Name: "Mul", Arity: 2, Shape: mulShape},
	OpMaxPool:       {Name: "MaxPool", Arity: 1, Shape: poolShape},
	OpAvgPool:       {Name: "AvgPool", Arity: 1, Shape: poolShape},
	OpGlobalAvgPool: {Name: "GlobalAvgPool", Arity: 1, Shape: globalPoolShape},
	OpGlobalMaxPool: {Name: "GlobalMaxPool", Arity: 1, Shape: globalPoolShape},
	OpFlatten:       {Name: "Flatten", Arity: 1, Shape: flattenShape},
	OpGemm:          {Name: "Gemm", Arity: 1, Shape: gemmShape, MACs: gemmMACs},
	OpSoftmax:       {Name: "Softmax", Arity: 1, Shape: sameShape},
	OpPad:           {Name: "Pad", Arity: 1, Shape: padShape},
	OpSubsamplePad:  {Name: "SubsamplePad", Arity: 1, Shape: subsamplePadShape},
	OpChannelConv:   {Name: "ChannelConv", Arity: 1, Shape: channelConvShape, MACs: channelConvMACs},
	OpDropout:       {Name: "Dropout", Arity: 1, Shape: sameShape},
	OpScaleShift:    {Name: "ScaleShift", Arity: 1, Shape: sameShape},
	OpSilu:          {Name: "Silu", Arity: 1, Shape: sameShape},
	OpHardSwish:     {Name: "HardSwish", Arity: 1, Shape: sameShape},
	OpHardSigmoid:   {Name: "HardSigmoid", Arity: 1, Shape: sameShape},
	OpRelu6:         {Name: "Relu6", Arity: 1, Shape: sameShape},
	OpGelu:          {Name: "Gelu", Arity: 1, Shape: sameShape},
	OpLeakyRelu:     {Name: "LeakyRelu", Arity: 1, Shape: sameShape},
	OpTanh:          {Name: "Tanh", Arity: 1, Shape: sameShape},
	OpConcat:        {Name: "Concat", Arity: -1, Shape: concatShape},
	OpSlice:         {Name: "Slice", Arity: 1, Shape: sliceShape},
	OpLayerNorm:     {Name: "LayerNorm", Arity: 1, Shape: channelNormShape},
	OpGroupNorm:     {Name: "GroupNorm", Arity: 1, Shape: groupNormShape},
	OpUpsample:      {Name: "Upsample", Arity: 1, Shape: upsampleShape},
	OpChannelScale:  {Name: "ChannelScale", Arity: 1, Shape: channelNormShape},
	OpDropPath:      {Name: "DropPath", Arity: 1, Shape: sameShape},
	OpSpaceToDepth:  {Name: "SpaceToDepth", Arity: 1, Shape: spaceToDepthShape},
	OpRadixSoftmax:  {Name: "RadixSoftmax", Arity: 1, Shape: radixSoftmaxShape},
}

// Info returns the table entry for op.
func (op Op) Info() *OpInfo { return &opTable[op] }

func (op Op) String() string {
	if op < numOps {
		return opTable[op].Name
	}
	return fmt.Sprintf("Op(%d)", uint8(op))
}

// Ops lists every op, in enum order.
func Ops() []Op {
	out := make([]Op, numOps)
	for i := range out {
		out[i] = Op(i)
	}
	return out
}
