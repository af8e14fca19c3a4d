package keras_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights"
)

// debianPython is Debian's interpreter, the one python3-h5py installs for.
const debianPython = "/usr/bin/python3"

// TestModels writes reference-named weights of the Keras models as
// safetensors, has h5py write the same values in every Keras layout
// (testdata/write_keras.py), and checks that each file loads into the
// very same weights as the safetensors file: every tensor identical.
// Batch norms carry non-trivial statistics, so no variable can stand in
// for another unnoticed.
func TestModels(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import h5py, numpy").Run(); err != nil {
		testenv.Missing(t, "h5py is not available to %s (Debian package python3-h5py)", debianPython)
	}
	cases := []struct {
		model string
		files []string
	}{
		{"keras_resnet50", []string{"legacy_earliest.h5", "v3.keras"}},
		{"keras_resnet50v2", []string{"v3.weights.h5", "legacy_latest.h5"}},
	}
	for _, c := range cases {
		files := c.files
		if testing.Short() {
			files = files[:1]
		}
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			g := testenv.Build(t, c.model, nil)
			dir := t.TempDir()
			ref := filepath.Join(dir, "ref.safetensors")
			if err := weights.Save(g, testenv.StatsWeights(g, 5), ref); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"testdata/write_keras.py", ref, dir}, files...)
			if out, err := exec.Command(debianPython, args...).CombinedOutput(); err != nil {
				t.Fatalf("write_keras.py: %v\n%s", err, out)
			}
			want, err := weights.Load(g, ref)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range files {
				got, err := weights.Load(g, filepath.Join(dir, name))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if len(got) != len(want) {
					t.Errorf("%s: %d tensors, want %d", name, len(got), len(want))
				}
				for k, v := range want {
					if !slices.Equal(got[k], v) {
						t.Errorf("%s: %s differs", name, k)
					}
				}
			}
			// The file of one model does not fit the other.
			other := "keras_resnet50v2"
			if c.model == other {
				other = "keras_resnet50"
			}
			_, err = weights.Load(testenv.Build(t, other, nil), filepath.Join(dir, files[0]))
			var me *weights.MismatchError
			if !errors.As(err, &me) || len(me.Missing) == 0 || len(me.Unexpected) == 0 {
				t.Errorf("%s into %s: got %v, want missing and unexpected keys", files[0], other, err)
			}
		})
	}
}
