package onnx

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/ir"
)

// TestFieldPresence has python3-onnx check, with HasField, that every
// attribute of the stdlib models at -O0 and -O2 carries its value (a
// proto3 schema dropped ceil_mode = 0's i field, which OpenCV rejects) and
// that the model's and tensors' scalar fields are present: each model
// (testenv.RunModels) whose export at that level has a form
// (exportForms) no model before it had. -short checks a representative
// subset.
func TestFieldPresence(t *testing.T) {
	c := startConsumer(t, "onnx")
	dir := t.TempDir()
	models, err := compiler.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	var everyModel []string // in a plain run, all but the heaviest
	if !testing.Short() {
		everyModel = testenv.RunModels(t)
	}
	seen := map[int]map[string]bool{0: {}, 2: {}}
	skipped := 0
	defer func() {
		t.Logf("%d model exports skipped: no export form (exportForms) that an earlier model lacked", skipped)
	}()
	for _, m := range models {
		if testing.Short() && !shortSubset[m.Name] || !testing.Short() && !slices.Contains(everyModel, m.Name) {
			continue
		}
		for _, level := range []int{0, 2} {
			g := build(t, m.Name, testenv.SmallArgs(t, m.Name))
			if err := ir.Optimize(g, level); err != nil {
				t.Fatal(err)
			}
			if !testing.Short() && !newForms(seen[level], g) {
				skipped++
				continue // written with the operators and attributes of models checked already
			}
			path := exportFile(t, dir, g, Options{Source: "stdlib"})
			if _, err := c.ask("presence", path); err != nil {
				t.Errorf("%s -O%d: %v", m.Name, level, err)
			}
			os.Remove(path)
		}
	}
}

// shortSubset is the models -short runs where a test loops over the
// stdlib: one of each family and every op resc exports (max and average
// pools, option-A shortcuts, squeeze-excitation, ECA's channel conv, the
// keras stems' explicit padding, split attention's slices, radix softmax
// and products).
var shortSubset = map[string]bool{
	"resnet18": true, "cifar_resnet20": true, "keras_resnet50v2": true,
	"ecaresnet50d": true, "cm_seresnet18": true, "wrn_16_8": true,
	"resnest14d": true,
}

// TestFieldPresenceNewOps is TestFieldPresence for the newer ops' tiny
// models (newOpCases) at the lowest and highest opsets; a model whose
// operators take no attributes (Tanh alone) has only its model and tensor
// fields checked.
func TestFieldPresenceNewOps(t *testing.T) {
	c := startConsumer(t, "onnx")
	dir := t.TempDir()
	for i, cs := range newOpCases() {
		for _, opset := range []int{MinOpset, MaxOpset} {
			g, w := cs.build(uint64(i))
			path := filepath.Join(dir, "model.onnx")
			writeModel(t, path, g, w, Options{Opset: opset})
			if _, err := c.ask("presence", path); err != nil && err.Error() != "no attributes to check" {
				t.Errorf("%s opset %d: %v", cs.name, opset, err)
			}
		}
	}
}
