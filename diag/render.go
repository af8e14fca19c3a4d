package diag

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Render writes err for a person: each diagnostic as "file:line:col: message",
// the source line with a caret under the column, then the instantiation
// chain. Errors that are not diagnostics are written as "resc: message".
func Render(w io.Writer, err error) {
	var list List
	var one *Error
	switch {
	case errors.As(err, &list):
		l, dropped := list.Normalize()
		for _, e := range l {
			renderOne(w, e)
		}
		if dropped > 0 {
			if dropped == 1 {
				fmt.Fprintln(w, "(and 1 more error)")
			} else {
				fmt.Fprintf(w, "(and %d more errors)\n", dropped)
			}
		}
	case errors.As(err, &one):
		renderOne(w, one)
	default:
		fmt.Fprintf(w, "resc: %v\n", err)
	}
}

func renderOne(w io.Writer, e *Error) {
	fmt.Fprintf(w, "%s: %s\n", e.Pos, shorten(e.Msg))
	if e.Pos.Src != nil {
		line, col := e.Pos.Src.LineCol(e.Pos.Offset)
		text, col := excerpt(e.Pos.Src.Line(line), col)
		// Keep tabs in the caret line so it lines up under the source.
		pad := make([]byte, 0, col)
		for i := 0; i < col-1 && i < len(text); i++ {
			if text[i] == '\t' {
				pad = append(pad, '\t')
			} else {
				pad = append(pad, ' ')
			}
		}
		fmt.Fprintf(w, "    %s\n    %s^\n", text, pad)
	}
	chain := e.Chain
	if len(chain) > 8 {
		// A runaway recursion: the innermost frames and the outermost ones say enough.
		chain = append(append([]Frame(nil), chain[:4]...), chain[len(chain)-2:]...)
	}
	for i, f := range chain {
		if i == 4 && len(e.Chain) > 8 {
			fmt.Fprintf(w, "    ... (%d frames)\n", len(e.Chain)-6)
		}
		fmt.Fprintf(w, "    in %s", shorten(f.What))
		if f.Pos.IsValid() {
			fmt.Fprintf(w, " (%s)", f.Pos)
		}
		fmt.Fprintln(w)
	}
}

// maxMessage is the most bytes of a message shown: one that quotes a
// megabyte-long name or literal says enough in its first kilobyte.
const maxMessage = 1024

// shorten cuts a message longer than maxMessage at a UTF-8 boundary.
func shorten(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	end := maxMessage
	for end > 0 && !utf8.RuneStart(msg[end]) {
		end--
	}
	return fmt.Sprintf("%s... (%d bytes)", msg[:end], len(msg))
}

// maxExcerpt is the most bytes of a source line a diagnostic shows; a
// longer line (a minified or generated file) is cut around the column.
const maxExcerpt = 160

// excerpt returns the part of line to show for a 1-based byte column, and
// the column within it: the whole line when short, else maxExcerpt bytes
// around the column, cut at UTF-8 boundaries, with "..." where cut.
func excerpt(line string, col int) (string, int) {
	if len(line) <= maxExcerpt {
		return line, col
	}
	start := max(0, min(col-1-maxExcerpt/2, len(line)-maxExcerpt))
	end := min(len(line), start+maxExcerpt)
	for start > 0 && !utf8.RuneStart(line[start]) {
		start--
	}
	for end < len(line) && !utf8.RuneStart(line[end]) {
		end++
	}
	text, col := line[start:end], col-start
	if start > 0 {
		text, col = "..."+text, col+3
	}
	if end < len(line) {
		text += "..."
	}
	return text, col
}

// Suggest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo.
func Suggest(name string, candidates []string) string {
	// The distance costs the product of the lengths: a hostile
	// megabyte-long name gets no suggestion rather than a terabyte table.
	const maxLen = 256
	best, bestD := "", 1<<30
	if len(name) > maxLen {
		return ""
	}
	for _, c := range candidates {
		// Beyond 3 edits nothing is suggested: skip what cannot be that close.
		if len(c) > len(name)+3 || len(name) > len(c)+3 {
			continue
		}
		d := distance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := 1 + len(name)/4
	if limit > 3 {
		limit = 3
	}
	if bestD <= limit && bestD < len(name) {
		return best
	}
	return ""
}

// distance is the edit distance between a and b, counting insertions,
// deletions, substitutions and transpositions of neighbours (the optimal
// string alignment distance): "rleu" is one edit from "relu".
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
