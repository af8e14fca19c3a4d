package labels

import (
	"strings"
	"testing"
)

func TestImageNetFile(t *testing.T) {
	if !strings.HasSuffix(imagenet1kText, "\n") {
		t.Error("imagenet1k.txt does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(imagenet1kText, "\n"), "\n")
	if len(lines) != 1000 {
		t.Fatalf("imagenet1k.txt has %d lines, want 1000", len(lines))
	}
	for i, l := range lines {
		if l == "" || strings.TrimSpace(l) != l || strings.Contains(l, "\r") {
			t.Errorf("line %d %q: empty or padded", i+1, l)
		}
	}
	if Count() != 1000 {
		t.Errorf("Count() = %d, want 1000", Count())
	}
}

func TestImageNetSpotChecks(t *testing.T) {
	// Checked against pytorch/hub's imagenet_classes.txt and the
	// Keras imagenet_class_index.json it was made from.
	want := map[int]string{
		0:   "tench",
		1:   "goldfish",
		2:   "great white shark",
		134: "crane",
		207: "golden retriever",
		281: "tabby",
		282: "tiger cat",
		409: "analog clock",
		517: "crane",
		638: "maillot",
		639: "maillot",
		954: "banana",
		999: "toilet tissue",
	}
	for i, w := range want {
		got, ok := ImageNet(i)
		if !ok || got != w {
			t.Errorf("ImageNet(%d) = %q, %v; want %q, true", i, got, ok, w)
		}
	}
}

func TestImageNetOutOfRange(t *testing.T) {
	for _, i := range []int{-1, 1000, 1 << 40} {
		if got, ok := ImageNet(i); ok || got != "" {
			t.Errorf("ImageNet(%d) = %q, %v; want \"\", false", i, got, ok)
		}
	}
}
