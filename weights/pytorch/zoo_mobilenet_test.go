package pytorch_test

// The torchvision MobileNet rows of TestTorchvisionZoo (stdlib/mobilenet.res).
func init() {
	registerZoo(
		zooCase{Model: "mobilenet_v2", Size: 64, Batch: 2, Short: true},
		zooCase{Model: "mobilenet_v3_large", Size: 64, Batch: 2},
		zooCase{Model: "mobilenet_v3_small", Size: 64, Batch: 2},
	)
}
