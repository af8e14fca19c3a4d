package lsp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	good := "Content-Length: 2\r\n\r\n{}" +
		"content-length:3\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nX-Other: y\r\n\r\n[1]"
	r := newReader(strings.NewReader(good))
	for _, want := range []string{"{}", "[1]"} {
		b, err := r.Read()
		if err != nil || string(b) != want {
			t.Fatalf("read %q, %v; want %q", b, err, want)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("at the end: %v, want io.EOF", err)
	}
	for _, tc := range []struct{ in, want string }{
		{"\r\n{}", "without a Content-Length"},
		{"Content-Length: x\r\n\r\n", "bad Content-Length"},
		{"Content-Length: -1\r\n\r\n", "bad Content-Length"},
		{"Content-Length: 99999999999999999999\r\n\r\n", "bad Content-Length"},
		{"Content-Length: 1000000000\r\n\r\n", "larger than the limit"},
		{"Content-Length: 1\r\nContent-Length: 1\r\n\r\n{", "two Content-Length"},
		{"Content-Length 2\r\n\r\n{}", "no colon"},
		{"Content-Length: 2\n\n{}", `does not end in \r\n`},
		{strings.Repeat("X", 5000) + ": 1\r\n\r\n", "longer than"},
		{strings.Repeat("X: 1\r\n", 20) + "\r\n", "more than 16 header lines"},
		{"Content-Length: 10\r\n\r\n{}", "unexpected EOF"},
		{"Content-Length: 10\r\n", "unexpected EOF"},
		{"Content-Len", "unexpected EOF"},
	} {
		_, err := newReader(strings.NewReader(tc.in)).Read()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40q: error %v, want %q", tc.in, err, tc.want)
		}
		var fe *FramingError
		if !errors.As(err, &fe) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%.40q: %T is neither a FramingError nor io.ErrUnexpectedEOF", tc.in, err)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := &writer{w: &b}
	if err := w.write(response{JSONRPC: "2.0", ID: []byte("7"), Result: nil}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "Content-Length: 38\r\n\r\n") {
		t.Errorf("framing: %q", b.String())
	}
	body, err := newReader(&b).Read()
	if err != nil || string(body) != `{"jsonrpc":"2.0","id":7,"result":null}` {
		t.Errorf("%s, %v", body, err)
	}
}

// FuzzReader: any byte stream reads as messages and then one error, never
// a panic or a message over the limit; a reader that has failed is not
// read again, as Serve does.
func FuzzReader(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 3\r\nContent-Type: x\r\n\r\n{}}Content-Length: 0\r\n\r\n"))
	f.Add([]byte("Content-Length: 9999999999\r\n\r\n"))
	f.Add([]byte("content-length:1\r\n\r"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		r := newReader(bytes.NewReader(in))
		total := 0
		for {
			b, err := r.Read()
			if err != nil {
				return
			}
			total += len(b)
			if len(b) > MaxMessage || total > len(in) {
				t.Fatalf("read %d bytes from %d", total, len(in))
			}
		}
	})
}

// FuzzServe: a session of arbitrary messages never panics (handlers'
// panics are not caught here) or hangs.
func FuzzServe(f *testing.F) {
	frame := func(s string) string { return "Content-Length: " + itoa(len(s)) + "\r\n\r\n" + s }
	init := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`)
	f.Add([]byte(init + frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.res","version":1,"text":"network n() {\n input(3, 8, 8)\n conv(4, 3)\n}"}}}`) +
		frame(`{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.res"},"position":{"line":2,"character":2}}}`)))
	f.Add([]byte(init + frame(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.res","version":2},"contentChanges":[{"range":{"start":{"line":9,"character":-4},"end":{"line":0,"character":0}},"text":"x"}]}}`)))
	f.Add([]byte(init + frame(`{"jsonrpc":"2.0","id":{},"method":"textDocument/completion","params":null}`)))
	doc := `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///b.res","version":1,` +
		`"text":"block b(x: int) {\n  \"a{x}\": conv(x, 3, stride: 1)\n} shortcut s: identity\nnetwork n() {\n  input(3, 8, 8)\n  l: b(4)\n}\n"}}}`
	at := func(id int, method string, line, char int) string {
		return frame(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"textDocument/%s","params":{"textDocument":{"uri":"file:///b.res"},"position":{"line":%d,"character":%d}}}`, id, method, line, char))
	}
	f.Add([]byte(init + frame(doc) + at(2, "hover", 1, 6) + at(3, "definition", 5, 6) + at(4, "completion", 1, 20) + at(5, "hover", 2, 3) +
		frame(`{"jsonrpc":"2.0","id":6,"method":"textDocument/formatting","params":{"textDocument":{"uri":"file:///b.res"}}}`)))
	dir := f.TempDir()
	catchPanics = false
	defer func() { catchPanics = true }()
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<14 {
			return
		}
		Serve(bytes.NewReader(in), io.Discard, Options{StdlibRoot: dir})
	})
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

func TestPositions(t *testing.T) {
	// "é" is 2 bytes and 1 UTF-16 unit; "😀" 4 bytes and 2 units.
	text := "a\n é😀x\n"
	x := strings.Index(text, "x")
	if p := positionOf(text, x, utf16); p != (Position{1, 4}) {
		t.Errorf("utf-16: %+v", p)
	}
	if p := positionOf(text, x, utf8Bytes); p != (Position{1, 7}) {
		t.Errorf("utf-8: %+v", p)
	}
	for _, enc := range []encoding{utf16, utf8Bytes} {
		for off := 0; off <= len(text); off++ {
			p := positionOf(text, off, enc)
			back := offsetOf(text, p, enc)
			// Offsets inside a character map to its start.
			if back > off || off-back > 3 {
				t.Errorf("%v: offset %d → %+v → %d", enc, off, p, back)
			}
		}
	}
	// Clamping: past a line's end, past the text, inside a surrogate pair.
	for _, tc := range []struct {
		p    Position
		want int
	}{
		{Position{0, 99}, 1}, {Position{9, 0}, len(text)}, {Position{1, 3}, strings.Index(text, "😀")}, {Position{-1, 5}, 0},
	} {
		if got := offsetOf(text, tc.p, utf16); got != tc.want {
			t.Errorf("offsetOf(%+v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

func TestURIs(t *testing.T) {
	for _, path := range []string{"/tmp/a b/c#d.res", "/x/ünï.res"} {
		uri := pathToURI(path)
		if !strings.HasPrefix(uri, "file:///") || uriToPath(uri) != path {
			t.Errorf("%s → %s → %s", path, uri, uriToPath(uri))
		}
	}
	if got := uriToPath("untitled:Untitled-1"); got != "untitled:Untitled-1" {
		t.Errorf("untitled: %s", got)
	}
}
