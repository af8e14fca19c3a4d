package resc_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/internal/testenv"
)

// classifyMain is a program outside the module that classifies an image
// with resnet18 through the public package alone.
const classifyMain = `package main

import (
	"fmt"
	"image"
	_ "image/png"
	"log"
	"os"

	"github.com/resc-dev/resc"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	m, err := resc.LoadStdlib("resnet18", resc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.Native(resc.NativeOptions{})
	if err != nil {
		log.Fatal(err)
	}
	top, err := p.Classify([]image.Image{img}, 5)
	if err != nil {
		log.Fatal(err)
	}
	for _, cl := range top[0] {
		fmt.Printf("%d %s %.5f\n", cl.Index, cl.Label, cl.Probability)
	}
}
`

// TestExternalModule builds a module outside this one that imports the
// public package through a replace directive, without cgo and offline
// (the modules it needs are in the module cache), and checks that it
// classifies an image with resnet18 as this package does, and that
// onnxruntime's wrapper is not linked in.
func TestExternalModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module and runs resnet18 at 224x224; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		testenv.Missing(t, "the go command: %v", err)
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := fmt.Sprintf("module example.com/classify\n\ngo 1.26\n\nrequire github.com/resc-dev/resc v0.0.0\n\nreplace github.com/resc-dev/resc => %s\n", root)
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	img := testImage()
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"go.mod": []byte(gomod), "go.sum": sum, "main.go": []byte(classifyMain), "image.png": pngData.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goRun := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	deps := goRun("list", "-deps", ".")
	if !strings.Contains(deps, "github.com/resc-dev/resc/backend/native\n") {
		t.Fatalf("go list -deps does not list the native backend:\n%s", deps)
	}
	for _, banned := range []string{"onnxruntime_go", "backend/onnx/ort", "runtime/cgo"} {
		if strings.Contains(deps, banned) {
			t.Errorf("the program depends on %s", banned)
		}
	}
	goRun("build", "-o", "classify", ".")
	cmd := exec.Command(filepath.Join(dir, "classify"), filepath.Join(dir, "image.png"))
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the program: %v", err)
	}

	m, err := resc.LoadStdlib("resnet18", resc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Native(resc.NativeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.Classify([]image.Image{img}, 5)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, cl := range top[0] {
		fmt.Fprintf(&want, "%d %s %.5f\n", cl.Index, cl.Label, cl.Probability)
	}
	if string(got) != want.String() {
		t.Errorf("the external program printed\n%s\nthis package gives\n%s", got, want.String())
	}
}

// testImage is a 256x200 gradient with some structure, deterministic.
func testImage() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 256, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 256; x++ {
			i := img.PixOffset(x, y)
			img.Pix[i+0] = uint8(x)
			img.Pix[i+1] = uint8(y + x/3)
			img.Pix[i+2] = uint8((x * y) >> 6)
			img.Pix[i+3] = 255
		}
	}
	return img
}
