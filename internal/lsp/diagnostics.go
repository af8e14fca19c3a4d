package lsp

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
)

// diagnostics converts a document's errors and warnings (without their
// "warning: ", which the severity says).
func (s *server) diagnostics(d *document) []Diagnostic {
	out := []Diagnostic{}
	for _, e := range d.a.errs {
		out = append(out, s.diagnostic(d, e, severityError))
	}
	for _, e := range d.a.warns {
		w := *e
		w.Msg = strings.TrimPrefix(w.Msg, "warning: ")
		out = append(out, s.diagnostic(d, &w, severityWarning))
	}
	if d.a.other != nil {
		out = append(out, Diagnostic{Severity: severityError, Source: "resc", Message: d.a.other.Error()})
	}
	return out
}

// diagnostic converts one. One in another file (an import) is shown
// where this document leads to it: the innermost instantiation in this
// document, else the import, else its first line; its own place comes
// first in the related information.
func (s *server) diagnostic(d *document, e *diag.Error, severity int) Diagnostic {
	a := d.a
	dg := Diagnostic{Severity: severity, Source: "resc", Message: e.Msg}
	if e.Pos.IsValid() && e.Pos.Src.Name == d.name {
		from, to := spanAt(a.text, e.Pos.Offset)
		dg.Range = rangeOf(a.text, from, to, s.enc)
	} else {
		at := -1
		for _, f := range e.Chain {
			if f.Pos.IsValid() && f.Pos.Src.Name == d.name {
				at = f.Pos.Offset
				break
			}
		}
		if at < 0 && e.Pos.IsValid() {
			at = s.importOf(d, e.Pos.Src.Name)
		}
		at = max(at, 0)
		from, to := spanAt(a.text, at)
		dg.Range = rangeOf(a.text, from, to, s.enc)
		if e.Pos.IsValid() {
			dg.Message = fmt.Sprintf("%s: %s", e.Pos, e.Msg)
			s.relate(&dg, e.Pos, e.Msg)
		}
	}
	for _, f := range e.Chain {
		s.relate(&dg, f.Pos, "in "+f.What)
	}
	return dg
}

// relate adds a place to a diagnostic's related information.
func (s *server) relate(dg *Diagnostic, p diag.Pos, msg string) {
	if loc, ok := s.location(p); ok {
		dg.RelatedInformation = append(dg.RelatedInformation, DiagnosticRelatedInformation{Location: loc, Message: msg})
	}
}

// location is a source position as a Location, spanning the token there;
// false when the position has no source an editor can open.
func (s *server) location(p diag.Pos) (Location, bool) {
	if !p.IsValid() {
		return Location{}, false
	}
	uri := s.uriFor(p.Src.Name)
	if uri == "" {
		return Location{}, false
	}
	from, to := spanAt(p.Src.Text, p.Offset)
	return Location{URI: uri, Range: rangeOf(p.Src.Text, from, to, s.enc)}, true
}

// uriFor is the URI of the source the compiler calls name: an open
// document's own URI, else the file's; "" for a stdlib module when its
// copies could not be written.
func (s *server) uriFor(name string) string {
	for _, d := range s.docs {
		if d.name == name {
			return d.uri
		}
	}
	return s.uriOf(name)
}

// importOf returns the offset of d's import statement that loads the
// source named name, or -1.
func (s *server) importOf(d *document, name string) int {
	if d.a.file == nil {
		return -1
	}
	for _, im := range d.a.file.Imports {
		if importName(d.name, im.Path) == name {
			return im.P.Offset
		}
	}
	return -1
}

// importName is the name the compiler gives the source an import
// statement in the file named from loads (compiler.resolveImport's rule).
func importName(from, path string) string {
	switch {
	case !strings.HasSuffix(path, ".res"):
		return compiler.StdlibPrefix + path + ".res"
	case strings.HasPrefix(from, compiler.StdlibPrefix):
		return compiler.StdlibPrefix + filepath.Base(path)
	case filepath.IsAbs(path):
		return path
	}
	return filepath.Join(filepath.Dir(from), path)
}
