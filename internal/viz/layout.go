package viz

import (
	"fmt"
	"math"
	"sort"
	"unicode/utf8"

	"github.com/resc-dev/resc/internal/fold"
)

// Sizes in SVG user units (pixels).
const (
	fontSize   = 12
	charWidth  = 7.3 // a monospace glyph at fontSize
	lineHeight = 16
	padX       = 10
	padY       = 8
	minWidth   = 90
	boxHeight  = 3*lineHeight + 2*padY
	gapX       = 24 // between neighbours in a layer
	gapY       = 36 // between layers
	laneWidth  = 8  // a long edge's lane through a layer
	margin     = 20
	sweeps     = 6 // ordering and placement iterations
)

// A vnode is a box or a dummy: a long edge's lane through a layer.
type vnode struct {
	box   *fold.Box // nil for a dummy
	layer int
	w, h  float64
	x     float64 // centre
	y     float64 // top
	pos   int     // index in its layer
	side  bool    // on a shortcut path: drawn beside the main path
	route *route  // a dummy's edge
	preds []link
	succs []link
}

// A link joins vnodes of adjacent layers; shortcut links pull a real
// node only weakly, so that the main path stays straight.
type link struct {
	to       *vnode
	shortcut bool
}

// A route is one edge of the folded graph through its dummies.
type route struct {
	from, to *vnode
	via      []*vnode
	shortcut bool
}

// A layout is a placed graph.
type layout struct {
	nodes  []*vnode // the boxes, in box order
	layers [][]*vnode
	routes []*route
	width  float64
	height float64
}

func textWidth(s string) float64 { return float64(utf8.RuneCountInString(s)) * charWidth }

// maxLanes bounds the lanes long edges take through layers, which a
// layout holds in memory: cifar_resnet1202 at depth 0 needs about 4,000;
// a hostile graph of nested residuals around 200,000 nodes would need
// tens of millions.
const maxLanes = 1 << 21

// A TooLargeError says a graph needs more lanes than a layout may hold.
type TooLargeError struct{ Lanes int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the graph is too large to draw: its long edges cross %d layers (at most %d); fold it more with a smaller --depth", e.Lanes, maxLanes)
}

func newLayout(fg *fold.Graph) (*layout, error) {
	l := &layout{}
	for _, b := range fg.Boxes {
		w := float64(minWidth)
		for _, s := range lines(b) {
			w = max(w, textWidth(s)+2*padX)
		}
		v := &vnode{box: b, w: w, h: boxHeight}
		for _, e := range b.Inputs {
			v.layer = max(v.layer, l.nodes[e.From.ID].layer+1)
		}
		l.nodes = append(l.nodes, v)
	}
	n := 0
	for _, v := range l.nodes {
		n = max(n, v.layer+1)
	}
	lanes := int64(0)
	for _, b := range fg.Boxes {
		for _, e := range b.Inputs {
			lanes += int64(l.nodes[b.ID].layer - l.nodes[e.From.ID].layer - 1)
		}
	}
	if lanes > maxLanes {
		return nil, &TooLargeError{Lanes: lanes}
	}
	l.layers = make([][]*vnode, n)
	for _, v := range l.nodes {
		l.layers[v.layer] = append(l.layers[v.layer], v)
	}
	for _, b := range fg.Boxes {
		to := l.nodes[b.ID]
		for _, e := range b.Inputs {
			r := &route{from: l.nodes[e.From.ID], to: to, shortcut: e.Shortcut}
			prev := r.from
			for k := r.from.layer + 1; k < to.layer; k++ {
				d := &vnode{layer: k, w: laneWidth, route: r}
				l.layers[k] = append(l.layers[k], d)
				r.via = append(r.via, d)
				connect(prev, d, e.Shortcut)
				prev = d
			}
			connect(prev, to, e.Shortcut)
			l.routes = append(l.routes, r)
		}
	}
	l.markSide()
	l.order()
	l.place()
	return l, nil
}

