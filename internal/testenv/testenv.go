// Package testenv holds what resc's tests share: the policy for tools from
// outside the project, and building stdlib models.
package testenv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// RequireExternal reports whether tests that need outside tools or data
// (onnxruntime, onnx.checker, numpy, ONNX's test data) must fail, rather
// than skip, when they are missing. CI sets RESC_REQUIRE_EXTERNAL=1.
func RequireExternal() bool { return os.Getenv("RESC_REQUIRE_EXTERNAL") == "1" }

// Missing fails or skips the test for a missing tool, as RequireExternal says.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if RequireExternal() {
		t.Fatalf("%s (RESC_REQUIRE_EXTERNAL=1; scripts/test.sh installs it)", msg)
	}
	t.Skipf("%s; skipping", msg)
}

// Build elaborates the stdlib model name with argument overrides into a
// new graph, which the caller may rewrite; the module is loaded once per
// test binary.
func Build(t testing.TB, name string, args map[string]string) *ir.Graph {
	t.Helper()
	return graphOf(t, name, args)
}

// SmallArgs are the arguments that keep a stdlib model quick to run in a
// test: ImageNet models at 64x64; CIFAR models keep their 32x32 unless
// that costs more than a GMAC (the wide PyramidNets, 4.5 at 32x32), which
// run at 16x16, where their three stages still halve it twice.
func SmallArgs(t testing.TB, name string) map[string]string {
	t.Helper()
	if inputSize(t, name) > 64 {
		return map[string]string{"size": "64"}
	}
	if defaultMACs(t, name) > 1e9 {
		return map[string]string{"size": "16"}
	}
	return map[string]string{}
}

// StatsWeights is the reference initialisation of g's source parameters
// with batch norms away from the identity and non-zero biases, so that
// folding them changes values: γ in [0.05, 0.15) (small, so that the
// residual sum stays finite through cifar_resnet1202's 600 blocks), β, the
// running mean and every bias N(0, 0.1²), the running variance in
// [0.5, 1.5).
func StatsWeights(g *ir.Graph, seed uint64) weights.Set {
	w := weights.Init(g, seed)
	r := rand.New(rand.NewPCG(seed, 2))
	for _, p := range g.SourceParams() {
		v := w[p.Name]
		for i := range v {
			switch p.Role {
			case ir.RoleGamma:
				v[i] = float32(0.05 + 0.1*r.Float64())
			case ir.RoleBeta, ir.RoleMean, ir.RoleBias:
				v[i] = float32(0.1 * r.NormFloat64())
			case ir.RoleVar:
				v[i] = float32(0.5 + r.Float64())
			}
		}
	}
	return w
}

// MaxAbs is max |v|.
func MaxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

// MaxDiff is max |a−b|, +Inf where either is NaN or the lengths differ.
func MaxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		m = math.Max(m, d)
	}
	return m
}
