package pytorch_test

// The torchvision RegNet X and Y rows of TestTorchvisionZoo (stdlib/regnet.res).
// The stage widths come from the design parameters in both programs, so
// each model checks the derivation as well as the blocks. The 8, 16 and
// 32 GF models (39M to 145M parameters) run with RESC_TORCHVISION_ALL=1.
func init() {
	registerZoo(
		zooCase{Model: "regnet_x_400mf", Size: 64, Batch: 2},
		zooCase{Model: "regnet_x_800mf", Size: 64, Batch: 2},
		zooCase{Model: "regnet_x_1_6gf", Size: 64, Batch: 2},
		zooCase{Model: "regnet_x_3_2gf", Size: 64, Batch: 2},
		zooCase{Model: "regnet_x_8gf", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "regnet_x_16gf", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "regnet_x_32gf", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "regnet_y_400mf", Size: 64, Batch: 2, Short: true},
		zooCase{Model: "regnet_y_800mf", Size: 64, Batch: 2},
		zooCase{Model: "regnet_y_1_6gf", Size: 64, Batch: 2},
		zooCase{Model: "regnet_y_3_2gf", Size: 64, Batch: 2},
		zooCase{Model: "regnet_y_8gf", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "regnet_y_16gf", Size: 64, Batch: 1, Heavy: true},
		zooCase{Model: "regnet_y_32gf", Size: 64, Batch: 1, Heavy: true},
	)
}
