// Package labels holds the class labels of the datasets the standard
// library's models are trained on.
//
// imagenet1k.txt lists the 1000 ImageNet-1k (ILSVRC-2012) classes, one a
// line, in the order the class indices of torchvision, timm and Keras
// models use: line i+1 is the name of class i (0 "tench", 1 "goldfish",
// ..., 999 "toilet tissue"). It is pytorch/hub's imagenet_classes.txt
// (commit c7895df70c7767403e36f82786d6b611b7984557), which is Keras's
// imagenet_class_index.json with the WordNet IDs dropped and underscores
// written as spaces — the same names torchvision's weights carry in
// meta["categories"]. Two names occur twice, as in every copy of the
// list: "crane" (134 the bird, 517 the machine) and "maillot" (638, 639).
package labels

import (
	_ "embed"
	"strings"
)

//go:embed imagenet1k.txt
var imagenet1kText string

var imagenet1k = parse(imagenet1kText)

func parse(text string) []string {
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	return strings.Split(text, "\n")
}

// ImageNet returns the name of ImageNet-1k class i, and false when i is
// not in [0, Count()).
func ImageNet(i int) (string, bool) {
	if i < 0 || i >= len(imagenet1k) {
		return "", false
	}
	return imagenet1k[i], true
}

// Count is the number of ImageNet-1k classes, 1000.
func Count() int { return len(imagenet1k) }
