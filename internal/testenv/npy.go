package testenv

import (
	"os"
	"testing"

	"github.com/resc-dev/resc/internal/npy"
)

// ReadNpy reads a float32 .npy file that numpy.save wrote (format 1.0,
// '<f4', C order), as the tests' Python references write them, and
// returns its values and shape.
func ReadNpy(t testing.TB, path string) ([]float32, []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, shape, err := npy.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v, shape
}
