package keras

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/weights/safetensors"
)

var tinyFiles = []string{
	"tiny_legacy_earliest.h5", "tiny_legacy_latest.h5", "tiny_model_weights.h5",
	"tiny_v3.weights.h5", "tiny_v3.keras",
}

// tinyWant is the content of the tiny fixtures (testdata/write_fixtures.py)
// in Keras's layout: each tensor held arange(n) in PyTorch's.
func tinyWant() []safetensors.Tensor {
	arange := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(i)
		}
		return v
	}
	// conv/kernel [4,3,3,3] OIHW -> HWIO: [h,w,i,o] = o*27 + i*9 + h*3 + w.
	var conv []float32
	for h := range 3 {
		for w := range 3 {
			for i := range 3 {
				for o := range 4 {
					conv = append(conv, float32(o*27+i*9+h*3+w))
				}
			}
		}
	}
	return []safetensors.Tensor{
		{Name: "bn/beta", Shape: []int{4}, Data: arange(4)},
		{Name: "bn/gamma", Shape: []int{4}, Data: arange(4)},
		{Name: "bn/moving_mean", Shape: []int{4}, Data: arange(4)},
		{Name: "bn/moving_variance", Shape: []int{4}, Data: arange(4)},
		{Name: "conv/bias", Shape: []int{4}, Data: arange(4)},
		{Name: "conv/kernel", Shape: []int{3, 3, 3, 4}, Data: conv},
		{Name: "fc/bias", Shape: []int{2}, Data: arange(2)},
		// [out,in] = [2,4] -> [in,out]: [i,o] = o*4 + i.
		{Name: "fc/kernel", Shape: []int{4, 2}, Data: []float32{0, 4, 1, 5, 2, 6, 3, 7}},
	}
}

func recognise(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return Recognise(f, st.Size())
}

func TestTiny(t *testing.T) {
	want := tinyWant()
	for _, name := range tinyFiles {
		path := filepath.Join("testdata", name)
		if !recognise(t, path) {
			t.Errorf("%s: Recognise is false", name)
		}
		f, err := ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Tensors) != len(want) {
			var names []string
			for _, x := range f.Tensors {
				names = append(names, x.Name)
			}
			t.Errorf("%s: tensors %v", name, names)
			continue
		}
		for i, w := range want {
			g := f.Tensors[i]
			if g.Name != w.Name || !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Data, w.Data) {
				t.Errorf("%s: tensor %d is %s %v %v, want %s %v %v", name, i, g.Name, g.Shape, g.Data, w.Name, w.Shape, w.Data)
			}
		}
	}
}

func TestNoScale(t *testing.T) {
	f, err := ReadFile("testdata/no_scale.weights.h5")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range f.Tensors {
		got = append(got, fmt.Sprint(x.Name, x.Data))
	}
	want := []string{"bn_data/beta[0 0 0]", "bn_data/moving_mean[1 1 1]", "bn_data/moving_variance[2 2 2]"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestProbs: keras-applications' classifier "probs" is resc's (and
// Keras's) "predictions".
func TestProbs(t *testing.T) {
	f, err := ReadFile("testdata/probs.h5")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 2 || f.Tensors[0].Name != "predictions/bias" || f.Tensors[1].Name != "predictions/kernel" {
		t.Errorf("got %v", f.Tensors)
	}
}

// TestTF213: the Keras 3 layout under tf.keras 2.13's group name, with a
// nested model whose layers count by their own names.
func TestTF213(t *testing.T) {
	f, err := ReadFile("testdata/tf213.weights.h5")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range f.Tensors {
		got = append(got, fmt.Sprint(x.Name, x.Shape))
	}
	want := []string{"conv/bias[4]", "conv/kernel[1 1 3 4]", "dense/kernel[3 2]"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"bad_vars.weights.h5", "layers/odd/vars: 5 variables of shapes [4], [4], [4], [4], [4] are not a convolution's"},
		{"missing_weight.h5", `layer "dense": weight "dense/bias:0": "dense/bias:0": no member "bias:0"`},
		{"not_keras.zip", "no model.weights.h5 (a zip, but not a .keras file)"},
		{"../../hdf5/testdata/features_earliest.h5", "not a Keras weight file: no layer_names attribute (Keras 2) and no layers group (Keras 3)"},
	}
	for _, c := range cases {
		_, err := ReadFile(filepath.Join("testdata", c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.file, err, c.want)
		}
	}
	if recognise(t, "testdata/not_keras.zip") || recognise(t, "keras.go") {
		t.Error("Recognise takes a file that is not Keras's")
	}
	// A safetensors file whose data happens to hold the HDF5 signature
	// where a user block would end.
	st := make([]byte, 1024)
	copy(st, "\x10\x00\x00\x00\x00\x00\x00\x00{}              ")
	copy(st[512:], "\x89HDF\r\n\x1a\n")
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := os.WriteFile(path, st, 0o644); err != nil {
		t.Fatal(err)
	}
	if recognise(t, path) {
		t.Error("Recognise takes a safetensors file for HDF5")
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"tiny_legacy_latest.h5", "tiny_v3.keras", "missing_weight.h5"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		Read(data)
	})
}
