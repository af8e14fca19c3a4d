// Package keras reads Keras weight files into named tensors: the HDF5
// files of save_weights and keras.applications (Keras 2: root attribute
// layer_names, a group per layer with attribute weight_names), Keras 3's
// .weights.h5 (variables layers/<name>/vars/<i>), and .keras archives (a
// zip holding model.weights.h5).
//
// Tensors are named "<layer>/<variable>" (conv1_conv/kernel,
// conv1_bn/moving_mean), as resc names a Keras model's parameters, and keep
// Keras's layout (conv kernels HWIO, dense kernels [in,out]), which
// weights.Match transposes.
package keras

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/internal/userfile"
	"github.com/resc-dev/resc/weights/hdf5"
	"github.com/resc-dev/resc/weights/safetensors"
)

// archiveWeights is the member of a .keras archive that holds the weights.
const archiveWeights = "model.weights.h5"

// maxArchived bounds the decompressed size of model.weights.h5 in a
// .keras archive.
const maxArchived = 4 << 30

// Recognise reports whether r, of size bytes, is a file Read takes: HDF5
// (by its signature), or a zip archive holding model.weights.h5.
func Recognise(r io.ReaderAt, size int64) bool {
	// A safetensors file (a length, then its JSON header) is never taken
	// for HDF5, whatever its tensors' bytes hold after a "user block".
	head := make([]byte, 9)
	if _, err := r.ReadAt(head, 0); err == nil && head[8] == '{' && string(head[:4]) != hdf5.Signature[:4] {
		return false
	}
	if hdf5.IsHDF5(r, size) {
		return true
	}
	z, err := zip.NewReader(r, size)
	if err != nil {
		return false
	}
	for _, m := range z.File {
		if m.Name == archiveWeights {
			return true
		}
	}
	return false
}

// ReadFile reads the Keras weight file at path.
func ReadFile(path string) (*safetensors.File, error) {
	data, err := userfile.Read(path, safetensors.MaxFileBytes, "weights files")
	if err != nil {
		return nil, err
	}
	f, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Read decodes a Keras weight file held in data: HDF5, or a .keras zip.
func Read(data []byte) (*safetensors.File, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		var err error
		if data, err = unzipWeights(data); err != nil {
			return nil, err
		}
	}
	h, err := hdf5.Read(data)
	if err != nil {
		return nil, fmt.Errorf("invalid HDF5 file: %w", err)
	}
	// Datasets may share their bytes, but legitimately hold no more values
	// than compression allows, so a small file cannot claim gigabytes.
	r := &reader{left: 1040*int64(len(data)) + 1<<20}
	f, err := r.fromHDF5(h)
	if err != nil {
		return nil, fmt.Errorf("keras weights: %w", err)
	}
	return f, nil
}

// unzipWeights returns model.weights.h5 from a .keras archive.
func unzipWeights(data []byte) ([]byte, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("keras archive: %w", err)
	}
	for _, m := range z.File {
		if m.Name != archiveWeights {
			continue
		}
		r, err := m.Open()
		if err != nil {
			return nil, fmt.Errorf("keras archive: %s: %w", archiveWeights, err)
		}
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, maxArchived+1))
		if err != nil {
			return nil, fmt.Errorf("keras archive: %s: %w", archiveWeights, err)
		}
		if len(b) > maxArchived {
			return nil, fmt.Errorf("keras archive: %s is larger than %d bytes", archiveWeights, maxArchived)
		}
		return b, nil
	}
	return nil, fmt.Errorf("keras archive: no %s (a zip, but not a .keras file)", archiveWeights)
}

// A reader reads the tensors of one file.
type reader struct {
	left int64 // values that may still be read
}

// fromHDF5 finds the layout of a Keras HDF5 file and reads its weights.
func (r *reader) fromHDF5(h *hdf5.File) (*safetensors.File, error) {
	root, err := h.Root()
	if err != nil {
		return nil, err
	}
	// A whole model saved by Keras 2 keeps its weights in model_weights.
	if mw, err := root.Open("model_weights"); err == nil && mw.IsGroup() {
		root = mw
	}
	var tensors []safetensors.Tensor
	names, err := stringsAttr(root, "layer_names")
	switch {
	case err != nil:
		return nil, err
	case names != nil:
		tensors, err = r.legacy(root, names)
	default:
		layers, name := layersGroup(root)
		if layers == nil {
			return nil, errors.New("not a Keras weight file: no layer_names attribute (Keras 2) and no layers group (Keras 3)")
		}
		tensors, err = r.keras3(layers, name)
	}
	if err != nil {
		return nil, err
	}
	sort.SliceStable(tensors, func(i, j int) bool { return tensors[i].Name < tensors[j].Name })
	return &safetensors.File{Tensors: tensors}, nil
}

