package chart

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// convnextRows are torchvision's four ConvNeXt models (DEFAULT weights'
// top-1, GMACs at 224, parameters), about to join the stdlib as the
// "convnext" module: the chart must stay legible with them.
var convnextRows = []Point{
	{Model: "convnext_tiny", Top1: 82.52, MACs: 4_456_000_000, Params: 28_589_128},
	{Model: "convnext_small", Top1: 83.616, MACs: 8_684_000_000, Params: 50_223_688},
	{Model: "convnext_base", Top1: 84.062, MACs: 15_355_000_000, Params: 88_591_464},
	{Model: "convnext_large", Top1: 84.414, MACs: 34_361_000_000, Params: 197_767_336},
}

// The stdlib's chart with ConvNeXt added and three models in the thick of
// it named (as --models does) keeps every label clear, the frontiers and
// the named models labelled, the legend clear of the bubbles.
func TestLabelsDoNotOverlapDenser(t *testing.T) {
	stdlibPoints, _ := allPoints(t)
	points := slices.Clone(stdlibPoints)
	for _, p := range convnextRows {
		p.Family, p.Size = "convnext", 224
		points = append(points, p)
	}
	named := map[string]bool{"resnet50": true, "seresnext50_32x4d": true, "regnet_x_8gf": true}
	for i := range points {
		points[i].Named = named[points[i].Model]
	}
	if got := frontierOf(points, "convnext"); len(got) != 4 {
		t.Errorf("convnext's frontier is %v, want all four", got)
	}
	b := checkLayout(t, points)
	for i, l := range b.drawn.labels {
		if named[points[i].Model] && l.text == "" {
			t.Errorf("named model %s is not labelled", points[i].Model)
		}
	}
}

// At 117 models, the stdlib's with ConvNeXt and two more families of a
// dozen models each strewn over the crowded middle (deterministically),
// the labels still keep clear.
func TestLabelsDoNotOverlapCrowded(t *testing.T) {
	stdlibPoints, _ := allPoints(t)
	points := slices.Clone(stdlibPoints)
	for _, p := range convnextRows {
		p.Family, p.Size = "convnext", 224
		points = append(points, p)
	}
	for i := range 24 {
		f := float64(i) / 23
		points = append(points, Point{
			Model:  fmt.Sprintf("synthetic_model_%d", i),
			Family: []string{"future_a", "future_b"}[i%2],
			MACs:   int64(0.5e9 * math.Pow(60, f)),
			Top1:   73 + 11*f + 2*math.Sin(1.7*float64(i)),
			Params: int64(5e6 + 60e6*f),
		})
	}
	checkLayout(t, points)
}

// The frontier: a model is on it unless a model of its family with at
// most its MACs is at least as accurate; families do not mix.
func TestFrontier(t *testing.T) {
	points := []Point{
		{Model: "a", Family: "f", MACs: 1, Top1: 70},
		{Model: "b", Family: "f", MACs: 2, Top1: 69}, // a is cheaper and better
		{Model: "c", Family: "f", MACs: 3, Top1: 75},
		{Model: "d", Family: "f", MACs: 3, Top1: 75}, // a tie: c, listed first, stays
		{Model: "e", Family: "f", MACs: 4, Top1: 75}, // c is cheaper and as good
		{Model: "g", Family: "g", MACs: 5, Top1: 60}, // another family
	}
	if got, want := frontierOf(points, "f"), []string{"a", "c"}; !slices.Equal(got, want) {
		t.Errorf("frontier %v, want %v", got, want)
	}
	if got := frontierOf(points, "g"); !slices.Equal(got, []string{"g"}) {
		t.Errorf("frontier of g: %v", got)
	}
	points[1].Named = true
	if needs := labelNeeds(points); needs[1] != labelAlways || needs[4] != labelIfRoom {
		t.Errorf("needs %v: b is named, e is neither named nor on the frontier", needs)
	}
}
