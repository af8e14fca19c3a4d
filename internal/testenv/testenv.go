// Package testenv holds what resc's tests share: the policy for tools from
// outside the project, and building stdlib models.
package testenv

import (
	"fmt"
	"os"
	"testing"

	"resc/compiler"
	"resc/ir"
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

// Build elaborates the stdlib model name with argument overrides.
func Build(t testing.TB, name string, args map[string]string) *ir.Graph {
	t.Helper()
	p, err := compiler.LoadStdModel(name)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build(name, args)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// SmallArgs are the arguments that keep a stdlib model quick to run in a
// test: ImageNet models at 64x64; CIFAR models keep their 32x32.
func SmallArgs(t testing.TB, name string) map[string]string {
	t.Helper()
	if g := Build(t, name, nil); g.Input.Shape[2] > 64 {
		return map[string]string{"size": "64"}
	}
	return map[string]string{}
}
