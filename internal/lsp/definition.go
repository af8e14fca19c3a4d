package lsp

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/lang"
	"github.com/resc-dev/resc/stdlib"
)

// definition finds where the name or import under the cursor is
// declared: a block, network, fn or constant (in the stdlib too), a
// parameter, let or loop variable, or the file an import loads. Builtins
// have no source: nil.
func (s *server) definition(d *document, off int) []Location {
	a := d.a
	ti := a.tokenAt(off)
	if ti < 0 {
		return nil
	}
	t := a.toks[ti]
	switch t.Kind {
	case lang.TokenString:
		if ti > 0 && a.toks[ti-1].Text == "import" {
			if uri := s.importURI(d, t.Text); uri != "" { // "": no such file, or no stdlib copies
				return []Location{{URI: uri}}
			}
		}
	}
	if t, ti, ok := a.nameTokenAt(off); ok {
		if b := d.nameAt(t, ti); b != nil {
			if loc, ok := s.location(b.at); ok {
				return []Location{loc}
			}
		}
	}
	return nil
}

// importURI is the URI of the file an import statement of d loads, or ""
// when there is none.
func (s *server) importURI(d *document, quoted string) string {
	path, err := strconv.Unquote(quoted)
	if err != nil {
		return ""
	}
	name := importName(d.name, path)
	if mod, ok := strings.CutPrefix(name, compiler.StdlibPrefix); ok {
		if _, exists := stdlib.Source(strings.TrimSuffix(mod, ".res")); !exists {
			return ""
		}
	} else if !filepath.IsAbs(name) {
		return ""
	}
	return s.uriFor(name)
}
