package lsp

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/resc-dev/resc/compiler"
)

// A document is an open text document.
type document struct {
	uri, name string // name: what the compiler calls it (sourceName)
	version   int
	text      string    // the current text
	a         *analysis // of text, unless the document is stale
	// lastProg is the last version's program that loaded, for
	// completion while the text is being typed and does not parse.
	lastProg *compiler.Program
	// imports are the files the last program read besides the document,
	// cleaned: when one of them is open and changes, so does this.
	imports map[string]bool
}

// open starts tracking a document; it is analysed before the next request
// or when no message waits.
func (s *server) open(p didOpenParams) {
	it := p.TextDocument
	if old, ok := s.docs[it.URI]; ok {
		delete(s.stale, old)
	}
	d := &document{uri: it.URI, version: it.Version, text: it.Text}
	s.docs[it.URI] = d
	s.stale[d] = true
	s.touched(d)
}

// change applies a document's edits, in order: whole texts or ranges.
func (s *server) change(p didChangeParams) *rpcError {
	d, ok := s.docs[p.TextDocument.URI]
	if !ok {
		return unknownDocument(p.TextDocument.URI)
	}
	text := d.text
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			text = c.Text
			continue
		}
		from, to := offsetOf(text, c.Range.Start, s.enc), offsetOf(text, c.Range.End, s.enc)
		if to < from {
			from, to = to, from
		}
		text = text[:from] + c.Text + text[to:]
	}
	d.version = p.TextDocument.Version
	d.text = text
	s.stale[d] = true
	s.touched(d)
	return nil
}

// touched marks stale the open documents that import d.
func (s *server) touched(d *document) {
	path := filepath.Clean(uriToPath(d.uri))
	for _, o := range s.docs {
		if o != d && o.imports[path] {
			s.stale[o] = true
		}
	}
}

// overlay is the open documents' texts by path, but d's own: what d's
// imports read.
func (s *server) overlay(d *document) compiler.Overlay {
	o := compiler.Overlay{}
	for _, od := range s.docs {
		if od != d && strings.HasPrefix(od.uri, "file:") {
			o[filepath.Clean(uriToPath(od.uri))] = od.text
		}
	}
	return o
}

// analyzeStale analyses the documents edited since their last analysis.
func (s *server) analyzeStale() {
	for d := range s.stale {
		s.update(d)
	}
	clear(s.stale)
}

// update analyses a document's text and publishes its diagnostics.
func (s *server) update(d *document) {
	d.name = s.sourceName(uriToPath(d.uri), d.text)
	d.a = analyze(d.name, d.text, s.overlay(d))
	if p := d.a.prog; p != nil {
		d.lastProg = p
		d.imports = map[string]bool{}
		for _, in := range p.Inputs {
			d.imports[filepath.Clean(in)] = true
		}
	}
	if d.a.other != nil {
		fmt.Fprintf(s.log, "resc lsp: %s: %v\n", d.name, d.a.other)
	}
	v := d.version
	s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: d.uri, Version: &v, Diagnostics: s.diagnostics(d)})
}
