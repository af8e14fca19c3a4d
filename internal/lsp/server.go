package lsp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/internal/version"
)

// Options configure Serve.
type Options struct {
	// StdlibRoot is the folder under which the standard library's
	// read-only copies are written for go to definition; empty means the
	// user's cache folder.
	StdlibRoot string
	// Log receives what the server has to say outside the protocol
	// (standard error under `resc lsp`); nil discards it.
	Log io.Writer
}

// A server serves one client. Messages are handled one at a time, in
// order: each analysis takes milliseconds, and a queue keeps every reply
// consistent with the edits before it.
type server struct {
	out  *writer
	log  io.Writer
	opts Options
	enc  encoding
	docs map[string]*document // by URI
	// stale are the documents edited since their last analysis.
	stale       map[*document]bool
	stdlib      string // the stdlib copies' folder; "" when unwritten
	initialized bool
	shutdown    bool
}

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

// ErrNoShutdown is Serve's error when the client exits or goes away
// without asking the server to shut down first.
var ErrNoShutdown = errors.New("the client exited without a shutdown request")

// Serve runs the server on a message stream until the client's exit
// notification or the end of in. It returns nil after an orderly
// shutdown, ErrNoShutdown without one, and the error when the stream
// breaks (a *FramingError for a malformed message).
func Serve(in io.Reader, out io.Writer, opts Options) error {
	s := &server{out: &writer{w: out}, log: opts.Log, opts: opts, docs: map[string]*document{}, stale: map[*document]bool{}}
	if s.log == nil {
		s.log = io.Discard
	}
	// Messages are read ahead, so that edits arriving faster than they
	// are checked (typing) are applied together and checked once: the
	// server analyses only when no message is waiting, or before it
	// answers a request.
	type read struct {
		body []byte
		err  error
	}
	queue := make(chan read, 64)
	done := make(chan struct{})
	defer close(done)
	go func() {
		r := newReader(in)
		for {
			body, err := r.Read()
			select {
			case queue <- read{body, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		if len(queue) == 0 {
			s.analyzeStale()
		}
		next := <-queue
		if next.err == io.EOF {
			if s.shutdown {
				return nil
			}
			return ErrNoShutdown
		}
		if next.err != nil {
			return next.err
		}
		m, err := parseMessage(next.body)
		if err != nil {
			var id json.RawMessage
			if m != nil {
				id = m.ID
			}
			s.replyError(id, &rpcError{codeParseError, "cannot parse message: " + err.Error()})
			continue
		}
		if m.Method == "exit" {
			if s.shutdown {
				return nil
			}
			return ErrNoShutdown
		}
		if m.isRequest() {
			s.analyzeStale()
		}
		s.handle(m)
	}
}

// handle answers one message; a panic in a handler is a bug, reported to
// the client as an internal error rather than ending the session.
func (s *server) handle(m *message) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(s.log, "resc lsp: internal error handling %s: %v\n%s", m.Method, r, debug.Stack())
			if m.isRequest() {
				s.replyError(m.ID, &rpcError{codeInternalError, fmt.Sprintf("internal error: %v", r)})
			}
		}
	}()
	if m.Method == "" {
		return // a response to a request the server never sends
	}
	result, rerr := s.dispatch(m)
	if !m.isRequest() {
		if rerr != nil {
			fmt.Fprintf(s.log, "resc lsp: %s: %s\n", m.Method, rerr.Message)
		}
		return
	}
	if rerr != nil {
		s.replyError(m.ID, rerr)
		return
	}
	if err := s.out.write(response{JSONRPC: "2.0", ID: m.ID, Result: result}); err != nil {
		fmt.Fprintf(s.log, "resc lsp: %v\n", err)
	}
}

func (s *server) replyError(id json.RawMessage, e *rpcError) {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	if err := s.out.write(errorResponse{JSONRPC: "2.0", ID: id, Error: e}); err != nil {
		fmt.Fprintf(s.log, "resc lsp: %v\n", err)
	}
}

func (s *server) notify(method string, params any) {
	if err := s.out.write(notification{JSONRPC: "2.0", Method: method, Params: params}); err != nil {
		fmt.Fprintf(s.log, "resc lsp: %v\n", err)
	}
}

// decode unmarshals a message's params.
func decode(m *message, v any) *rpcError {
	if err := json.Unmarshal(m.Params, v); err != nil {
		return &rpcError{codeInvalidParams, fmt.Sprintf("%s: bad params: %v", m.Method, err)}
	}
	return nil
}

