package compiler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/resc-dev/resc/stdlib"
)

func stdlibModuleNames(t testing.TB) []string {
	m := stdlib.Modules()
	if len(m) == 0 {
		t.Fatal("no stdlib modules")
	}
	return m
}

// FuzzCheck feeds arbitrary source to the whole front end: loading,
// resolution and elaboration must report errors, never panic or hang, and a
// graph that elaborates must verify.
func FuzzCheck(f *testing.F) {
	for _, m := range stdlib.Modules() {
		src, _ := stdlib.Source(m)
		f.Add(src)
	}
	examples, _ := filepath.Glob("../examples/*.res")
	for _, path := range examples {
		b, _ := os.ReadFile(path)
		f.Add(string(b))
	}
	f.Add("network n() {\n  input(3, 8, 8)\n  residual {\n    conv(8, 3, stride: 2)\n  }\n  gap\n  flatten\n  fc(2)\n}\n")
	f.Fuzz(func(t *testing.T, src string) {
		p, err := LoadSource("fuzz.res", src)
		if err != nil {
			return
		}
		_ = p.Check()
		for _, n := range p.Networks() {
			g, err := p.Build(n.Name, nil)
			if err == nil {
				if verr := g.Verify(); verr != nil {
					t.Fatalf("built graph fails verification: %v", verr)
				}
			}
		}
	})
}
