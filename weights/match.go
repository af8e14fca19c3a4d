package weights

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights/safetensors"
)

// Match is Load for a file already read; context names it in errors.
func Match(g *ir.Graph, f *safetensors.File, context string) (Set, error) {
	entries := make([]safetensors.Entry, len(f.Tensors))
	for i, t := range f.Tensors {
		entries[i] = safetensors.Entry{Name: t.Name, DType: t.DType, Shape: t.Shape}
	}
	m := matchNames(g, entries, f.Metadata, context)
	set := Set{}
	m.checkValues(func(p *ir.Param, b binding) ([]float32, error) {
		v := f.Tensors[b.index].Data
		if b.keras {
			v = fromKeras(v, p.Shape)
		}
		set[p.Name] = v
		return v, nil
	})
	if err := m.err(); err != nil {
		return nil, err
	}
	return set, nil
}

// A binding says where a parameter's values are in a file: the index of
// its tensor, and whether that is a kernel in Keras layout, to transpose.
type binding struct {
	index int
	keras bool
}

// A matching is a file's tensors matched to a graph's parameters by name,
// shape and dtype, before any value is read; Match (a file in memory) and
// Open (a file read tensor by tensor) share it.
type matching struct {
	g     *ir.Graph
	bind  map[string]binding // by parameter name, for the parameters that fit
	e     *MismatchError
	dupes []string // reported after the values' problems
}

// matchNames matches the entries of a file, whose metadata is meta, to g's
// parameters.
func matchNames(g *ir.Graph, entries []safetensors.Entry, meta map[string]string, context string) *matching {
	keras := g.Naming == "keras"
	irLayout := meta[MetaLayout] == "torch"
	e := &MismatchError{Context: fmt.Sprintf("%s for %s", context, g.Name)}
	if m := meta[MetaModel]; m != "" && m != g.Name {
		e.Context += fmt.Sprintf(" (saved from %q)", m)
	}
	m := &matching{g: g, bind: map[string]binding{}, e: e}

	// The file's tensors by the name they match, ":0" removed for Keras.
	byName := map[string]int{}
	fileName := map[string]string{}
	want := map[string]bool{}
	for _, p := range params(g) {
		want[p.Name] = true
	}
	for i := range entries {
		t := &entries[i]
		name := t.Name
		if keras {
			if base, ok := strings.CutSuffix(name, ":0"); ok && want[base] {
				name = base
			}
		}
		if !want[name] {
			if t.IsWeight() && !isBuffer(name) {
				e.Unexpected = append(e.Unexpected, t.Name)
			}
			continue
		}
		if prev, ok := fileName[name]; ok {
			m.dupes = append(m.dupes, fmt.Sprintf("%q: in the file twice, as %q and %q", name, prev, t.Name))
			continue
		}
		byName[name] = i
		fileName[name] = t.Name
	}
	sort.Strings(e.Unexpected)

	for _, p := range params(g) {
		i, ok := byName[p.Name]
		if !ok {
			e.Missing = append(e.Missing, p.Name)
			continue
		}
		t := &entries[i]
		if !t.IsWeight() {
			e.Problems = append(e.Problems, fmt.Sprintf("%q: dtype %s is not a float type (F32, F16, BF16, F64)", p.Name, t.DType))
			continue
		}
		shape := safetensors.FormatShape(p.Shape)
		if keras && p.Role == ir.RoleWeight && len(p.Shape) >= 2 && !irLayout {
			ks := kerasShape(p.Shape)
			switch {
			case slices.Equal(t.Shape, ks):
				m.bind[p.Name] = binding{index: i, keras: true}
			case slices.Equal(t.Shape, p.Shape):
				m.bind[p.Name] = binding{index: i}
			default:
				e.Problems = append(e.Problems, fmt.Sprintf("%q: shape %s (%s in Keras layout), file has %s",
					p.Name, shape, safetensors.FormatShape(ks), safetensors.FormatShape(t.Shape)))
			}
			continue
		}
		if !slices.Equal(t.Shape, p.Shape) {
			e.Problems = append(e.Problems, fmt.Sprintf("%q: shape %s, file has %s", p.Name, shape, safetensors.FormatShape(t.Shape)))
			continue
		}
		m.bind[p.Name] = binding{index: i}
	}
	return m
}

// checkValues checks the values of every parameter that fits, in graph
// order, one at a time as get gives them in the IR's layout (badValues);
// it stops at get's first error.
func (m *matching) checkValues(get func(p *ir.Param, b binding) ([]float32, error)) error {
	for _, p := range params(m.g) {
		b, ok := m.bind[p.Name]
		if !ok {
			continue
		}
		v, err := get(p, b)
		if err != nil {
			return err
		}
		if msg := badValues(p, v); msg != "" {
			m.e.Problems = append(m.e.Problems, fmt.Sprintf("%q: %s", p.Name, msg))
		}
	}
	return nil
}

// err is the *MismatchError listing every problem found, or nil.
func (m *matching) err() error {
	m.e.Problems = append(m.e.Problems, m.dupes...)
	if m.e.empty() {
		return nil
	}
	m.e.addHint()
	return m.e
}
