package chart

import (
	"math"
	"sort"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// A circle is a bubble on the page.
type circle struct {
	c vg.Point
	r vg.Length
}

func (c circle) path() vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: c.c.X + c.r, Y: c.c.Y})
	p.Arc(c.c, c.r, 0, 2*math.Pi)
	p.Close()
	return p
}

// A label is a placed label: its text drawn at at (the bottom left of its
// box), with a leader line from..to when it sits away from its bubble. An
// unlabelled bubble's label has no text.
type label struct {
	text     string
	at       vg.Point
	box      vg.Rectangle
	leader   bool
	from, to vg.Point
}

// Label placement: around each bubble, in rings at growing distances,
// eight positions each (right, left, above, below, then the diagonals); the
// first that overlaps no placed label, no other bubble and stays on the
// page wins, or, when none is free, the one with the least overlap. A
// greedy search, as in cartographic label placement: not optimal, but
// deterministic. The labels a reader needs (labelAlways) are placed first;
// the others only in the first two rings, without a leader, and only where
// they collide with nothing.
var (
	ringGaps   = []vg.Length{1.5, 6, 14, 24, 36, 50, 70, 95, 125, 160, 200}
	directions = [][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, 1}, {1, -1}, {-1, -1}}
)

// nearRings is how many rings a labelIfRoom label may try.
const nearRings = 2

// placeLabels places names[i] beside circles[i] within page, clear of
// the obstacles (the legend) where it can, as needs[i] asks. Circles are
// visited left to right (the dense low-MAC end first), the labelAlways
// ones before the others.
func placeLabels(circles []circle, names []string, needs []labelNeed, sty text.Style, page vg.Rectangle, obstacles []vg.Rectangle) []label {
	order := make([]int, len(circles))
	for i := range order {
		order[i] = i
	}
	sortBy(order, func(i int) float64 { return float64(circles[i].c.X) })
	sortBy(order, func(i int) float64 { return -float64(needs[i]) })
	out := make([]label, len(circles))
	placed := append([]vg.Rectangle(nil), obstacles...)
	var leaders [][2]vg.Point
	for _, i := range order {
		ext := sty.Rectangle(names[i]) // relative to the text's anchor
		w, h := ext.Max.X-ext.Min.X, ext.Max.Y-ext.Min.Y
		rings := ringGaps
		if needs[i] == labelIfRoom {
			rings = ringGaps[:nearRings]
		}
		best, bestCost := label{}, math.Inf(1)
	search:
		for ring, gap := range rings {
			for _, d := range directions {
				box := boxBeside(circles[i], d, gap, w, h)
				cand := label{text: names[i], box: box}
				cost := overlapCost(box, i, circles, placed, page)
				if ring > 0 && needs[i] == labelAlways {
					cand.leader = true
					cand.from = edgeToward(circles[i], boxCenter(box))
					cand.to = nearestOnBox(box, circles[i].c)
					cost += leaderCost(cand.from, cand.to, i, circles, placed, leaders)
				}
				if cost < bestCost {
					best, bestCost = cand, cost
					if cost == 0 {
						break search
					}
				}
			}
		}
		if needs[i] == labelIfRoom && bestCost > 0 {
			continue
		}
		best.at = vg.Point{X: best.box.Min.X - ext.Min.X, Y: best.box.Min.Y - ext.Min.Y}
		placed = append(placed, best.box)
		if best.leader {
			leaders = append(leaders, [2]vg.Point{best.from, best.to})
		}
		out[i] = best
	}
	return out
}

// boxBeside is the w x h box beside circle c in direction d (components in
// -1, 0, 1), gap away from its edge.
func boxBeside(c circle, d [2]float64, gap, w, h vg.Length) vg.Rectangle {
	dist := c.r + gap
	if d[0] != 0 && d[1] != 0 {
		dist = vg.Length(float64(dist) / math.Sqrt2)
	}
	ax, ay := c.c.X+vg.Length(d[0])*dist, c.c.Y+vg.Length(d[1])*dist
	var minX, minY vg.Length
	switch {
	case d[0] > 0:
		minX = ax
	case d[0] < 0:
		minX = ax - w
	default:
		minX = ax - w/2
	}
	switch {
	case d[1] > 0:
		minY = ay
	case d[1] < 0:
		minY = ay - h
	default:
		minY = ay - h/2
	}
	return vg.Rectangle{Min: vg.Point{X: minX, Y: minY}, Max: vg.Point{X: minX + w, Y: minY + h}}
}

// overlapCost is how badly box collides: for each label, other bubble
// and the page's edge it overlaps, a fixed charge (any overlap is worse
// than any leader line) plus the area shared, the area off the page
// weighted heavily.
func overlapCost(box vg.Rectangle, self int, circles []circle, placed []vg.Rectangle, page vg.Rectangle) float64 {
	const collision = 1000
	cost := 0.0
	for _, p := range placed {
		if a := area(intersect(box, p)); a > 0 {
			cost += collision + a
		}
	}
	for j, c := range circles {
		if a := circleBoxOverlap(c, box); j != self && a > 0 {
			cost += collision + a
		}
	}
	if off := area(box) - area(intersect(box, page)); off > 0 {
		cost += collision + 10*off
	}
	return cost
}

