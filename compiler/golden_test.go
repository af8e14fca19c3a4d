package compiler

import (
	"bytes"
	"flag"
	"path/filepath"
	"testing"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenModels have their IR dumps checked in: one per family, so a change
// in elaboration, naming or shapes shows up in review as a diff.
var goldenModels = []string{
	"resnet18", "resnext50_32x4d", "resnet50d", "seresnet50", "ecaresnet50d",
	"keras_resnet50", "keras_resnet50v2", "cm_seresnet18", "cm_resnext50", "cifar_resnet20", "wrn_16_8",
	"res2net50d", "resnest14d", "skresnet18",
	"efficientnet_b0",
}

func TestGoldenIR(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			p, err := LoadStdModel(name)
			if err != nil {
				t.Fatal(err)
			}
			g, err := p.Build(name, nil)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			g.Dump(&b)
			golden.Check(t, filepath.Join("testdata", "golden", name+".ir"), b.Bytes(), *update,
				"run go test ./compiler -run TestGoldenIR -update")
		})
	}
}

// TestDeterministic builds the same model twice: the dumps must be identical.
func TestDeterministic(t *testing.T) {
	var dumps [2]bytes.Buffer
	for i := range dumps {
		p, err := LoadStdModel("seresnext50_32x4d")
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build("seresnext50_32x4d", nil)
		if err != nil {
			t.Fatal(err)
		}
		g.Dump(&dumps[i])
	}
	if dumps[0].String() != dumps[1].String() {
		t.Fatal("two builds of one model differ")
	}
}

// TestStdlibChecks checks every stdlib module and example file the way
// `resc check` does.
func TestStdlibChecks(t *testing.T) {
	for _, m := range stdlibModuleNames(t) {
		p, err := LoadModule(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(); err != nil {
			var b bytes.Buffer
			diag.Render(&b, err)
			t.Errorf("stdlib module %s:\n%s", m, b.String())
		}
	}
	examples, _ := filepath.Glob("../examples/*.res")
	for _, path := range examples {
		p, err := LoadFile(path)
		if err == nil {
			err = p.Check()
		}
		if err != nil {
			var b bytes.Buffer
			diag.Render(&b, err)
			t.Errorf("%s:\n%s", path, b.String())
		}
	}
}

// BenchmarkCheckAll checks every stdlib module and example, as `resc check`
// would one after the other in a single process; the stdlib is parsed once
// per process, like in the CLI. The bar: well under a second.
func BenchmarkCheckAll(b *testing.B) {
	modules := stdlibModuleNames(b)
	examples, _ := filepath.Glob("../examples/*.res")
	for i := 0; i < b.N; i++ {
		for _, m := range modules {
			p, err := LoadModule(m)
			if err != nil {
				b.Fatal(err)
			}
			if err := p.Check(); err != nil {
				b.Fatal(err)
			}
		}
		for _, path := range examples {
			p, err := LoadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := p.Check(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
