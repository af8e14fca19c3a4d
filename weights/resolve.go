package weights

import (
	"sync"

	"github.com/resc-dev/resc/ir"
)

// Resolve returns a Source for an optimised graph g whose parameters may
// be derived (ir.Param.Derived): derived values are computed from base's
// values of the parameters they come from, which base is asked for once
// each, in the order of g.SourceParams, so a Stream made for g still
// works. Values a derivation shares with another are kept only until
// their last use. Resolving a Source already resolved for g returns it.
func Resolve(g *ir.Graph, base Source) Source {
	if r, ok := base.(*resolved); ok && r.g == g {
		return r
	}
	r := &resolved{g: g, base: base, uses: map[*ir.Param]int{}, cache: map[*ir.Param][]float32{}}
	seen := map[*ir.Param]bool{}
	var count func(p *ir.Param)
	count = func(p *ir.Param) {
		r.uses[p]++
		if seen[p] || p.Derived == nil {
			seen[p] = true
			return
		}
		seen[p] = true
		for _, q := range p.Derived.From {
			count(q)
		}
	}
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			count(p)
		}
	}
	return r
}

type resolved struct {
	g    *ir.Graph
	base Source
	mu   sync.Mutex
	// uses counts the requests each parameter will see: the backend's
	// own, plus one per derivation reading it.
	uses  map[*ir.Param]int
	cache map[*ir.Param][]float32
}

func (r *resolved) Values(p *ir.Param) []float32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.value(p)
}

func (r *resolved) value(p *ir.Param) []float32 {
	if v, ok := r.cache[p]; ok {
		if r.uses[p]--; r.uses[p] <= 0 {
			delete(r.cache, p)
		}
		return v
	}
	var v []float32
	if d := p.Derived; d != nil {
		from := make([][]float32, len(d.From))
		for i, q := range d.From {
			if from[i] = r.value(q); from[i] == nil {
				return nil
			}
		}
		v = d.Compute(from)
	} else {
		v = r.base.Values(p)
	}
	if r.uses[p]--; r.uses[p] > 0 && v != nil {
		r.cache[p] = v
	}
	return v
}