// stringsAttr reads a string-array attribute, which Keras splits into
// name0, name1, ... when it would exceed HDF5's 64 KiB header limit; nil
// when there is none. An empty array is written as floats.
func stringsAttr(o *hdf5.Object, name string) ([]string, error) {
	a, err := o.Attr(name)
	if err != nil {
		return nil, err
	}
	parts := []*hdf5.Attr{a}
	if a == nil {
		parts = nil
		for i := 0; ; i++ {
			p, err := o.Attr(name + strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			if p == nil {
				break
			}
			parts = append(parts, p)
		}
		if parts == nil {
			return nil, nil
		}
	}
	out := []string{}
	for _, p := range parts {
		if n := 1; len(p.Shape) > 0 {
			for _, d := range p.Shape {
				n *= d
			}
			if n == 0 {
				continue
			}
		}
		s, err := p.Strings()
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}

// renamed maps layer names of keras-applications, which wrote the
// published ResNet weight files, to those Keras gave the layers since:
// keras-applications called the classifier "probs", tf.keras and Keras 3
// (and so resc) call it "predictions". Keras itself matches the layers of
// these files by position, so it never noticed.
var renamed = map[string]string{"probs": "predictions"}

// legacy reads the Keras 2 layout: each layer's weight_names name
// datasets in its group, such as conv1_conv/kernel:0. Tensors are named
// by the layer and the last part of the weight's name without ":0", so
// that names TensorFlow uniquified (conv1_conv_1/kernel:0) still match.
func (r *reader) legacy(root *hdf5.Object, layers []string) ([]safetensors.Tensor, error) {
	var tensors []safetensors.Tensor
	for _, layer := range layers {
		name := layer
		if to, ok := renamed[layer]; ok && !slices.Contains(layers, to) {
			name = to
		}
		g, err := root.Open(layer)
		if err != nil {
			return nil, fmt.Errorf("layer %q: %w", layer, err)
		}
		weights, err := stringsAttr(g, "weight_names")
		if err != nil {
			return nil, fmt.Errorf("layer %q: %w", layer, err)
		}
		if weights == nil && g.IsGroup() {
			return nil, fmt.Errorf("layer %q: no weight_names attribute", layer)
		}
		for _, w := range weights {
			ds, err := g.Open(w)
			if err != nil {
				return nil, fmt.Errorf("layer %q: weight %q: %w", layer, w, err)
			}
			base := path.Base(w)
			if i := strings.LastIndexByte(base, ':'); i > 0 {
				base = base[:i]
			}
			t, err := r.tensor(ds, name+"/"+base)
			if err != nil {
				return nil, fmt.Errorf("layer %q: weight %q: %w", layer, w, err)
			}
			tensors = append(tensors, t)
		}
	}
	return tensors, nil
}

// tensor reads a float dataset as a named tensor.
func (r *reader) tensor(ds *hdf5.Object, name string) (safetensors.Tensor, error) {
	if !ds.IsDataset() {
		return safetensors.Tensor{}, errors.New("not a dataset")
	}
	shape, err := ds.Shape()
	if err != nil {
		return safetensors.Tensor{}, err
	}
	n := int64(1)
	for _, d := range shape {
		if n *= int64(d); n > r.left {
			return safetensors.Tensor{}, errors.New("more values than the file can hold (datasets share their data)")
		}
	}
	r.left -= n
	v, shape, err := ds.Float32s()
	if err != nil {
		return safetensors.Tensor{}, err
	}
	t, _ := ds.Datatype()
	dt := map[int]safetensors.DType{2: safetensors.F16, 4: safetensors.F32, 8: safetensors.F64}[t.Size]
	if shape == nil {
		shape = []int{}
	}
	return safetensors.Tensor{Name: name, DType: dt, Shape: shape, Data: v}, nil
}

// varNames are the names Keras 3 gives a layer's variables by position,
// which is the order the layer creates them in, trainable ones first.
var (
	convNames = []string{"kernel", "bias"}
	bnNames   = []string{"gamma", "beta", "moving_mean", "moving_variance"}
)

// keras3 reads the Keras 3 layout: layers/<name>/vars/<i>, layers nested
// in models under their own layers groups.
func (r *reader) keras3(layers *hdf5.Object, name string) ([]safetensors.Tensor, error) {
	var tensors []safetensors.Tensor
	seen := map[uint64]bool{}
	var walk func(g *hdf5.Object, prefix string, depth int) error
	walk = func(g *hdf5.Object, prefix string, depth int) error {
		if depth > 16 {
			return fmt.Errorf("%s: layers nested deeper than 16", prefix)
		}
		// Keras writes every group once; a group reached twice (shared,
		// or a cycle) would multiply the work.
		if seen[g.Addr()] {
			return fmt.Errorf("%s: a group reached twice", prefix)
		}
		seen[g.Addr()] = true
		links, err := g.Links()
		if err != nil {
			return err
		}
		for _, l := range links {
			c, err := g.Child(l)
			if err != nil {
				return err
			}
			if !c.IsGroup() {
				continue
			}
			p := prefix + "/" + l.Name
			if vars, err := c.Open("vars"); err == nil && vars.IsGroup() {
				ts, err := r.layerVars(vars, l.Name, p)
				if err != nil {
					return err
				}
				tensors = append(tensors, ts...)
			}
			if sub, name := layersGroup(c); sub != nil {
				if err := walk(sub, p+"/"+name, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(layers, name, 0); err != nil {
		return nil, err
	}
	return tensors, nil
}

// layersGroup returns the group of a model's layers in the Keras 3 layout
// and its name: "layers", or "_layer_checkpoint_dependencies" in the
// .keras files of tf.keras 2.13 and 2.14; nil when there is neither.
func layersGroup(model *hdf5.Object) (*hdf5.Object, string) {
	for _, name := range []string{"layers", "_layer_checkpoint_dependencies"} {
		if g, err := model.Open(name); err == nil && g.IsGroup() {
			return g, name
		}
	}
	return nil, ""
}

// layerVars names the variables 0, 1, ... of one Keras 3 layer: four
// vectors are a batch norm's, three one's without scale; a kernel of two or more dimensions and an
// optional bias are a convolution's or a dense layer's.
func (r *reader) layerVars(vars *hdf5.Object, layer, where string) ([]safetensors.Tensor, error) {
	links, err := vars.Links()
	if err != nil {
		return nil, fmt.Errorf("%s/vars: %w", where, err)
	}
	var ts []safetensors.Tensor
	for i := range links {
		ds, err := vars.Open(strconv.Itoa(i))
		if err != nil {
			return nil, fmt.Errorf("%s/vars: variables are not numbered 0 to %d: %w", where, len(links)-1, err)
		}
		t, err := r.tensor(ds, "")
		if err != nil {
			return nil, fmt.Errorf("%s/vars/%d: %w", where, i, err)
		}
		ts = append(ts, t)
	}
	var names []string
	switch {
	case len(ts) == 0:
		return nil, nil
	case len(ts) == 4 && rank(ts, 1):
		names = bnNames
	case len(ts) == 3 && rank(ts, 1):
		// A batch norm without scale (classification_models' bn_data);
		// one without center would be gamma, which shapes cannot tell.
		names = bnNames[1:]
	case len(ts) <= 2 && len(ts[0].Shape) >= 2 && (len(ts) == 1 || len(ts[1].Shape) == 1):
		names = convNames
	default:
		var shapes []string
		for _, t := range ts {
			shapes = append(shapes, safetensors.FormatShape(t.Shape))
		}
		return nil, fmt.Errorf("%s/vars: %d variables of shapes %s are not a convolution's, a dense layer's or a batch norm's", where, len(ts), strings.Join(shapes, ", "))
	}
	for i := range ts {
		ts[i].Name = layer + "/" + names[i]
	}
	return ts, nil
}

func rank(ts []safetensors.Tensor, r int) bool {
	for _, t := range ts {
		if len(t.Shape) != r {
			return false
		}
	}
	return true
}
