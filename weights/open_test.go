package weights

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// loadBoth is Load, checked against Open on the same file: the same error
// text (and *MismatchError contents), or, when both succeed, the same
// values bit for bit for every parameter. A safetensors file must be read
// lazily. The tests of Load go through it, so that every case of theirs
// is a case of Open too.
func loadBoth(t *testing.T, g *ir.Graph, path string) (Set, error) {
	t.Helper()
	want, werr := Load(g, path)
	src, gerr := Open(g, path)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("Load says\n%v\nOpen says\n%v", werr, gerr)
	}
	var wm, gm *MismatchError
	if errors.As(werr, &wm) != errors.As(gerr, &gm) || (wm != nil && !reflect.DeepEqual(wm, gm)) {
		t.Fatalf("Load's mismatch %+v, Open's %+v", wm, gm)
	}
	if werr != nil {
		return want, werr
	}
	if format, _ := detect(path); format == safetensorsFormat {
		if _, lazy := src.(*fileSource); !lazy {
			t.Fatalf("Open read a safetensors file into a %T", src)
		}
	}
	for _, p := range params(g) {
		if !sameBits(src.Values(p), want[p.Name]) {
			t.Fatalf("Open gives other values than Load for %s", p.Name)
		}
	}
	if err := Err(src); err != nil {
		t.Fatalf("Err after good reads: %v", err)
	}
	return want, werr
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestOpenModels: Open reads what Load reads for whole models, a file
// Save wrote and a Keras-layout file with ":0" names, and keeps no values.
func TestOpenModels(t *testing.T) {
	g := build(t, "cifar_resnet20")
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := Save(g, Init(g, 5), path); err != nil {
		t.Fatal(err)
	}
	loadBoth(t, g, path)

	k := build(t, "keras_resnet50")
	kpath, want := kerasFile(t, k, true)
	got, err := loadBoth(t, k, kpath)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Keras file: %v", err)
	}
	src, err := Open(k, kpath)
	if err != nil {
		t.Fatal(err)
	}
	if fs := src.(*fileSource); len(fs.bind) != len(params(k)) {
		t.Errorf("%d parameters bound, want %d", len(fs.bind), len(params(k)))
	}
}

// TestOpenChangedLater: a file truncated or spoilt after Open checked it
// gives no values, and Err says why, through Resolve too.
func TestOpenChangedLater(t *testing.T) {
	g := build(t, "cifar_resnet20")
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	if err := Save(g, Init(g, 5), path); err != nil {
		t.Fatal(err)
	}
	src, err := Open(g, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 1000); err != nil {
		t.Fatal(err)
	}
	r := Resolve(g, src)
	if Err(r) != nil {
		t.Fatal("an error before any read")
	}
	var p *ir.Param
	for _, q := range params(g) {
		if p == nil || q.Size() > p.Size() {
			p = q
		}
	}
	if v := r.Values(p); v != nil {
		t.Fatalf("%s read from a truncated file", p.Name)
	}
	err = Err(r)
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Err = %v, want an unexpected EOF", err)
	}
	want := "reading " + path + `: tensor "` + p.Name + `": unexpected EOF; was the file changed after it was checked?`
	if err.Error() != want {
		t.Errorf("Err = %q, want %q", err, want)
	}

	// Values spoilt in place: checked again, not passed on.
	path2 := filepath.Join(dir, "w2.safetensors")
	w := Init(g, 5)
	if err := Save(g, w, path2); err != nil {
		t.Fatal(err)
	}
	src, err = Open(g, path2)
	if err != nil {
		t.Fatal(err)
	}
	w[p.Name][3] = float32(math.NaN())
	if err := Save(g, w, path2+".new"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path2 + ".new")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path2, os.O_WRONLY, 0) // in place: the open file sees it
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if v := src.Values(p); v != nil {
		t.Fatal("NaN values passed on")
	}
	if err := Err(src); err == nil || !strings.Contains(err.Error(), "1 NaN value (the first at index 3") {
		t.Errorf("Err = %v", err)
	}
}

// TestOpenFallback: formats other than safetensors are read whole, as
// Load reads them, and a missing file is reported as Load reports it.
func TestOpenFallback(t *testing.T) {
	g := build(t, "cifar_resnet20")
	_, err := loadBoth(t, g, filepath.Join(t.TempDir(), "missing.safetensors"))
	if err == nil || !strings.HasPrefix(err.Error(), "cannot read ") {
		t.Errorf("missing file: %v", err)
	}
	onnxPath := filepath.Join(t.TempDir(), "w.onnx")
	if err := os.WriteFile(onnxPath, []byte("\x08\x07"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadBoth(t, g, onnxPath); err == nil {
		t.Error("a bad ONNX file read")
	}
}
