package pytorch_test

// The torchvision ResNet rows of TestTorchvisionZoo: TestTorchvisionLogits
// covers the family; this one keeps the harness itself exercised.
func init() {
	registerZoo(zooCase{Model: "resnet18", Size: 64, Batch: 2, Short: true})
}
