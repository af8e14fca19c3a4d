package compiler

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
)

// Limits are the resource model elaboration checks, so that a network
// that would exhaust memory is a located error at the layer that asks for
// too much rather than a crash in a backend. A zero field means its
// default (DefaultLimits).
type Limits struct {
	// Elements bounds one tensor, an activation (per image) or a weight.
	Elements int64
	// Params bounds the network's parameters, all tensors together.
	Params int64
	// Memory bounds the activations live at once, in bytes, for the
	// whole batch (ir.Graph.PeakActivations times the batch).
	Memory int64
	// steps overrides maxSteps, for the fuzz target: a runaway loop may
	// run for seconds, which fuzzing cannot afford.
	steps int
}

// DefaultLimits are generous for every real network (the standard
// library's largest activation has 0.8 million elements per image, its
// largest model 127 million parameters) and small enough that a machine
// can hold what they allow.
var DefaultLimits = Limits{
	Elements: 1 << 30,  // 4 GiB of float32
	Params:   1 << 30,  // 4 GiB of float32
	Memory:   16 << 30, // 16 GiB
}

// orDefault fills the zero fields from DefaultLimits.
func (l Limits) orDefault() Limits {
	if l.Elements <= 0 {
		l.Elements = DefaultLimits.Elements
	}
	if l.Params <= 0 {
		l.Params = DefaultLimits.Params
	}
	if l.Memory <= 0 {
		l.Memory = DefaultLimits.Memory
	}
	return l
}

// LimitsHelp describes the --limits flag's value, for the command line's
// help.
const LimitsHelp = "resource limits as `KEY=VALUE[,...]`: elements=N (one tensor, default 2^30), " +
	"params=N (the network, default 2^30), memory=SIZE (activations of the batch, default 16GiB)"

// Set parses one --limits value, "memory=32GiB,params=2e9", into l: a
// flag.Value.
func (l *Limits) Set(text string) error {
	for _, kv := range strings.Split(text, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return fmt.Errorf("want KEY=VALUE (elements, params or memory), got %q", kv)
		}
		var dst *int64
		bytes := false
		switch k {
		case "elements":
			dst = &l.Elements
		case "params":
			dst = &l.Params
		case "memory":
			dst, bytes = &l.Memory, true
		default:
			return fmt.Errorf("unknown limit %q (want elements, params or memory)", k)
		}
		n, err := parseQuantity(v, bytes)
		if err != nil {
			return fmt.Errorf("%s=%s: %v", k, v, err)
		}
		*dst = n
	}
	return nil
}

func (l *Limits) String() string {
	if l == nil {
		return ""
	}
	d := l.orDefault()
	return fmt.Sprintf("elements=%d,params=%d,memory=%s", d.Elements, d.Params, formatBytes(float64(d.Memory)))
}

// byteUnits are the suffixes a memory size may have.
var byteUnits = []struct {
	suffix string
	scale  float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// parseQuantity reads a positive count ("1000000", "2e9") or, with bytes, a
// size that may end in B, KB, MB, GB, TB or KiB, MiB, GiB, TiB.
func parseQuantity(s string, bytes bool) (int64, error) {
	scale := 1.0
	if bytes {
		for _, u := range byteUnits {
			if strings.HasSuffix(s, u.suffix) {
				s, scale = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.scale
				break
			}
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number")
	}
	f *= scale
	if !(f >= 1 && f < math.MaxInt64) || f != math.Trunc(f) {
		return 0, fmt.Errorf("want a positive whole number below 2^63")
	}
	return int64(f), nil
}

// formatBytes writes a size for a person: "3.2 GiB".
func formatBytes(b float64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", b, units[i])
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}

// shapeBytes is a shape's size per image as a float, exact enough to
// print where the int64 count saturates.
func shapeBytes(s ir.Shape) float64 {
	b := float64(ir.BytesPerElement)
	for _, d := range s[1:] {
		b *= float64(d)
	}
	return b
}

// checkNode applies the per-tensor and parameter limits to a node just
// added, reporting at its statement.
func (e *elab) checkNode(n *ir.Node, pos diag.Pos) bool {
	lim := e.limits
	if n.Shape.Elems() > lim.Elements {
		e.errorf(pos, "tensor %v would take %s per image: more than the limit of %d elements (raise it with --limits elements=N)",
			n.Shape, formatBytes(shapeBytes(n.Shape)), lim.Elements)
		return false
	}
	for _, p := range n.Params {
		if p.Size() > lim.Elements {
			whole := append(ir.Shape{1}, p.Shape...) // shapeBytes skips dimension 0
			e.errorf(pos, "weight %s %v would take %s: more than the limit of %d elements (raise it with --limits elements=N)",
				p.Name, whole[1:], formatBytes(shapeBytes(whole)), lim.Elements)
			return false
		}
		e.params = ir.AddSat(e.params, p.Size())
	}
	if e.params > lim.Params && !e.tooManyParams {
		e.tooManyParams = true
		e.errorf(pos, "the network has more than %d parameters by this layer (raise the limit with --limits params=N)", lim.Params)
		return false
	}
	return true
}

// checkMemory applies the activation-memory limit to a whole graph for
// one image, reporting at the layer where the peak is reached.
func (e *elab) checkMemory() {
	peak, at := e.g.PeakActivations()
	if at == nil || peak <= e.limits.Memory {
		return
	}
	e.errs.Add(at.Pos, at.Chain, "the activations live at this layer would take %s per image, more than the limit of %s (raise it with --limits memory=SIZE)",
		formatBytes(float64(peak)), formatBytes(float64(e.limits.Memory)))
}

// CheckBatch applies the activation-memory limit to a batch of a built
// graph: the error (for exit status 1) says what the batch would need.
func (p *Program) CheckBatch(g *ir.Graph, batch int) error {
	lim := p.Limits.orDefault()
	peak, _ := g.PeakActivations()
	need := float64(peak) * float64(batch)
	if need > float64(lim.Memory) {
		return fmt.Errorf("a batch of %d would need %s of activations (%s per image), more than the limit of %s (raise it with --limits memory=SIZE)",
			batch, formatBytes(need), formatBytes(float64(peak)), formatBytes(float64(lim.Memory)))
	}
	return nil
}
