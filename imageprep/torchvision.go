package imageprep

import "sort"

// A tvTransform is the evaluation transform of a torchvision model's
// DEFAULT weights (torchvision 0.14.1, weights.transforms(): an
// ImageClassification of crop_size, resize_size, interpolation, mean and
// std). Its crop is the model's default input size.
type tvTransform struct {
	resize, crop int
	interp       Interp
	mean, std    [3]float32
}

var (
	imagenetMean = [3]float32{0.485, 0.456, 0.406}
	imagenetStd  = [3]float32{0.229, 0.224, 0.225}
	halfMeanStd  = [3]float32{0.5, 0.5, 0.5}
)

func imagenet(resize, crop int, interp Interp) tvTransform {
	return tvTransform{resize: resize, crop: crop, interp: interp, mean: imagenetMean, std: imagenetStd}
}

// torchvisionTransforms are the torchvision models whose DEFAULT weights
// are evaluated with another transform than "torch" (Resize(256),
// CenterCrop(224), bilinear), by stdlib model name: their newer-recipe
// weights (IMAGENET1K_V2: resize 232) and the EfficientNets' sizes and
// bicubic filter, read from the models' Weights in torchvision 0.14.1.
// resnet50_fpn_backbone is not here: it is a detection backbone with no
// ImageNet weights or transform of its own (torchvision's detection
// models take unresized images in [0, 1]), so it keeps "torch", the
// transform of the ResNet-50 whose weights it starts from.
var torchvisionTransforms = map[string]tvTransform{
	"regnet_y_400mf": imagenet(232, 224, Bilinear),
	"regnet_y_800mf": imagenet(232, 224, Bilinear),
	"regnet_y_1_6gf": imagenet(232, 224, Bilinear),
	"regnet_y_3_2gf": imagenet(232, 224, Bilinear),
	"regnet_y_8gf":   imagenet(232, 224, Bilinear),
	"regnet_y_16gf":  imagenet(232, 224, Bilinear),
	"regnet_y_32gf":  imagenet(232, 224, Bilinear),
	"regnet_x_400mf": imagenet(232, 224, Bilinear),
	"regnet_x_800mf": imagenet(232, 224, Bilinear),
	"regnet_x_1_6gf": imagenet(232, 224, Bilinear),
	"regnet_x_3_2gf": imagenet(232, 224, Bilinear),
	"regnet_x_8gf":   imagenet(232, 224, Bilinear),
	"regnet_x_16gf":  imagenet(232, 224, Bilinear),
	"regnet_x_32gf":  imagenet(232, 224, Bilinear),

	"mobilenet_v2":       imagenet(232, 224, Bilinear),
	"mobilenet_v3_large": imagenet(232, 224, Bilinear),
	"mobilenet_v3_small": imagenet(256, 224, Bilinear),

	"efficientnet_b0":   imagenet(256, 224, Bicubic),
	"efficientnet_b1":   imagenet(255, 240, Bilinear),
	"efficientnet_b2":   imagenet(288, 288, Bicubic),
	"efficientnet_b3":   imagenet(320, 300, Bicubic),
	"efficientnet_b4":   imagenet(384, 380, Bicubic),
	"efficientnet_b5":   imagenet(456, 456, Bicubic),
	"efficientnet_b6":   imagenet(528, 528, Bicubic),
	"efficientnet_b7":   imagenet(600, 600, Bicubic),
	"efficientnet_v2_s": imagenet(384, 384, Bilinear),
	"efficientnet_v2_m": imagenet(480, 480, Bilinear),
	"efficientnet_v2_l": {resize: 480, crop: 480, interp: Bicubic, mean: halfMeanStd, std: halfMeanStd},

	"convnext_tiny":  imagenet(236, 224, Bilinear),
	"convnext_small": imagenet(230, 224, Bilinear),
	"convnext_base":  imagenet(232, 224, Bilinear),
	"convnext_large": imagenet(232, 224, Bilinear),
}

// ModelPresets lists the presets of single torchvision models, named
// after them (PresetFor gives them to those models), sorted.
func ModelPresets() []string {
	out := make([]string, 0, len(torchvisionTransforms))
	for n := range torchvisionTransforms {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// modelPreset is the preset of a torchvision model of the table.
func modelPreset(name string) (Preprocess, bool) {
	t, ok := torchvisionTransforms[name]
	if !ok {
		return Preprocess{}, false
	}
	return Preprocess{
		Name: name, Resize: ShorterCrop, Interp: t.interp, Div: 255,
		Mean: t.mean, Std: t.std, ResizeSize: t.resize, CropSize: t.crop,
	}, true
}
