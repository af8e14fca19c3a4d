package lsp

import (
	"sort"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/lang"
	"github.com/resc-dev/resc/stdlib"
)

// A call is the innermost call whose parentheses hold a position.
type call struct {
	callee string          // the called name; "" outside a call
	named  map[string]bool // the arguments already named
}

// callContext finds the call around offset off from the tokens before
// it, so that it works on text that does not parse while being typed.
// A declaration's parameter list is not a call.
func callContext(toks []lang.Token, off int) call {
	var stack []call // one per open bracket; a call's when it is one
	for i, t := range toks {
		if t.Offset >= off {
			break
		}
		if t.Kind != lang.TokenPunct {
			if t.Kind == lang.TokenIdent && len(stack) > 0 && i+1 < len(toks) && toks[i+1].Text == ":" &&
				(toks[i-1].Text == "(" || toks[i-1].Text == ",") {
				if top := stack[len(stack)-1]; top.named != nil {
					top.named[t.Text] = true
				}
			}
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			var c call
			if t.Text == "(" && i > 0 && toks[i-1].Kind == lang.TokenIdent && !lang.Keywords[toks[i-1].Text] &&
				(i < 2 || !declKeywords[toks[i-2].Text]) {
				c = call{callee: toks[i-1].Text, named: map[string]bool{}}
			}
			stack = append(stack, c)
		case ")", "]", "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return call{}
	}
	return stack[len(stack)-1]
}

// declKeywords introduce a name whose parentheses declare parameters.
var declKeywords = map[string]bool{"block": true, "network": true, "fn": true}

// complete proposes what may be written at off: inside a call of a
// block, builtin layer or fn, its parameters not yet given (as `name: `),
// then the names in scope, builtin layers, blocks, functions and
// constants, and the keywords.
func (s *server) complete(d *document, off int) *completionList {
	a := d.a
	if ti := a.tokenAt(off); ti >= 0 && a.toks[ti].Kind == lang.TokenComment {
		return &completionList{Items: []CompletionItem{}}
	}
	if ti := a.tokenAt(max(off-1, 0)); ti >= 0 && a.toks[ti].Kind == lang.TokenString && off < a.toks[ti].Offset+len(a.toks[ti].Text) {
		return &completionList{Items: importItems(a.toks, ti)}
	}
	i := a.tokenBefore(off)
	if i >= 0 && a.toks[i].Kind == lang.TokenIdent && a.toks[i].Offset+len(a.toks[i].Text) == off {
		i-- // the word being typed
	}
	if i >= 0 && a.toks[i].Text == "naming" {
		return &completionList{Items: []CompletionItem{{Label: "torch", Kind: kindEnumMember}, {Label: "keras", Kind: kindEnumMember}}}
	}
	items := []CompletionItem{}
	seen := map[string]bool{}
	add := func(it CompletionItem, rank string) {
		if seen[it.Label] {
			return
		}
		seen[it.Label] = true
		it.SortText = rank + it.Label
		items = append(items, it)
	}
	if c := callContext(a.toks, off); c.callee != "" {
		for _, it := range d.paramItems(c.callee, off) {
			if !c.named[it.Label] {
				add(it, "0")
			}
		}
	}
	if f := a.file; f != nil {
		for _, it := range localItems(f, off) {
			add(it, "1")
		}
	}
	for _, it := range d.globalItems() {
		add(it, "2")
	}
	for _, b := range builtins() {
		it := CompletionItem{Label: b.Name, Detail: "builtin " + b.Kind}
		switch b.Kind {
		case "layer":
			it.Kind = kindClass
			it.Detail = b.Name + "(" + builtinParams(b.Params) + ")"
			it.Documentation = &MarkupContent{Kind: "markdown", Value: b.Doc}
		case "shortcut":
			it.Kind = kindEnumMember
		case "function":
			it.Kind = kindFunction
		default:
			it.Kind = kindVariable
		}
		add(it, "3")
	}
	var kws []string
	for k := range lang.Keywords {
		kws = append(kws, k)
	}
	sort.Strings(kws)
	for _, k := range kws {
		add(CompletionItem{Label: k, Kind: kindKeyword}, "4")
	}
	return &completionList{Items: items}
}

// importItems are the stdlib modules, inside an import's string.
func importItems(toks []lang.Token, ti int) []CompletionItem {
	items := []CompletionItem{}
	if ti == 0 || toks[ti-1].Text != "import" {
		return items
	}
	for _, m := range stdlib.Modules() {
		items = append(items, CompletionItem{Label: m, Kind: kindModule, Detail: "stdlib module"})
	}
	return items
}

// paramItems are the parameters of the block, fn or builtin named callee.
func (d *document) paramItems(callee string, off int) []CompletionItem {
	b := d.resolve(callee, off)
	if b == nil {
		return nil
	}
	var out []CompletionItem
	item := func(name, detail string) {
		out = append(out, CompletionItem{Label: name, Kind: kindProperty, Detail: detail, InsertText: name + ": "})
	}
	switch {
	case b.builtin != nil:
		for _, p := range b.builtin.Params {
			item(p.Name, builtinParam(p))
		}
	case b.decl != nil:
		var ps []*lang.Param
		switch dc := b.decl.(type) {
		case *lang.BlockDecl:
			ps = dc.Params
		case *lang.FnDecl:
			ps = dc.Params
		}
		for _, p := range ps {
			item(p.Name, param(p))
		}
	}
	return out
}

// localItems are the names the declaration around off binds before it.
func localItems(f *lang.File, off int) []CompletionItem {
	var out []CompletionItem
	switch dc := enclosing(f, off).(type) {
	case *lang.FnDecl:
		for _, p := range dc.Params {
			out = append(out, CompletionItem{Label: p.Name, Kind: kindVariable, Detail: param(p)})
		}
	case *lang.BlockDecl:
		for _, p := range dc.Params {
			out = append(out, CompletionItem{Label: p.Name, Kind: kindVariable, Detail: param(p)})
		}
		stmts(dc.Body, func(s lang.Stmt) {
			switch s := s.(type) {
			case *lang.LetStmt:
				if s.P.Offset < off {
					out = append(out, CompletionItem{Label: s.Name, Kind: kindVariable, Detail: "let " + s.Name + " = " + lang.FormatExpr(s.Value)})
				}
			case *lang.ForStmt:
				if s.P.Offset < off && off < s.End.Offset {
					out = append(out, CompletionItem{Label: s.Var, Kind: kindVariable, Detail: "for " + s.Var})
				}
			case *lang.PathsStmt:
				if s.Var != "" && s.P.Offset < off && off < s.End.Offset {
					out = append(out, CompletionItem{Label: s.Var, Kind: kindVariable, Detail: "paths ... as " + s.Var})
				}
			}
		})
		if dc.Alias == nil {
			for _, n := range []string{"channels", "height", "width"} {
				out = append(out, CompletionItem{Label: n, Kind: kindVariable, Detail: "the block's input " + n})
			}
		}
	}
	return out
}

// globalItems are the program's blocks, networks, fns and constants.
func (d *document) globalItems() []CompletionItem {
	files := []*lang.File{d.a.file}
	if p := d.program(); p != nil {
		files = p.Files
	}
	var out []CompletionItem
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, dc := range f.Decls {
			out = append(out, declItem(f, dc))
		}
	}
	return out
}

// declItem proposes a global declaration, with its comment.
func declItem(f *lang.File, dc lang.Decl) CompletionItem {
	it := CompletionItem{Label: dc.DeclName(), Detail: signature(dc), Kind: kindConstant}
	if doc := docComment(f, dc); doc != "" {
		it.Documentation = &MarkupContent{Kind: "markdown", Value: doc}
	}
	switch dc.(type) {
	case *lang.BlockDecl:
		it.Kind = kindClass
	case *lang.FnDecl:
		it.Kind = kindFunction
	}
	return it
}

func builtinParams(ps []compiler.BuiltinParam) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, builtinParam(p))
	}
	return strings.Join(parts, ", ")
}

// builtinDoc is a builtin's hover text.
func builtinDoc(b *compiler.Builtin) string {
	sig := b.Name
	if len(b.Params) > 0 || b.Kind == "layer" {
		sig += "(" + builtinParams(b.Params) + ")"
	}
	out := code(sig) + "\n\nbuiltin " + b.Kind
	if b.Doc != "" {
		out += ": " + b.Doc
	}
	return out
}