// leaderCost charges a leader line for each other bubble it crosses (a
// line through a bubble points at the wrong model), and for each placed
// label and leader line it crosses (a tangle is hard to follow).
func leaderCost(from, to vg.Point, self int, circles []circle, placed []vg.Rectangle, leaders [][2]vg.Point) float64 {
	const crossing = 100
	cost := 0.0
	for j, c := range circles {
		if j != self && segmentDistance(c.c, from, to) < float64(c.r) {
			cost += crossing
		}
	}
	for _, r := range placed {
		if segmentCrossesBox(from, to, r) {
			cost += crossing
		}
	}
	for _, l := range leaders {
		if segmentsCross(from, to, l[0], l[1]) {
			cost += crossing
		}
	}
	return cost
}

// segmentsCross reports whether the segments a-b and c-d cross properly
// (touching ends do not count).
func segmentsCross(a, b, c, d vg.Point) bool {
	side := func(p, q, r vg.Point) float64 {
		return float64(q.X-p.X)*float64(r.Y-p.Y) - float64(q.Y-p.Y)*float64(r.X-p.X)
	}
	return side(a, b, c)*side(a, b, d) < 0 && side(c, d, a)*side(c, d, b) < 0
}

// segmentCrossesBox reports whether the segment a-b passes through the
// inside of box r: an end inside it, or a crossing of one of its sides.
func segmentCrossesBox(a, b vg.Point, r vg.Rectangle) bool {
	inside := func(p vg.Point) bool {
		return p.X > r.Min.X && p.X < r.Max.X && p.Y > r.Min.Y && p.Y < r.Max.Y
	}
	if inside(a) || inside(b) {
		return true
	}
	c := [4]vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	for k := range c {
		if segmentsCross(a, b, c[k], c[(k+1)%4]) {
			return true
		}
	}
	return false
}

// segmentDistance is the distance from p to the segment a-b.
func segmentDistance(p, a, b vg.Point) float64 {
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	px, py := float64(p.X-a.X), float64(p.Y-a.Y)
	t := 0.0
	if n := dx*dx + dy*dy; n > 0 {
		t = max(0, min(1, (px*dx+py*dy)/n))
	}
	return math.Hypot(px-t*dx, py-t*dy)
}

func intersect(a, b vg.Rectangle) vg.Rectangle {
	r := vg.Rectangle{
		Min: vg.Point{X: max(a.Min.X, b.Min.X), Y: max(a.Min.Y, b.Min.Y)},
		Max: vg.Point{X: min(a.Max.X, b.Max.X), Y: min(a.Max.Y, b.Max.Y)},
	}
	if r.Max.X <= r.Min.X || r.Max.Y <= r.Min.Y {
		return vg.Rectangle{}
	}
	return r
}

func area(r vg.Rectangle) float64 {
	return float64(r.Max.X-r.Min.X) * float64(r.Max.Y-r.Min.Y)
}

// circleBoxOverlap approximates the area circle c shares with box: zero
// when they do not touch, else the box's overlap with the square inscribed
// in the circle, and at least a token amount so that touching counts.
func circleBoxOverlap(c circle, box vg.Rectangle) float64 {
	q := nearestOnBox(box, c.c)
	if math.Hypot(float64(q.X-c.c.X), float64(q.Y-c.c.Y)) >= float64(c.r) {
		return 0
	}
	s := c.r / math.Sqrt2
	sq := vg.Rectangle{Min: vg.Point{X: c.c.X - s, Y: c.c.Y - s}, Max: vg.Point{X: c.c.X + s, Y: c.c.Y + s}}
	return max(area(intersect(box, sq)), 1)
}

// nearestOnBox is the point of box nearest to p.
func nearestOnBox(box vg.Rectangle, p vg.Point) vg.Point {
	return vg.Point{X: clamp(p.X, box.Min.X, box.Max.X), Y: clamp(p.Y, box.Min.Y, box.Max.Y)}
}

func clamp(v, lo, hi vg.Length) vg.Length { return max(lo, min(v, hi)) }

func boxCenter(b vg.Rectangle) vg.Point {
	return vg.Point{X: (b.Min.X + b.Max.X) / 2, Y: (b.Min.Y + b.Max.Y) / 2}
}

// edgeToward is the point of c's edge in the direction of p.
func edgeToward(c circle, p vg.Point) vg.Point {
	dx, dy := float64(p.X-c.c.X), float64(p.Y-c.c.Y)
	n := math.Hypot(dx, dy)
	if n == 0 {
		return c.c
	}
	return vg.Point{X: c.c.X + c.r*vg.Length(dx/n), Y: c.c.Y + c.r*vg.Length(dy/n)}
}

// sortBy sorts idx stably by key, so that ties keep their order and the
// output stays deterministic.
func sortBy(idx []int, key func(int) float64) {
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) < key(idx[b]) })
}
