package lsp

import (
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/stdlib"
)

// The cost of one keystroke's analysis against resc check's on the same
// text: the analysis is a check that keeps its graphs, and the tokens.
// go test ./internal/lsp -run X -bench . -benchtime 20x

func benchSource(b *testing.B, module string) (string, string) {
	text, ok := stdlib.Source(module)
	if !ok {
		b.Fatal(module)
	}
	// Named as a user's file, so that nothing comes from the stdlib's cache.
	return "/tmp/" + module + ".res", text
}

func BenchmarkAnalyzeResnet(b *testing.B) { benchAnalyze(b, "resnet") }
func BenchmarkCheckResnet(b *testing.B)   { benchCheck(b, "resnet") }
func BenchmarkAnalyzeCifar(b *testing.B)  { benchAnalyze(b, "cifar") }
func BenchmarkCheckCifar(b *testing.B)    { benchCheck(b, "cifar") }

func benchAnalyze(b *testing.B, module string) {
	name, text := benchSource(b, module)
	for b.Loop() {
		if a := analyze(name, text, nil); len(a.errs) > 0 || a.other != nil {
			b.Fatal(a.errs, a.other)
		}
	}
}

func benchCheck(b *testing.B, module string) {
	name, text := benchSource(b, module)
	for b.Loop() {
		if err := resc.CheckString(name, text, resc.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
