package testenv

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/ir"
)

// ShortModels are the models the all-model tests run under -short, one of
// each kind the passes and backends treat differently: a basic-block
// ResNet, a grouped-convolution ResNeXt, Keras's pre-activation v2 (its
// naming, max-pool shortcuts), a CIFAR ResNet (32×32, option-A
// shortcuts), timm's ECA-ResNet-D (deep stem, average-pool
// downsampling, channel conv, gates), PyramidNet (a custom shortcut:
// average pool, zero channels appended), and one model of each family built
// on tensor values: Res2NeXt (channel split, grouped chain, concat, padded
// average pool), ResNeSt-14d (radix split, radix softmax, attention
// products and sums), SK-ResNet-18 (split input, dilated paths) and
// MobileNetV3-Small (depthwise 3×3 and 5×5, hardswish, a hardsigmoid gate,
// residuals without projection).
var ShortModels = []string{"resnet18", "resnext50_32x4d", "keras_resnet50v2", "cifar_resnet20", "ecaresnet50d",
	"pyramidnet110_a48", "res2next50", "resnest14d", "skresnet18", "mobilenet_v3_small"}

// HeavyParams is the parameter count above which a plain run of an
// all-model test that runs the models (RunModels) leaves a model out. Its
// cost there grows with its weights, which are generated, exported and
// copied into a runtime's session at every level: on a loaded 2-core
// machine regnet_y_16gf alone took 96 s of TestOnnxruntimeRunsStdlib,
// regnet_y_400mf a few. Each such model is the code of a smaller model
// of its family at greater depth or width; RESC_ALL_MODELS=1 runs them.
// At 50M the 101-layer ResNets, ResNeXts, SE-ResNets and Res2Nets,
// ResNeSt-101e, RegNet 8GF and EfficientNet-B6 (40M-49M) still ran, and
// the suite took 10-11 of its 12 minutes here; leaving them out took
// backend/onnx and backend/native together from 4 min 38 s to 3 min 49 s
// (one run each; 7.5 to 6.2 CPU minutes). Their 50-layer siblings and B5
// stay in.
const HeavyParams = 40_000_000

// Heavy reports whether a stdlib model has more than HeavyParams
// parameters.
func Heavy(t testing.TB, name string) bool {
	t.Helper()
	return defaults(t, name).params > HeavyParams
}

// Models lists the stdlib models an all-model test runs: every one, or
// ShortModels under -short.
func Models(t testing.TB) []string {
	t.Helper()
	if testing.Short() {
		return ShortModels
	}
	models, err := compiler.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = m.Name
	}
	return names
}

// RunModels is Models for the all-model tests that run the models with
// weights (natively, in onnxruntime, through onnx.checker): in a plain
// run it leaves out the models over HeavyParams, unless
// RESC_ALL_MODELS=1.
func RunModels(t testing.TB) []string {
	t.Helper()
	names := Models(t)
	if testing.Short() || os.Getenv("RESC_ALL_MODELS") == "1" {
		return names
	}
	var light, heavy []string
	for _, n := range names {
		if Heavy(t, n) {
			heavy = append(heavy, n)
		} else {
			light = append(light, n)
		}
	}
	if len(heavy) > 0 {
		t.Logf("left out, over %d parameters (RESC_ALL_MODELS=1 runs them): %s", HeavyParams, strings.Join(heavy, ", "))
	}
	return light
}

// programs caches each stdlib model's loaded module for the test binary:
// loading parses and resolves the whole module, and the all-model tests
// build every model several times.
var programs sync.Map // model name → *programEntry

// A programEntry is a loaded module. Building from it is serialised:
// elaboration memoises global constants in the program, so two builds at
// once would race.
type programEntry struct {
	once  sync.Once
	p     *compiler.Program
	err   error
	build sync.Mutex
}

func program(name string) *programEntry {
	e, _ := programs.LoadOrStore(name, &programEntry{})
	pe := e.(*programEntry)
	pe.once.Do(func() { pe.p, pe.err = compiler.LoadStdModel(name) })
	return pe
}

// inputSizes caches each model's default input height and MACs, which
// SmallArgs would otherwise elaborate the whole model at full size to learn.
var inputSizes sync.Map // model name → modelDefault

func inputSize(t testing.TB, name string) int {
	t.Helper()
	return defaults(t, name).size
}

func defaultMACs(t testing.TB, name string) int64 {
	t.Helper()
	return defaults(t, name).macs
}

// A modelDefault is what a model is at its default arguments.
type modelDefault struct {
	size   int
	macs   int64
	params int64 // total: trainable and running statistics
}

func defaults(t testing.TB, name string) modelDefault {
	t.Helper()
	if d, ok := inputSizes.Load(name); ok {
		return d.(modelDefault)
	}
	g := Build(t, name, nil)
	st := g.Stats()
	d := modelDefault{size: g.Input.Shape[2], macs: st.MACs, params: st.Total}
	inputSizes.Store(name, d)
	return d
}

// graphOf is what Build returns: a fresh graph the caller may rewrite.
func graphOf(t testing.TB, name string, args map[string]string) *ir.Graph {
	t.Helper()
	pe := program(name)
	if pe.err != nil {
		t.Fatal(pe.err)
	}
	pe.build.Lock()
	g, err := pe.p.Build(name, args)
	pe.build.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Count is n for a loop over random cases, or a fifth of it (at least 1)
// under -short: the same checks on fewer draws.
func Count(n int) int {
	if testing.Short() {
		return max(1, n/5)
	}
	return n
}

// memoryBudget bounds the parameters that parallel model subtests hold at
// once (ReserveParams): each holds its weights, an export and a runtime's
// copy, a few bytes per parameter each, and two of the biggest stdlib
// models side by side took 6 GB.
const memoryBudget = 150_000_000

var (
	budgetMu   sync.Mutex
	budgetCond = sync.NewCond(&budgetMu)
	budgetUsed int64
)

// ReserveParams waits until g's parameters fit in the budget that parallel
// model subtests share, and holds them until the test ends: small models
// run side by side, the biggest one at a time.
func ReserveParams(t testing.TB, g *ir.Graph) {
	t.Helper()
	n := min(g.Stats().Total, memoryBudget)
	budgetMu.Lock()
	for budgetUsed+n > memoryBudget {
		budgetCond.Wait()
	}
	budgetUsed += n
	budgetMu.Unlock()
	t.Cleanup(func() {
		budgetMu.Lock()
		budgetUsed -= n
		budgetMu.Unlock()
		budgetCond.Broadcast()
	})
}