func connect(a, b *vnode, shortcut bool) {
	a.succs = append(a.succs, link{b, shortcut})
	b.preds = append(b.preds, link{a, shortcut})
}

// markSide marks the vnodes whose every use leads into a shortcut: a
// projection's conv and batch norm, a shortcut's lanes.
func (l *layout) markSide() {
	for k := len(l.layers) - 1; k >= 0; k-- {
		for _, v := range l.layers[k] {
			if len(v.succs) == 0 {
				continue
			}
			side := true
			for _, s := range v.succs {
				side = side && (s.shortcut || s.to.side)
			}
			v.side = side
		}
	}
}

// order arranges each layer to reduce crossings: barycentres of the
// neighbours' positions, sweeping down and up; ties keep main-path nodes
// left of side ones, then the previous order.
func (l *layout) order() {
	for _, layer := range l.layers {
		sort.SliceStable(layer, func(i, j int) bool { return !layer[i].side && layer[j].side })
		renumber(layer)
	}
	for it := 0; it < sweeps; it++ {
		for k := 1; k < len(l.layers); k++ {
			sortByBarycentre(l.layers[k], func(v *vnode) []link { return v.preds })
		}
		for k := len(l.layers) - 2; k >= 0; k-- {
			sortByBarycentre(l.layers[k], func(v *vnode) []link { return v.succs })
		}
	}
}

func renumber(layer []*vnode) {
	for i, v := range layer {
		v.pos = i
	}
}

func sortByBarycentre(layer []*vnode, adj func(*vnode) []link) {
	key := make(map[*vnode]float64, len(layer))
	for _, v := range layer {
		ls := adj(v)
		if len(ls) == 0 {
			key[v] = float64(v.pos)
			continue
		}
		s := 0.0
		for _, n := range ls {
			s += float64(n.to.pos)
		}
		key[v] = s / float64(len(ls))
	}
	sort.SliceStable(layer, func(i, j int) bool {
		a, b := layer[i], layer[j]
		if key[a] != key[b] {
			return key[a] < key[b]
		}
		if a.side != b.side {
			return !a.side
		}
		return a.pos < b.pos
	})
	renumber(layer)
}

// weight is how strongly v holds its place against its layer neighbours.
func (v *vnode) weight() float64 {
	switch {
	case v.box == nil:
		return 1
	case v.side:
		return 4
	}
	return 16
}

// pull is how strongly a neighbour across link n draws v.
func (v *vnode) pull(n link) float64 {
	if n.shortcut && v.box != nil {
		return 0.05
	}
	return 1
}

// place sets coordinates: x by repeated sweeps in which each layer moves
// to its nodes' desired positions (the weighted mean of their neighbours)
// as closely as order and spacing allow; y by layer.
func (l *layout) place() {
	for _, layer := range l.layers {
		x := 0.0
		for _, v := range layer {
			v.x = x + v.w/2
			x += v.w + gapX
		}
	}
	for it := 0; it < sweeps; it++ {
		for k := 1; k < len(l.layers); k++ {
			placeLayer(l.layers[k], func(v *vnode) []link { return v.preds })
		}
		for k := len(l.layers) - 2; k >= 0; k-- {
			placeLayer(l.layers[k], func(v *vnode) []link { return v.succs })
		}
	}
	for k := 1; k < len(l.layers); k++ {
		placeLayer(l.layers[k], func(v *vnode) []link { return v.preds })
	}
	l.straighten()
	minX, maxX := math.Inf(1), math.Inf(-1)
	for _, layer := range l.layers {
		for _, v := range layer {
			minX = min(minX, v.x-v.w/2)
			maxX = max(maxX, v.x+v.w/2)
		}
	}
	if len(l.nodes) == 0 {
		minX, maxX = 0, 0
	}
	y := float64(margin)
	for _, layer := range l.layers {
		h := 0.0
		for _, v := range layer {
			v.x = math.Round((v.x-minX+margin)*10) / 10
			v.y = y
			if v.box != nil {
				h = max(h, v.h)
			}
		}
		for _, v := range layer {
			if v.box == nil {
				v.h = h // a lane crosses the whole layer
			}
		}
		y += h + gapY
	}
	l.width = math.Round((maxX-minX+2*margin)*10) / 10
	l.height = y - gapY + margin
}

