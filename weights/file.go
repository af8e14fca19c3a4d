package weights

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/internal/userfile"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights/keras"
	"github.com/resc-dev/resc/weights/onnxweights"
	"github.com/resc-dev/resc/weights/pytorch"
	"github.com/resc-dev/resc/weights/safetensors"
)

// Metadata keys that Save writes.
const (
	// MetaModel records the name of the graph the file was saved from.
	MetaModel = "resc_model"
	// MetaLayout records the layout of the kernels; Save always writes
	// "torch" (conv OIHW, fc [out,in]), and Load then reads them as such
	// even for a Keras-named model, where a square kernel would otherwise
	// be ambiguous.
	MetaLayout = "resc_layout"
)

// A MismatchError lists every way a set of weights does not fit a graph.
type MismatchError struct {
	Context    string   // what was being matched: "weights.safetensors for resnet18"
	Missing    []string // parameters of the graph absent from the weights, in graph order
	Unexpected []string // weights the graph does not have, sorted
	// Problems are `"name": what is wrong` (shapes, dtypes, duplicates,
	// values), the name quoted, in graph order.
	Problems []string
	Hint     string // a likely cause, or ""
}

// maxListed bounds the lines Error prints per kind of problem; the
// MismatchError itself holds them all. Names are printed quoted, Go-style:
// a key from a file may hold any bytes, and a NUL or a newline in it must
// not make it look like another, real name.
const maxListed = 20

func (e *MismatchError) Error() string {
	var b strings.Builder
	var counts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			counts = append(counts, "1 "+one)
		case n > 1:
			counts = append(counts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(len(e.Missing), "missing key", "missing keys")
	add(len(e.Unexpected), "unexpected key", "unexpected keys")
	add(len(e.Problems), "other problem", "other problems")
	fmt.Fprintf(&b, "%s: the weights do not fit: %s", e.Context, strings.Join(counts, ", "))
	list := func(items []string, prefix, kind string) {
		for i, s := range items {
			if i == maxListed {
				fmt.Fprintf(&b, "\n  ... and %d more %s", len(items)-i, kind)
				break
			}
			b.WriteString("\n  " + prefix + s)
		}
	}
	list(quoteAll(e.Missing), "missing key ", "missing keys")
	list(quoteAll(e.Unexpected), "unexpected key ", "unexpected keys")
	list(e.Problems, "", "problems")
	if e.Hint != "" {
		b.WriteString("\n  hint: " + e.Hint)
	}
	return b.String()
}

func (e *MismatchError) empty() bool {
	return len(e.Missing) == 0 && len(e.Unexpected) == 0 && len(e.Problems) == 0
}

// addHint looks for a prefix that the file puts before every name
// ("module." from DataParallel, "model.").
func (e *MismatchError) addHint() {
	if len(e.Missing) == 0 || len(e.Unexpected) == 0 {
		return
	}
	want := e.Missing[0]
	for _, u := range e.Unexpected {
		base := strings.TrimSuffix(u, ":0")
		if strings.HasSuffix(base, want) && len(base) > len(want) {
			e.Hint = fmt.Sprintf("the file's names seem to carry a prefix %q (%q for %q)", base[:len(base)-len(want)], u, want)
			return
		}
	}
}

func params(g *ir.Graph) []*ir.Param {
	var ps []*ir.Param
	for _, n := range g.Nodes {
		ps = append(ps, n.Params...)
	}
	return ps
}

// isBuffer reports whether a file entry is a buffer that no model here
// has a parameter for, to be ignored: PyTorch's batch-norm counters.
func isBuffer(name string) bool {
	return name == "num_batches_tracked" || strings.HasSuffix(name, ".num_batches_tracked")
}

// Load reads a weight file (safetensors, a PyTorch checkpoint or a Keras
// weight file, see ReadFile) and matches it to g's parameters by reference name. Every parameter must be present with its shape, and the
// file must hold no other float tensor; non-float tensors of other names
// (integer buffers) and num_batches_tracked are ignored. F16, BF16 and F64
// values are converted to float32. All problems are reported together in
// a *MismatchError.
//
// For a Keras-named graph (g.Naming == "keras"), names may carry the
// variable suffix ":0", and kernels may be in Keras layout: conv
// [kh,kw,in,out] (HWIO), Conv1D [k,in,out], dense [in,out]. They are
// transposed to the IR's layout (OIHW, [out,in]). A kernel whose shape is
// the IR's is taken as it is, unless it is also the Keras shape (a square
// dense layer, say), when Keras layout wins — except in files that Save
// wrote (metadata resc_layout "torch"), whose kernels are always in IR
// layout.
//
// The file's format is recognised by its content (ReadFile).
func Load(g *ir.Graph, path string) (Set, error) {
	f, err := ReadFile(path)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("cannot read %s: %v", path, pe.Err)
	}
	if err != nil {
		return nil, err
	}
	set, err := Match(g, f, path)
	if e, ok := err.(*MismatchError); ok && e.Hint == "" {
		e.Hint = onnxweights.Hint(f, e.Missing, e.Unexpected)
	}
	return set, err
}

// ReadFile reads a weight file in any format Load takes, told by its
// content, not its name: safetensors (an 8-byte header length, then '{'),
// HDF5 or a zip archive holding model.weights.h5 (or any file named
// .keras) is a Keras weight file, another zip archive or legacy pickle is
// a torch.save checkpoint (.pth, .pt, .bin), an ONNX model gives its
// initializers.
func ReadFile(path string) (*safetensors.File, error) {
	format, err := detect(path)
	if err != nil {
		return nil, err
	}
	switch format {
	case kerasFormat:
		return keras.ReadFile(path)
	case torchFormat:
		return pytorch.ReadFile(path)
	case onnxFormat:
		return onnxweights.ReadFile(path)
	}
	return safetensors.ReadFile(path)
}

