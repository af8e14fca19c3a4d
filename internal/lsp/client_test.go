package lsp

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// A client drives a server over pipes as an editor would, speaking
// JSON-RPC with the base protocol's framing.
type client struct {
	t      *testing.T
	out    *io.PipeWriter // to the server
	w      *writer
	msgs   chan *message // everything the server sends, in order
	done   chan error    // Serve's result
	nextID int
	// notes holds notifications read while waiting for a response.
	notes []*message
}

func newClient(t *testing.T) *client {
	t.Helper()
	return newClientWith(t, Options{StdlibRoot: t.TempDir()})
}

func newClientWith(t *testing.T, opts Options) *client {
	t.Helper()
	sr, cw := io.Pipe()
	cr, sw := io.Pipe()
	c := &client{t: t, out: cw, w: &writer{w: cw}, msgs: make(chan *message, 100), done: make(chan error, 1)}
	go func() {
		c.done <- Serve(sr, sw, opts)
		sw.Close()
	}()
	go func() {
		r := newReader(cr)
		for {
			b, err := r.Read()
			if err != nil {
				close(c.msgs)
				return
			}
			m, err := parseMessage(b)
			if err != nil {
				t.Errorf("server sent a bad message %q: %v", b, err)
				continue
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() { cw.Close() })
	return c
}

// next returns the server's next message, failing the test after a while.
func (c *client) next() *message {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatal("the server closed its output")
		}
		return m
	case <-time.After(30 * time.Second):
		c.t.Fatal("no message from the server in 30s")
	}
	return nil
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.w.write(v); err != nil {
		c.t.Fatal(err)
	}
}

// call sends a request and returns its response's result, or its error.
func (c *client) call(method string, params any) (json.RawMessage, *rpcError) {
	c.t.Helper()
	c.nextID++
	id := c.nextID
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	for {
		m := c.next()
		if m.Method != "" {
			c.notes = append(c.notes, m)
			continue
		}
		if string(m.ID) != strings.TrimSpace(string(mustJSON(id))) {
			c.t.Fatalf("response to id %s while waiting for %d", m.ID, id)
		}
		if m.Error == nil && m.Result == nil {
			c.t.Fatalf("%s: a response with neither result nor error", method)
		}
		return m.Result, m.Error
	}
}

// result calls and decodes the result into v, failing on an error.
func (c *client) result(method string, params, v any) {
	c.t.Helper()
	res, err := c.call(method, params)
	if err != nil {
		c.t.Fatalf("%s: error %d %s", method, err.Code, err.Message)
	}
	if err := json.Unmarshal(res, v); err != nil {
		c.t.Fatalf("%s: %v in %s", method, err, res)
	}
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// diagnostics returns the next diagnostics published for uri, or for any
// document when uri is "".
func (c *client) diagnostics(uri string) publishDiagnosticsParams {
	c.t.Helper()
	for {
		var m *message
		if len(c.notes) > 0 {
			m, c.notes = c.notes[0], c.notes[1:]
		} else {
			m = c.next()
		}
		if m.Method != "textDocument/publishDiagnostics" {
			continue
		}
		var p publishDiagnosticsParams
		if err := json.Unmarshal(m.Params, &p); err != nil {
			c.t.Fatal(err)
		}
		if p.URI == uri || uri == "" {
			return p
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func at(uri string, p Position) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": p}
}
