package pytorch_test

// The torchvision ConvNeXt rows of TestTorchvisionZoo (stdlib/convnext.res):
// layer norms over the channels, the per-pixel linear layers, GELU and
// layer scale against torchvision's own forward. 64×64 is the smallest
// input that keeps every stage's map larger than 1×1 (the stem divides by
// 4, each downsampling by 2).
func init() {
	registerZoo(
		zooCase{Model: "convnext_tiny", Size: 64, Batch: 2, Short: true},
		zooCase{Model: "convnext_small", Size: 64, Batch: 2},
		zooCase{Model: "convnext_base", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "convnext_large", Size: 64, Batch: 1, Heavy: true},
	)
}
