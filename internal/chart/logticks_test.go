package chart

import (
	"slices"
	"testing"
)

// The log axis labels 1, 2 and 5 times each power of ten in range, and
// marks the other integer multiples unlabelled.
func TestLogTicks(t *testing.T) {
	var labels []string
	var minor int
	for _, tk := range (logTicks{}).Ticks(0.3, 60) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		} else {
			minor++
		}
	}
	if want := []string{"0.5", "1", "2", "5", "10", "20", "50"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	// 0.3, 0.4, 0.6-0.9, 3, 4, 6-9, 30, 40, 60.
	if minor != 15 {
		t.Errorf("%d minor ticks, want 15", minor)
	}
	if got := (logTicks{}).Ticks(0, 10); got != nil {
		t.Errorf("ticks of a range from 0: %v", got)
	}
}