func (s *server) dispatch(m *message) (any, *rpcError) {
	switch {
	case m.Method == "initialize":
		if s.initialized {
			return nil, &rpcError{codeInvalidRequest, "initialize sent twice"}
		}
		return s.initialize(m)
	case !s.initialized:
		return nil, &rpcError{codeServerNotInitialized, m.Method + " before initialize"}
	case s.shutdown:
		return nil, &rpcError{codeInvalidRequest, m.Method + " after shutdown"}
	}
	switch m.Method {
	case "initialized":
		return nil, nil
	case "shutdown":
		s.shutdown = true
		return nil, nil
	case "textDocument/didOpen":
		var p didOpenParams
		if err := decode(m, &p); err != nil {
			return nil, err
		}
		s.open(p)
		return nil, nil
	case "textDocument/didChange":
		var p didChangeParams
		if err := decode(m, &p); err != nil {
			return nil, err
		}
		return nil, s.change(p)
	case "textDocument/didClose":
		var p didCloseParams
		if err := decode(m, &p); err != nil {
			return nil, err
		}
		if d, ok := s.docs[p.TextDocument.URI]; ok {
			delete(s.stale, d)
			delete(s.docs, p.TextDocument.URI)
			s.touched(d) // its importers read it from disk again
		}
		s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: p.TextDocument.URI, Diagnostics: []Diagnostic{}})
		return nil, nil
	case "textDocument/hover", "textDocument/definition", "textDocument/completion":
		var p textDocumentPositionParams
		if err := decode(m, &p); err != nil {
			return nil, err
		}
		d, off, err := s.at(p)
		if err != nil {
			return nil, err
		}
		switch m.Method {
		case "textDocument/hover":
			return s.hover(d, off), nil
		case "textDocument/definition":
			return s.definition(d, off), nil
		}
		return s.complete(d, off), nil
	case "textDocument/formatting":
		var p formattingParams
		if err := decode(m, &p); err != nil {
			return nil, err
		}
		d, ok := s.docs[p.TextDocument.URI]
		if !ok {
			return nil, unknownDocument(p.TextDocument.URI)
		}
		return s.format(d), nil
	}
	if m.isRequest() {
		return nil, &rpcError{codeMethodNotFound, "method not supported: " + m.Method}
	}
	return nil, nil // notifications the server does not need ($/cancelRequest, didSave, ...)
}

func unknownDocument(uri string) *rpcError {
	return &rpcError{codeInvalidParams, "document not open: " + uri}
}

// at finds a request's document and the byte offset of its position.
func (s *server) at(p textDocumentPositionParams) (*document, int, *rpcError) {
	d, ok := s.docs[p.TextDocument.URI]
	if !ok {
		return nil, 0, unknownDocument(p.TextDocument.URI)
	}
	return d, offsetOf(d.text, p.Position, s.enc), nil
}

type initializeResult struct {
	Capabilities map[string]any `json:"capabilities"`
	ServerInfo   struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"serverInfo"`
}

func (s *server) initialize(m *message) (any, *rpcError) {
	var p initializeParams
	if len(m.Params) > 0 {
		if err := decode(m, &p); err != nil {
			return nil, err
		}
	}
	if slices.Contains(p.Capabilities.General.PositionEncodings, "utf-8") {
		s.enc = utf8Bytes
	}
	root := s.opts.StdlibRoot
	if root == "" {
		root = defaultStdlibRoot()
	}
	dir, err := stdlibDir(root)
	if err != nil {
		fmt.Fprintf(s.log, "resc lsp: cannot write the stdlib for go to definition: %v\n", err)
	}
	s.stdlib = dir
	s.initialized = true
	var r initializeResult
	r.Capabilities = map[string]any{
		"positionEncoding": s.enc.String(),
		// Incremental: the client sends the edited ranges.
		"textDocumentSync":           map[string]any{"openClose": true, "change": 2},
		"hoverProvider":              true,
		"definitionProvider":         true,
		"documentFormattingProvider": true,
		"completionProvider":         map[string]any{"triggerCharacters": []string{"(", ","}},
	}
	r.ServerInfo.Name = "resc"
	r.ServerInfo.Version = version.Version
	return r, nil
}

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

// diagnostics converts a document's errors. An error in another file (an
// import) is shown where this document leads to it: the innermost
// instantiation in this document, else the import, else its first line;
// its own place comes first in the related information.
func (s *server) diagnostics(d *document) []Diagnostic {
	a := d.a
	out := []Diagnostic{}
	for _, e := range a.errs {
		dg := Diagnostic{Severity: severityError, Source: "resc", Message: e.Msg}
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
				dg.RelatedInformation = append(dg.RelatedInformation, DiagnosticRelatedInformation{
					Location: s.location(e.Pos), Message: e.Msg})
			}
		}
		for _, f := range e.Chain {
			if f.Pos.IsValid() {
				dg.RelatedInformation = append(dg.RelatedInformation, DiagnosticRelatedInformation{
					Location: s.location(f.Pos), Message: "in " + f.What})
			}
		}
		out = append(out, dg)
	}
	if a.other != nil {
		out = append(out, Diagnostic{Severity: severityError, Source: "resc", Message: a.other.Error()})
	}
	return out
}

// location is a source position as a Location, spanning the token there.
func (s *server) location(p diag.Pos) Location {
	from, to := spanAt(p.Src.Text, p.Offset)
	return Location{URI: s.uriFor(p.Src.Name), Range: rangeOf(p.Src.Text, from, to, s.enc)}
}

// uriFor is the URI of the source the compiler calls name: an open
// document's own URI, else the file's.
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
