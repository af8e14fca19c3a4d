package lsp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"

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

// catchPanics is false under FuzzServe, so that a handler's panic fails
// the fuzz run instead of becoming an error reply.
var catchPanics = true

// handle answers one message; a panic in a handler is a bug, reported to
// the client as an internal error rather than ending the session.
func (s *server) handle(m *message) {
	defer func() {
		if !catchPanics {
			return
		}
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
		d, err := s.current(p.TextDocument.URI)
		if err != nil {
			return nil, err
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
	d, err := s.current(p.TextDocument.URI)
	if err != nil {
		return nil, 0, err
	}
	return d, offsetOf(d.text, p.Position, s.enc), nil
}

// current finds an open document, analysed: requests analyse first, but
// a client may send a hover as a notification.
func (s *server) current(uri string) (*document, *rpcError) {
	d, ok := s.docs[uri]
	if !ok {
		return nil, unknownDocument(uri)
	}
	if s.stale[d] {
		delete(s.stale, d)
		s.update(d)
	}
	return d, nil
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
