package weights

import (
	"reflect"
	"slices"
	"testing"

	"github.com/resc-dev/resc/compiler"
)

// TestLoadLinear: a per-pixel linear layer's weight loads by its reference
// name with nn.Linear's [out,in] shape (torch) or Dense's [in,out]
// (Keras, transposed to the IR's), and a file holding the equivalent
// convolution's [out,in,1,1] is refused with both shapes named.
func TestLoadLinear(t *testing.T) {
	for _, style := range []string{"torch", "keras"} {
		p, err := compiler.LoadSource("lin.res", "network lin() {\n  naming "+style+"\n  input(3, 4, 4)\n  pw: linear(5)\n}\n")
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build("lin", nil)
		if err != nil {
			t.Fatal(err)
		}
		want := Init(g, 1)
		wname, bname := "pw.weight", "pw.bias"
		if style == "keras" {
			wname, bname = "pw/kernel", "pw/bias"
		}
		w := want[wname]
		file := w
		shape := []int{5, 3}
		if style == "keras" {
			shape = []int{3, 5}
			file = make([]float32, len(w))
			for o := range 5 {
				for i := range 3 {
					file[i*5+o] = w[o*3+i]
				}
			}
		}
		es := []entry{{wname, "F32", shape, f32(file)}, {bname, "F32", []int{5}, f32(want[bname])}}
		got, err := Load(g, handMade(t, "", es))
		if err != nil {
			t.Fatalf("%s: %v", style, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: loaded values differ from the file's", style)
		}
		if style == "keras" {
			continue
		}
		es[0] = entry{wname, "F32", []int{5, 3, 1, 1}, f32(w)}
		_, err = Load(g, handMade(t, "", es))
		me := mustMismatch(t, err)
		if want := `"pw.weight": shape [5,3], file has [5,3,1,1]`; !slices.Equal(me.Problems, []string{want}) {
			t.Errorf("got %+v", me.Problems)
		}
	}
}
