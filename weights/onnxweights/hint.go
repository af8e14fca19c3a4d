package onnxweights

import (
	"strings"

	"github.com/resc-dev/resc/weights/safetensors"
)

// Hint names the likely cause when the initializers of an ONNX file f do
// not fit a graph, or returns "": an optimised resc export (its batch
// norms folded into the convs), or a torch.onnx export in eval mode, which
// folds them too and renames the results "onnx::Conv_…".
func Hint(f *safetensors.File, missing, unexpected []string) string {
	if _, ok := f.Metadata[MetaProducer]; !ok || len(missing) == 0 {
		return ""
	}
	if f.Metadata[MetaDerived] != "" {
		return "the file is an optimised resc export (-O1/-O2 fold batch norms into the convs); load the weights from an -O0 export"
	}
	for _, u := range unexpected {
		if strings.HasPrefix(u, "onnx::") {
			return "the exporter folded batch norms into the convs and renamed them (torch.onnx.export does in eval mode); export with training=torch.onnx.TrainingMode.TRAINING and do_constant_folding=False to keep the parameters under their names"
		}
	}
	return ""
}
