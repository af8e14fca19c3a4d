package chart

import (
	"math"
	"slices"
	"testing"
)

// Every charted family has a colour and a legend entry of its own, no two
// colours are near (RGB distance under 60), and a family's colour does not
// depend on which other families are charted.
func TestFamilyColors(t *testing.T) {
	points, _ := allPoints(t)
	_, all := newPlot(points)
	for _, fam := range familiesOf(points) {
		if _, ok := familyColors[fam]; !ok {
			t.Errorf("family %s has no colour of its own in familyColors", fam)
		}
		if _, ok := familyNames[fam]; !ok {
			t.Errorf("family %s has no legend name in familyNames", fam)
		}
		var some []Point
		for _, p := range points {
			if p.Family == fam || p.Family == "mobilenet" {
				some = append(some, p)
			}
		}
		if _, b := newPlot(some); b.colors[fam] != all.colors[fam] {
			t.Errorf("%s is %v alone, %v among all families", fam, b.colors[fam], all.colors[fam])
		}
	}
	var names []string
	for fam := range familyColors {
		names = append(names, fam)
	}
	slices.Sort(names)
	for i, a := range names {
		for _, b := range names[i+1:] {
			if d := rgbDistance(familyColors[a], familyColors[b]); d < 60 {
				t.Errorf("%s and %s have near colours (RGB distance %.0f)", a, b, d)
			}
		}
	}
	if familyColor("future") != familyColor("future") {
		t.Error("a spare colour is not deterministic")
	}
}

func rgbDistance(a, b interface{ RGBA() (r, g, b, a uint32) }) float64 {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) float64 { return float64(x>>8) - float64(y>>8) }
	return math.Sqrt(d(ar, br)*d(ar, br) + d(ag, bg)*d(ag, bg) + d(ab, bb)*d(ab, bb))
}
