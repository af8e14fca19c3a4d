// Package diag holds source positions and diagnostics. It is the leaf every
// other package may import: it knows nothing of the language or the IR.
//
// A position is a byte offset into a named source; lines and columns are
// computed only when a diagnostic is printed.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// A Source is one input file: its display name and its text.
type Source struct {
	Name string
	Text string
	// lines holds the byte offset at which each line starts.
	lines []int
}

// NewSource indexes text for offset-to-line conversion.
func NewSource(name, text string) *Source {
	s := &Source{Name: name, Text: text, lines: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// LineCol returns the 1-based line and 1-based byte column of offset.
func (s *Source) LineCol(offset int) (line, col int) {
	if offset > len(s.Text) {
		offset = len(s.Text)
	}
	i := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > offset }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, offset - s.lines[i] + 1
}

// Line returns the text of the 1-based line n, without its newline.
func (s *Source) Line(n int) string {
	if n < 1 || n > len(s.lines) {
		return ""
	}
	start := s.lines[n-1]
	end := len(s.Text)
	if n < len(s.lines) {
		end = s.lines[n] - 1
	}
	return strings.TrimRight(s.Text[start:end], "\r")
}

// A Pos is a location in a Source. The zero Pos means "no position".
type Pos struct {
	Src    *Source
	Offset int // byte offset from the start of Src.Text
}

// IsValid reports whether p refers to a source.
func (p Pos) IsValid() bool { return p.Src != nil }

// String renders p as file:line:col.
func (p Pos) String() string {
	if p.Src == nil {
		return "<unknown>"
	}
	l, c := p.Src.LineCol(p.Offset)
	return fmt.Sprintf("%s:%d:%d", p.Src.Name, l, c)
}

// A Frame is one step of the instantiation chain that led to a diagnostic,
// e.g. "stage 3, block 2 of resnet50" reads as frames outermost last.
type Frame struct {
	What string // "block bottleneck", "network resnet50"
	Pos  Pos    // where it was instantiated
}

// An Error is one diagnostic with its position and the chain of block
// instantiations (innermost first) in which it happened.
type Error struct {
	Pos   Pos
	Msg   string
	Chain []Frame
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// A List collects diagnostics. Its methods make it sorted, deduplicated and capped.
type List []*Error

// Add appends a diagnostic.
func (l *List) Add(pos Pos, chain []Frame, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Chain: append([]Frame(nil), chain...)})
}

// Err returns l as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l List) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// MaxErrors is how many diagnostics Normalize keeps.
const MaxErrors = 10

// Normalize sorts by position, drops duplicates (same position and message,
// whatever the chain: a faulty block instantiated 16 times is one error), and
// caps the list at MaxErrors. It reports how many were dropped by the cap.
func (l List) Normalize() (List, int) {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		an, bn := "", ""
		if a.Pos.Src != nil {
			an = a.Pos.Src.Name
		}
		if b.Pos.Src != nil {
			bn = b.Pos.Src.Name
		}
		if an != bn {
			return an < bn
		}
		if a.Pos.Offset != b.Pos.Offset {
			return a.Pos.Offset < b.Pos.Offset
		}
		return a.Msg < b.Msg
	})
	out := l[:0:0]
	for i, e := range l {
		if i > 0 && e.Pos == l[i-1].Pos && e.Msg == l[i-1].Msg {
			continue
		}
		out = append(out, e)
	}
	dropped := 0
	if len(out) > MaxErrors {
		dropped = len(out) - MaxErrors
		out = out[:MaxErrors]
	}
	return out, dropped
}
