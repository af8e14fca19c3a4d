package pytorch_test

// torchvision's resnet_fpn_backbone("resnet50") against resc's
// resnet50_fpn_backbone, all five outputs. At 100 the levels are 25, 13, 7
// and 4 and no top-down step doubles (4 to 7, 7 to 13, 13 to 25); at 64
// every step does (2, 4, 8, 16).
func init() {
	registerZoo(
		zooCase{Model: "resnet50_fpn_backbone", Size: 100, Batch: 2, Short: true},
		zooCase{Model: "resnet50_fpn_backbone", Size: 64, Batch: 1},
	)
}
