package resc

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/resc-dev/resc/diag"
)

// A Diagnostic is one error found in a .res source.
type Diagnostic struct {
	Position Position
	Message  string
	// Chain is the sequence of block instantiations that led to the
	// error, innermost first: where each block was used.
	Chain []Frame
}

// A Position is a place in a source file. Line and Column count from 1;
// a zero Position means the error has no place (File is "").
type Position struct {
	File         string
	Line, Column int
}

// A Frame is one step of an instantiation chain.
type Frame struct {
	What     string // "block bottleneck", "network resnet50"
	Position Position
}

func (p Position) String() string {
	if p.File == "" {
		return "<unknown>"
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Diagnostics returns the source errors that err carries, sorted by
// position without duplicates (an error in a block used 16 times is one
// error) and at most diag.MaxErrors of them, as resc prints them; or nil when err is not an error in a source (a missing file, a
// bad option, a weights mismatch).
func Diagnostics(err error) []Diagnostic {
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = diag.List{one}
	default:
		return nil
	}
	list, _ = slices.Clone(list).Normalize()
	out := make([]Diagnostic, 0, len(list))
	for _, e := range list {
		d := Diagnostic{Position: position(e.Pos), Message: e.Msg}
		for _, f := range e.Chain {
			d.Chain = append(d.Chain, Frame{What: f.What, Position: position(f.Pos)})
		}
		out = append(out, d)
	}
	return out
}

func position(p diag.Pos) Position {
	if !p.IsValid() {
		return Position{}
	}
	l, c := p.Src.LineCol(p.Offset)
	return Position{File: p.Src.Name, Line: l, Column: c}
}

// String writes the diagnostic as resc does without the source excerpt:
// "file:line:col: message", then one line per frame of the chain.
func (d Diagnostic) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", d.Position, d.Message)
	for _, f := range d.Chain {
		fmt.Fprintf(&b, "\n    in %s", f.What)
		if f.Position.File != "" {
			fmt.Fprintf(&b, " (%s)", f.Position)
		}
	}
	return b.String()
}
