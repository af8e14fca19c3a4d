package chart

import (
	"reflect"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestSizeKeys(t *testing.T) {
	cases := map[int64][]int64{
		126_886_696: {10_000_000, 20_000_000, 100_000_000},
		60_192_808:  {5_000_000, 20_000_000, 50_000_000},
		11_689_512:  {1_000_000, 2_000_000, 10_000_000},
		3:           {1, 2},
		0:           nil,
	}
	for max, want := range cases {
		if got := sizeKeys(max); !reflect.DeepEqual(got, want) {
			t.Errorf("sizeKeys(%d) = %v, want %v", max, got, want)
		}
	}
	for n, want := range map[int64]string{100_000_000: "100M", 2_500_000: "2.5M", 500_000: "500K", 12: "12"} {
		if got := paramsText(n); got != want {
			t.Errorf("paramsText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestStepTicks(t *testing.T) {
	var labels []string
	for _, tk := range (stepTicks{}).Ticks(68.2, 83.6) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if want := []string{"70", "72", "74", "76", "78", "80", "82"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("labels on 68.2..83.6: %v, want %v", labels, want)
	}
	if ticks := (stepTicks{}).Ticks(1, 1); ticks != nil {
		t.Errorf("an empty range has ticks %v", ticks)
	}
}

// Labels of bubbles on a tight grid still find free places, and the same
// input gives the same placement.
func TestPlaceLabelsCrowded(t *testing.T) {
	var circles []circle
	var names []string
	for i := range 5 {
		for j := range 4 {
			circles = append(circles, circle{vg.Point{X: vg.Length(200 + 40*i), Y: vg.Length(200 + 40*j)}, 8})
			names = append(names, "model_"+string(rune('a'+i))+string(rune('a'+j)))
		}
	}
	page := vg.Rectangle{Max: vg.Point{X: 720, Y: 468}}
	sty := labelStyle()
	needs := make([]labelNeed, len(circles))
	for i := range needs {
		needs[i] = labelAlways
	}
	labels := placeLabels(circles, names, needs, sty, page, nil)
	for i, l := range labels {
		if overlapCost(l.box, i, circles, nil, page) > 0 {
			t.Errorf("label %s overlaps a bubble or leaves the page", l.text)
		}
		for _, m := range labels[i+1:] {
			if area(intersect(l.box, m.box)) > 0 {
				t.Errorf("labels %s and %s overlap", l.text, m.text)
			}
		}
	}
	if again := placeLabels(circles, names, needs, sty, page, nil); !reflect.DeepEqual(labels, again) {
		t.Error("placement is not deterministic")
	}
}
