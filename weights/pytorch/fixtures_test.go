package pytorch_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

var npyHeader = regexp.MustCompile(`^\{'descr': '<f4', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \}\s*$`)

// readNpy reads a little-endian float32 C-order .npy file as numpy.save
// writes it: the only kind the fixtures hold.
func readNpy(t *testing.T, path string) ([]float32, []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 10 || !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("%s: not a version 1.0 .npy file", path)
	}
	n := int(binary.LittleEndian.Uint16(b[8:]))
	if 10+n > len(b) {
		t.Fatalf("%s: truncated header", path)
	}
	m := npyHeader.FindStringSubmatch(string(b[10 : 10+n]))
	if m == nil {
		t.Fatalf("%s: header %q is not float32 C order", path, b[10:10+n])
	}
	var shape []int
	count := 1
	for _, f := range strings.Split(m[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, _ := strconv.Atoi(f)
		shape = append(shape, d)
		count *= d
	}
	data := b[10+n:]
	if len(data) != 4*count {
		t.Fatalf("%s: %d bytes of data for shape %v", path, len(data), shape)
	}
	v := make([]float32, count)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return v, shape
}

func fixture(t *testing.T, name string) string {
	return filepath.Join(fixtures(t), name)
}