// straighten removes jogs where the layers have room: each long edge's
// lanes move to one x, the farthest right of them (else the farthest
// left), so that the lane runs straight down; then each node with one
// input moves under it, pushing a lane to its right further right where
// that lane's whole edge can go.
func (l *layout) straighten() {
	for _, r := range l.routes {
		if len(r.via) < 2 {
			continue
		}
		right, left := math.Inf(-1), math.Inf(1)
		for _, d := range r.via {
			right, left = max(right, d.x), min(left, d.x)
		}
		if !l.moveLanes(r, right) {
			l.moveLanes(r, left)
		}
	}
	for k := 1; k < len(l.layers); k++ {
		for _, v := range l.layers[k] {
			if len(v.preds) != 1 || v.box != nil && v.preds[0].shortcut {
				continue
			}
			want := v.preds[0].to.x
			lo, hi := l.room(v)
			if want > hi && v.pos+1 < len(l.layers[k]) {
				if u := l.layers[k][v.pos+1]; u.route != nil && l.moveLanes(u.route, u.x+want-hi) {
					lo, hi = l.room(v)
				}
			}
			if want >= lo && want <= hi {
				v.x = want
			}
		}
	}
}

// moveLanes puts all of r's lanes at x if every one of them has room
// there, and reports whether it did.
func (l *layout) moveLanes(r *route, x float64) bool {
	for _, d := range r.via {
		if lo, hi := l.room(d); x < lo || x > hi {
			return false
		}
	}
	for _, d := range r.via {
		d.x = x
	}
	return true
}

// room is the range v's centre may take between its layer neighbours.
func (l *layout) room(v *vnode) (lo, hi float64) {
	layer := l.layers[v.layer]
	lo, hi = math.Inf(-1), math.Inf(1)
	if i := v.pos; i > 0 {
		u := layer[i-1]
		lo = u.x + (u.w+v.w)/2 + gapX
	}
	if i := v.pos; i+1 < len(layer) {
		u := layer[i+1]
		hi = u.x - (u.w+v.w)/2 - gapX
	}
	return lo, hi
}

// placeLayer moves a layer's nodes to the weighted least-squares
// positions nearest their desired ones that keep their order and
// spacing: pool-adjacent-violators on positions less their offsets.
func placeLayer(layer []*vnode, adj func(*vnode) []link) {
	type block struct {
		sumW, sumWY float64
		first, n    int
	}
	offset := make([]float64, len(layer))
	for i := 1; i < len(layer); i++ {
		offset[i] = offset[i-1] + (layer[i-1].w+layer[i].w)/2 + gapX
	}
	var blocks []block
	for i, v := range layer {
		want := v.x
		sw, s := 0.0, 0.0
		for _, n := range adj(v) {
			p := v.pull(n)
			sw += p
			s += p * n.to.x
		}
		if sw > 0 {
			want = s / sw
		}
		w := v.weight()
		blocks = append(blocks, block{sumW: w, sumWY: w * (want - offset[i]), first: i, n: 1})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sumWY/a.sumW <= b.sumWY/b.sumW {
				break
			}
			blocks = blocks[:len(blocks)-1]
			blocks[len(blocks)-1] = block{sumW: a.sumW + b.sumW, sumWY: a.sumWY + b.sumWY, first: a.first, n: a.n + b.n}
		}
	}
	for _, b := range blocks {
		y := b.sumWY / b.sumW
		for i := b.first; i < b.first+b.n; i++ {
			layer[i].x = y + offset[i]
		}
	}
}
