package chart

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// stepTicks marks every multiple of the step that suits the axis range
// (1, 2 or 5 times a power of ten, about eight labels), with unlabelled
// minor ticks between: gonum's default ticker labels only 70 and 80 on an
// accuracy axis.
type stepTicks struct{}

func (stepTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return nil
	}
	step := niceStep((hi - lo) / 8)
	minor := step / 2
	var out []plot.Tick
	for v := math.Ceil(lo/minor) * minor; v <= hi+minor*1e-9; v += minor {
		v := math.Round(v/minor) * minor
		t := plot.Tick{Value: v}
		if r := math.Mod(math.Abs(v)+step*1e-9, step); r < step*1e-6 {
			t.Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
		out = append(out, t)
	}
	return out
}

// niceStep is the smallest of 1, 2, 5 x 10^k at or above x.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// logTicks marks a logarithmic axis at 1, 2 and 5 times each power of ten
// in range, labelled, with unlabelled minor ticks at the other integer
// multiples.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || lo <= 0 {
		return nil
	}
	var out []plot.Tick
	for p := math.Pow(10, math.Floor(math.Log10(lo))); p <= hi; p *= 10 {
		for m := 1.0; m < 10; m++ {
			v := m * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			out = append(out, t)
		}
	}
	return out
}
