package pytorch_test

// The EfficientNet rows of TestTorchvisionZoo (stdlib/efficientnet.res):
// every model at a small input (V2 needs at least 33x33, torchvision's
// min_size), the biggest ones only with RESC_TORCHVISION_ALL=1.
func init() {
	registerZoo(
		zooCase{Model: "efficientnet_b0", Size: 64, Batch: 2, Short: true},
		zooCase{Model: "efficientnet_b1", Size: 64, Batch: 2},
		zooCase{Model: "efficientnet_b2", Size: 64, Batch: 1},
		zooCase{Model: "efficientnet_b3", Size: 64, Batch: 1},
		zooCase{Model: "efficientnet_b4", Size: 64, Batch: 1},
		zooCase{Model: "efficientnet_b5", Size: 64, Batch: 1},
		zooCase{Model: "efficientnet_b6", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "efficientnet_b7", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "efficientnet_v2_s", Size: 64, Batch: 1},
		zooCase{Model: "efficientnet_v2_m", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "efficientnet_v2_l", Size: 64, Batch: 1, Heavy: true},
	)
}