// A format is a kind of weight file.
type format int

const (
	safetensorsFormat format = iota // also what no other format claims
	kerasFormat
	torchFormat
	onnxFormat
)

// detect tells a weight file's format by its content (see ReadFile).
func detect(path string) (format, error) {
	f, size, err := userfile.Open(path, safetensors.MaxFileBytes, "weights files")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	isKeras := keras.Recognise(f, size) || strings.HasSuffix(path, ".keras")
	switch {
	case len(head) > 8 && head[8] == '{':
		return safetensorsFormat, nil
	case isKeras: // before torch.save's zips
		return kerasFormat, nil
	case pytorch.Recognise(head):
		return torchFormat, nil
	case onnxweights.Sniff(head) || strings.EqualFold(filepath.Ext(path), ".onnx"):
		return onnxFormat, nil
	}
	return safetensorsFormat, nil
}

// quoteAll quotes each name, Go-style.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

// badValues says what is wrong with a parameter's loaded values, or "":
// NaN or infinite values anywhere, or a negative batch-norm running
// variance (whose square root the model takes). Either would make every
// output NaN without a word.
func badValues(p *ir.Param, v []float32) string {
	nan, inf, neg, first := 0, 0, 0, -1
	for i, x := range v {
		bad := true
		switch {
		case x != x:
			nan++
		case math.IsInf(float64(x), 0):
			inf++
		case p.Role == ir.RoleVar && x < 0:
			neg++
		default:
			bad = false
		}
		if bad && first < 0 {
			first = i
		}
	}
	var parts []string
	if nan > 0 {
		parts = append(parts, plural(nan, "NaN value"))
	}
	if inf > 0 {
		parts = append(parts, plural(inf, "infinite value"))
	}
	if neg > 0 {
		parts = append(parts, plural(neg, "negative running variance"))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (the first at index %d, %g)", strings.Join(parts, " and "), first, v[first])
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// kerasShape is the Keras layout of an IR kernel shape [out,in,s...]:
// [s...,in,out].
func kerasShape(s []int) []int {
	k := slices.Clone(s[2:])
	return append(k, s[1], s[0])
}

// fromKeras transposes a kernel in Keras layout [s...,in,out] to the IR
// layout irShape = [out,in,s...].
func fromKeras(data []float32, irShape []int) []float32 {
	out, in := irShape[0], irShape[1]
	sp := 1
	for _, d := range irShape[2:] {
		sp *= d
	}
	res := make([]float32, len(data))
	k := 0
	for s := 0; s < sp; s++ {
		for i := 0; i < in; i++ {
			for o := 0; o < out; o++ {
				res[(o*in+i)*sp+s] = data[k]
				k++
			}
		}
	}
	return res
}

// Check reports whether w holds exactly g's parameters with their sizes,
// as a *MismatchError listing every difference.
func Check(g *ir.Graph, w Set) error {
	e := &MismatchError{Context: "weights for " + g.Name}
	want := map[string]bool{}
	for _, p := range params(g) {
		want[p.Name] = true
		v, ok := w[p.Name]
		switch {
		case !ok:
			e.Missing = append(e.Missing, p.Name)
		case int64(len(v)) != p.Size():
			e.Problems = append(e.Problems, fmt.Sprintf("%q: shape %s has %d elements, the set holds %d",
				p.Name, safetensors.FormatShape(p.Shape), p.Size(), len(v)))
		}
	}
	for name := range w {
		if !want[name] {
			e.Unexpected = append(e.Unexpected, name)
		}
	}
	sort.Strings(e.Unexpected)
	if !e.empty() {
		return e
	}
	return nil
}

// Save writes w to a safetensors file at path, replacing it atomically.
// Tensors carry the IR's names and always its layout — PyTorch's, conv
// OIHW and fc [out,in] — whatever the graph's naming, and are F32. The
// metadata holds "resc_model" (g.Name) and "resc_layout" ("torch"), and
// for torch naming "format": "pt", which PyTorch's loaders expect. w must
// hold exactly g's parameters (see Check).
func Save(g *ir.Graph, w Set, path string) error {
	tensors, meta, err := saveTensors(g, w)
	if err != nil {
		return err
	}
	return safetensors.WriteFile(path, tensors, meta)
}

// Encode is Save to memory: the safetensors file's bytes.
func Encode(g *ir.Graph, w Set) ([]byte, error) {
	tensors, meta, err := saveTensors(g, w)
	if err != nil {
		return nil, err
	}
	return safetensors.Encode(tensors, meta)
}

// saveTensors are the tensors and metadata Save writes.
func saveTensors(g *ir.Graph, w Set) ([]safetensors.Tensor, map[string]string, error) {
	if err := Check(g, w); err != nil {
		return nil, nil, err
	}
	var tensors []safetensors.Tensor
	for _, p := range params(g) {
		tensors = append(tensors, safetensors.Tensor{
			Name: p.Name, DType: safetensors.F32, Shape: slices.Clone(p.Shape), Data: w[p.Name],
		})
	}
	meta := map[string]string{MetaModel: g.Name, MetaLayout: "torch"}
	if g.Naming != "keras" {
		meta["format"] = "pt"
	}
	return tensors, meta, nil
}
