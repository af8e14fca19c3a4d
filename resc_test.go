package resc_test

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/stdlib"
	"github.com/resc-dev/resc/weights"
)

const two = `network a() {
  naming torch
  input(3, 8, 8)
  conv(4, 3)
}

network b(planes: int = 4) {
  naming torch
  input(3, 8, 8)
  conv(planes, 3)
}
`

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     resc.Options
		option   string
		networks []string
	}{
		{"several", resc.Options{}, "Network", []string{"a", "b"}},
		{"unknown network", resc.Options{Network: "c"}, "Network", nil},
		{"unknown parameter", resc.Options{Network: "b", Set: map[string]string{"depth": "3"}}, "Set", nil},
		{"bad value", resc.Options{Network: "b", Set: map[string]string{"planes": "wide"}}, "Set", nil},
	} {
		_, err := resc.LoadString("two.res", two, tc.opts)
		var oe *resc.OptionError
		if !errors.As(err, &oe) {
			t.Errorf("%s: got %v (%T), want an OptionError", tc.name, err, err)
			continue
		}
		if oe.Option != tc.option || !slices.Equal(oe.Networks, tc.networks) {
			t.Errorf("%s: OptionError{%q, %v}, want {%q, %v}: %v", tc.name, oe.Option, oe.Networks, tc.option, tc.networks, err)
		}
		if resc.Diagnostics(err) != nil {
			t.Errorf("%s: an option error has source diagnostics", tc.name)
		}
	}
	m, err := resc.LoadString("two.res", two, resc.Options{Network: "b", Set: map[string]string{"planes": "6"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Outputs[0].Shape; !slices.Equal(got, []int{resc.BatchDim, 6, 8, 8}) {
		t.Errorf("b(planes=6) output %v", got)
	}
	if _, err := resc.LoadStdlib("resnet18", resc.Options{Network: "resnet34"}); !errors.As(err, new(*resc.OptionError)) {
		t.Errorf("LoadStdlib with another Network: %v", err)
	}
}

// Weights given as a map must be the graph's, by name and size.
func TestCompileWeightsMap(t *testing.T) {
	t.Parallel()
	m, err := resc.LoadString("two.res", two, resc.Options{Network: "a"})
	if err != nil {
		t.Fatal(err)
	}
	g := m.Graph()
	w := weights.Init(g, 3)
	if _, err := m.Compile(resc.CompileOptions{Weights: w}); err != nil {
		t.Fatalf("the graph's own weights: %v", err)
	}
	delete(w, "conv.weight")
	_, err = m.Compile(resc.CompileOptions{Weights: w})
	if err == nil || !strings.Contains(err.Error(), "conv.weight") {
		t.Errorf("a missing weight: %v", err)
	}
}

// No exported declaration of the package may mention a type of an
// internal package: a user could not name it.
func TestNoInternalTypesExported(t *testing.T) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		internal := map[string]bool{}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, "/internal/") {
				n := path[strings.LastIndex(path, "/")+1:]
				if imp.Name != nil {
					n = imp.Name.Name
				}
				internal[n] = true
			}
		}
		report := func(what string, n ast.Node) {
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] {
						t.Errorf("%s: %s mentions %s.%s", fset.Position(sel.Pos()), what, id.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) {
					report(d.Name.Name, d.Type)
					checked++
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						checked++
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fld := range st.Fields.List {
								if len(fld.Names) == 0 || fld.Names[0].IsExported() {
									report(s.Name.Name, fld.Type)
								}
							}
							continue
						}
						report(s.Name.Name, s.Type)
					case *ast.ValueSpec:
						for i, n := range s.Names {
							if n.IsExported() {
								checked++
								if s.Type != nil {
									report(n.Name, s.Type)
								}
								if i < len(s.Values) {
									report(n.Name, s.Values[i])
								}
							}
						}
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d exported declarations found", checked)
	}
}

func exportedRecv(l *ast.FieldList) bool {
	t := l.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// The ONNX file says which source and standard library it came from.
func TestONNXMetadata(t *testing.T) {
	t.Parallel()
	m, err := resc.LoadString("two.res", two, resc.Options{Network: "a"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.ONNX(resc.ONNXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pb, err := onnx.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	meta := onnx.Metadata(pb)
	if meta["stdlib_version"] != stdlib.Version || meta["source"] != "two.res" || meta["model"] != "a" || len(meta["source_sha256"]) != 64 {
		t.Errorf("metadata %v", meta)
	}
}

// A model compiled with Once writes the same ONNX as one compiled without,
// and refuses a second use.
func TestCompileOnce(t *testing.T) {
	t.Parallel()
	m, err := resc.LoadStdlib("cifar_resnet20", resc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	export := func(once bool) (*resc.Compiled, []byte) {
		c, err := m.Compile(resc.CompileOptions{Level: resc.MaxLevel, Seed: 5, Once: once})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := c.WriteONNX(&buf, resc.ONNXOptions{}); err != nil {
			t.Fatal(err)
		}
		return c, buf.Bytes()
	}
	c, streamed := export(true)
	full, upfront := export(false)
	if !bytes.Equal(streamed, upfront) {
		t.Error("Once gives other bytes than initialising up front")
	}
	if _, err := c.Native(resc.NativeOptions{}); err == nil {
		t.Error("a second use of a Once model succeeded")
	}
	if _, err := full.Native(resc.NativeOptions{Threads: 1}); err != nil {
		t.Errorf("a second use without Once: %v", err)
	}
}
