package lsp

import (
	"errors"
	"sort"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/lang"
)

// An analysis is what the server knows about one version of a document:
// what `resc check` would say of it, and the graphs hover reads shapes
// from.
type analysis struct {
	text   string
	toks   []lang.Token      // the text's tokens, up to the first it cannot lex
	file   *lang.File        // the syntax tree; nil when the text does not parse
	prog   *compiler.Program // nil when the program does not load
	graphs []*ir.Graph       // the root's networks that elaborate, in source order
	errs   diag.List         // sorted, deduplicated, capped as resc check prints them
	warns  diag.List         // the same, for the warnings
	other  error             // an error that is not in a source
}

// analyze checks text as `resc check` checks a file: load it and its
// imports, resolve its names, then elaborate every network with its
// default arguments. Unlike Program.Check it keeps the graphs. The
// imports that open holds are read from it.
func analyze(name, text string, open compiler.Overlay) *analysis {
	a := &analysis{text: text}
	if len(text) <= lang.MaxSource { // larger is an error, and no one's to read
		a.toks, _ = lang.Tokens(text)
	}
	p, err := compiler.LoadSourceOverlay(name, text, open)
	if err != nil {
		a.add(err)
		// An import that fails still leaves a syntax tree to navigate.
		if f, perr := lang.Parse(name, text); perr == nil {
			a.file = f
		}
		a.finish()
		return a
	}
	a.prog, a.file = p, p.Root
	a.add(p.CheckNames())
	for _, n := range p.Networks() {
		g, err := p.Build(n.Name, nil)
		if err != nil {
			a.add(err)
			continue
		}
		a.graphs = append(a.graphs, g)
	}
	a.warns, _ = p.Warnings.Normalize()
	a.finish()
	return a
}

// add records err's diagnostics, or err itself when it has none.
func (a *analysis) add(err error) {
	if err == nil {
		return
	}
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
		a.errs = append(a.errs, list...)
	case errors.As(err, &one):
		a.errs = append(a.errs, one)
	default:
		if a.other == nil {
			a.other = err
		}
	}
}

func (a *analysis) finish() { a.errs, _ = a.errs.Normalize() }

// tokenAt returns the index of the token under offset: the one containing
// it, else one ending right at it (the cursor just after a name), or -1.
func (a *analysis) tokenAt(off int) int {
	i := sort.Search(len(a.toks), func(i int) bool { return a.toks[i].Offset > off }) - 1
	if i < 0 {
		return -1
	}
	if t := a.toks[i]; off < t.Offset+len(t.Text) {
		return i
	}
	if t := a.toks[i]; off == t.Offset+len(t.Text) && t.Kind == lang.TokenIdent {
		return i
	}
	return -1
}

// tokenBefore returns the index of the last token ending at or before
// offset, or -1.
func (a *analysis) tokenBefore(off int) int {
	i := sort.Search(len(a.toks), func(i int) bool { return a.toks[i].Offset >= off }) - 1
	for ; i >= 0; i-- {
		if t := a.toks[i]; t.Offset+len(t.Text) <= off && t.Kind != lang.TokenComment {
			return i
		}
	}
	return -1
}

// nameTokenAt returns the name under offset: a name token (with its
// index), or a name inside a string's {} interpolation (index -1).
func (a *analysis) nameTokenAt(off int) (lang.Token, int, bool) {
	ti := a.tokenAt(off)
	if ti < 0 {
		return lang.Token{}, -1, false
	}
	t := a.toks[ti]
	switch t.Kind {
	case lang.TokenIdent:
		return t, ti, !lang.Keywords[t.Text]
	case lang.TokenString:
		// The parser's rule (lang's stringLit): {{ and }} are braces,
		// { ... } an expression.
		raw := t.Text
		for i := 1; i < len(raw)-1; i++ {
			switch {
			case raw[i] == '\\':
				i++
			case strings.HasPrefix(raw[i:], "{{") || strings.HasPrefix(raw[i:], "}}"):
				i++
			case raw[i] == '{':
				end := strings.IndexByte(raw[i:], '}')
				if end < 0 {
					return lang.Token{}, -1, false
				}
				base := t.Offset + i + 1
				if off >= base && off <= base+end-1 {
					inner, _ := lang.Tokens(raw[i+1 : i+end])
					for _, it := range inner {
						it.Offset += base
						if it.Kind == lang.TokenIdent && !lang.Keywords[it.Text] && it.Offset <= off && off <= it.Offset+len(it.Text) {
							return it, -1, true
						}
					}
				}
				i += end
			}
		}
	}
	return lang.Token{}, -1, false
}

// spanAt is the byte range of the token starting at off in text, for a
// diagnostic's range; an empty range when none starts there.
func spanAt(text string, off int) (int, int) {
	if off < 0 || off >= len(text) {
		return min(max(off, 0), len(text)), min(max(off, 0), len(text))
	}
	end := off + strings.IndexByte(text[off:], '\n')
	if end < off {
		end = len(text)
	}
	if toks, _ := lang.Tokens(text[off:end]); len(toks) > 0 && toks[0].Offset == 0 {
		return off, off + len(toks[0].Text)
	}
	return off, off
}
