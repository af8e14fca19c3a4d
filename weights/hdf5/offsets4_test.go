package hdf5_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights/hdf5"
)

// TestFeaturesOffsets4 has h5py write the feature files with 4-byte
// addresses and lengths, which change the size of every structure.
func TestFeaturesOffsets4(t *testing.T) {
	const python = "/usr/bin/python3" // Debian's, for which python3-h5py installs
	if err := exec.Command(python, "-c", "import h5py").Run(); err != nil {
		testenv.Missing(t, "h5py is not available to %s (Debian package python3-h5py)", python)
	}
	dir := t.TempDir()
	if out, err := exec.Command(python, "testdata/write_fixtures.py", "--offsets4", dir).CombinedOutput(); err != nil {
		t.Fatalf("write_fixtures.py: %v\n%s", err, out)
	}
	for _, name := range []string{"features_earliest.h5", "features_latest.h5"} {
		t.Run(name, func(t *testing.T) {
			f := hdf5.CheckFeatures(t, filepath.Join(dir, name))
			if o, l := hdf5.Sizes(f); o != 4 || l != 4 {
				t.Errorf("sizes %d and %d, want 4", o, l)
			}
		})
	}
}
