package lsp

import (
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// An encoding is how a Position's Character counts: UTF-16 code units
// (LSP's default) or UTF-8 bytes.
type encoding int

const (
	utf16 encoding = iota
	utf8Bytes
)

func (e encoding) String() string {
	if e == utf8Bytes {
		return "utf-8"
	}
	return "utf-16"
}

// lineStart returns the byte offset where 0-based line n starts, or -1
// when text has fewer lines.
func lineStart(text string, n int) int {
	off := 0
	for ; n > 0; n-- {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off
}

// offsetOf converts a Position to a byte offset in text, clamped to the
// text (a position past a line's end is its end, past the last line the
// text's end), never inside a UTF-8 sequence.
func offsetOf(text string, p Position, enc encoding) int {
	if p.Line < 0 {
		return 0
	}
	start := lineStart(text, p.Line)
	if start < 0 {
		return len(text)
	}
	end := start + strings.IndexByte(text[start:], '\n')
	if end < start {
		end = len(text)
	}
	off, units := start, 0
	for off < end && units < p.Character {
		r, size := utf8.DecodeRuneInString(text[off:end])
		n := size
		if enc == utf16 {
			n = 1
			if r >= 0x10000 {
				n = 2
			}
		}
		if units+n > p.Character {
			break
		}
		units += n
		off += size
	}
	return off
}

// positionOf converts a byte offset in text to a Position.
func positionOf(text string, off int, enc encoding) Position {
	off = max(0, min(off, len(text)))
	for off < len(text) && off > 0 && !utf8.RuneStart(text[off]) {
		off-- // inside a character: its start
	}
	line := strings.Count(text[:off], "\n")
	start := strings.LastIndexByte(text[:off], '\n') + 1
	seg := text[start:off]
	if enc == utf8Bytes {
		return Position{line, len(seg)}
	}
	units := 0
	for _, r := range seg {
		units++
		if r >= 0x10000 {
			units++
		}
	}
	return Position{line, units}
}

// rangeOf converts the byte range [from, to) to a Range.
func rangeOf(text string, from, to int, enc encoding) Range {
	return Range{positionOf(text, from, enc), positionOf(text, to, enc)}
}

// uriToPath turns a file: URI into a path; any other URI (an unsaved
// "untitled:" buffer) is returned as it is, which names the source and
// resolves no relative imports.
func uriToPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return uri
	}
	p := u.Path
	// file:///C:/x on Windows.
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.FromSlash(p)
}

// pathToURI is uriToPath's inverse for absolute paths.
func pathToURI(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
