package pytorch_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
)

// debianPython is Debian's interpreter, the one python3-torch and
// python3-torchvision install for.
const debianPython = "/usr/bin/python3"

// torchModels are the torchvision models whose checkpoints the tests
// compare logits on; -short keeps the first.
var torchModels = []string{"resnet18", "resnet50", "resnext50_32x4d", "wide_resnet50_2"}

var fixtureDir struct {
	once    sync.Once
	dir     string
	missing string
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir.dir != "" {
		os.RemoveAll(fixtureDir.dir)
	}
	os.Exit(code)
}

// fixtures runs testdata/make_checkpoints.py once per test binary, in one
// Python process (importing torch takes seconds), and returns the folder
// it wrote. Without torch the test fails or skips as testenv.Missing says.
func fixtures(t *testing.T) string {
	t.Helper()
	fixtureDir.once.Do(func() {
		if err := exec.Command(debianPython, "-c", "import torch, torchvision, numpy").Run(); err != nil {
			fixtureDir.missing = fmt.Sprintf("torch and torchvision are not available to %s (Debian packages python3-torch, python3-torchvision): %v", debianPython, err)
			return
		}
		dir, err := os.MkdirTemp("", "resc-pytorch-")
		if err != nil {
			fixtureDir.err = err
			return
		}
		fixtureDir.dir = dir
		models := torchModels
		if testing.Short() {
			models = models[:1]
		}
		cmd := exec.Command(debianPython, append([]string{"testdata/make_checkpoints.py", dir}, models...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			fixtureDir.err = fmt.Errorf("make_checkpoints.py: %v\n%s", err, out)
		}
	})
	if fixtureDir.missing != "" {
		testenv.Missing(t, "%s", fixtureDir.missing)
	}
	if fixtureDir.err != nil {
		t.Fatal(fixtureDir.err)
	}
	return fixtureDir.dir
}

func fixture(t *testing.T, name string) string {
	return filepath.Join(fixtures(t), name)
}
