package chart

import "slices"

// Which bubbles get a label. At the stdlib's density (over a hundred
// models, a dozen families) a label for every bubble no longer fits beside
// its bubble, and labels far away on leader lines read worse than none. So
// the labels that matter are placed first and always: the models named
// with --models, and each family's frontier, the models that no cheaper
// model of the family matches in accuracy (the ones a reader choosing a
// model looks for). The other bubbles are labelled only where their label
// fits right beside them; every bubble keeps its name as an SVG tooltip.

// A labelNeed says how hard the placement tries for a bubble's label.
type labelNeed int

const (
	// labelIfRoom: only right beside the bubble, clear of everything.
	labelIfRoom labelNeed = iota
	// labelAlways: searched for in growing rings, with a leader line.
	labelAlways
)

// labelNeeds is the need of each point's label: always for the named
// models and the families' frontiers, else if room.
func labelNeeds(points []Point) []labelNeed {
	needs := make([]labelNeed, len(points))
	for i, p := range points {
		if p.Named || onFrontier(points, i) {
			needs[i] = labelAlways
		}
	}
	return needs
}

// onFrontier reports whether points[i] is on its family's
// accuracy-versus-MACs frontier: no model of the family with at most its
// MACs is at least as accurate (ties in both: the first listed stays).
func onFrontier(points []Point, i int) bool {
	p := points[i]
	for j, q := range points {
		if j == i || q.Family != p.Family || q.MACs > p.MACs || q.Top1 < p.Top1 {
			continue
		}
		if q.MACs < p.MACs || q.Top1 > p.Top1 || j < i {
			return false
		}
	}
	return true
}

// frontierOf lists the models on family's frontier, by MACs; for tests
// and the documentation's examples.
func frontierOf(points []Point, family string) []string {
	var idx []int
	for i, p := range points {
		if p.Family == family && onFrontier(points, i) {
			idx = append(idx, i)
		}
	}
	sortBy(idx, func(i int) float64 { return float64(points[i].MACs) })
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = points[i].Model
	}
	return slices.Clip(out)
}
