// Package lsp is resc's language server: the Language server Protocol over
// JSON-RPC 2.0 on a byte stream (stdio), with diagnostics, hover, go to
// definition, formatting and completion for .res files. `resc lsp` runs it.
//
// The protocol layer is written here rather than taken from a module: the
// server needs a dozen messages, and the Go LSP modules are either parts of
// gopls not meant for reuse or generated type libraries far larger than
// this package.
package lsp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// MaxMessage bounds one message's content. The largest legitimate message
// carries a whole source (at most lang.MaxSource, 1 MiB), which JSON
// escaping can grow sixfold; a larger Content-Length is refused before
// anything is allocated.
const MaxMessage = 8 << 20

// maxHeaderLine and maxHeaders bound the header part of a message.
const (
	maxHeaderLine = 1024
	maxHeaders    = 16
)

// A FramingError is a message stream that does not follow LSP's base
// protocol; the stream cannot be resynchronised after one.
type FramingError struct{ Msg string }

func (e *FramingError) Error() string { return "lsp: " + e.Msg }

func framingf(format string, args ...any) error {
	return &FramingError{fmt.Sprintf(format, args...)}
}

// A reader reads messages framed by the base protocol: header lines ending
// in \r\n, one of them Content-Length, an empty line, then that many bytes.
type reader struct{ r *bufio.Reader }

func newReader(r io.Reader) *reader { return &reader{bufio.NewReaderSize(r, 4096)} }

// Read returns the next message's content. It returns io.EOF at a clean
// end of stream (between messages), and a *FramingError or
// io.ErrUnexpectedEOF for a malformed or truncated one.
func (r *reader) Read() ([]byte, error) {
	length := -1
	for n := 0; ; n++ {
		line, err := r.line()
		if err != nil {
			if err == io.EOF && n > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if line == "" {
			break
		}
		if n >= maxHeaders {
			return nil, framingf("more than %d header lines", maxHeaders)
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, framingf("header line %q has no colon", clip(line))
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-length":
			if length >= 0 {
				return nil, framingf("two Content-Length headers")
			}
			v, err := strconv.ParseInt(value, 10, 64)
			if err != nil || v < 0 {
				return nil, framingf("bad Content-Length %q", clip(value))
			}
			if v > MaxMessage {
				return nil, framingf("message of %d bytes is larger than the limit of %d", v, MaxMessage)
			}
			length = int(v)
		case "content-type":
			// The only defined type is JSON-RPC in UTF-8; charset "utf8"
			// is accepted for old clients.
		default:
			// Unknown headers are ignored, as the specification allows.
		}
	}
	if length < 0 {
		return nil, framingf("message without a Content-Length header")
	}
	buf := make([]byte, length)
	if _, err := io.ReadFull(r.r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// line reads one header line without its \r\n.
func (r *reader) line() (string, error) {
	var b []byte
	for {
		chunk, err := r.r.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > maxHeaderLine {
			return "", framingf("header line longer than %d bytes", maxHeaderLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(b) > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		if !bytes.HasSuffix(b, []byte("\r\n")) {
			return "", framingf("header line %q does not end in \\r\\n", clip(string(b)))
		}
		return string(b[:len(b)-2]), nil
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// A writer writes framed messages; it is safe for concurrent use.
type writer struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *writer) write(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := fmt.Fprintf(w.w, "Content-Length: %d\r\n\r\n", len(body)); err != nil {
		return err
	}
	_, err = w.w.Write(body)
	return err
}

// A message is any JSON-RPC 2.0 message: a request (ID and Method), a
// notification (Method only) or a response (ID with Result or Error).
type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// isRequest reports whether m expects a response.
func (m *message) isRequest() bool { return len(m.ID) > 0 && m.Method != "" }

// response is a reply; Result is written even when null, as JSON-RPC
// requires of a success.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result"`
}

type errorResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   *rpcError       `json:"error"`
}

type notification struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

// An rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return e.Message }

// Error codes of JSON-RPC and LSP.
const (
	codeParseError           = -32700
	codeInvalidRequest       = -32600
	codeMethodNotFound       = -32601
	codeInvalidParams        = -32602
	codeInternalError        = -32603
	codeServerNotInitialized = -32002
)

// parseMessage decodes one message's content.
func parseMessage(b []byte) (*message, error) {
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.JSONRPC != "2.0" {
		return &m, errors.New(`jsonrpc is not "2.0"`)
	}
	return &m, nil
}
