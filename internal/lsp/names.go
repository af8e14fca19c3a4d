package lsp

import (
	"sync"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/lang"
)

// A binding is what a name written at some place refers to.
type binding struct {
	decl    lang.Decl         // a global: block, network, fn or const
	param   *lang.Param       // a parameter of the enclosing block or fn, or of a called block
	let     *lang.LetStmt     // a let in scope
	loop    *lang.ForStmt     // a for loop's variable
	paths   *lang.PathsStmt   // a paths statement's copy index (as VAR)
	builtin *compiler.Builtin // a builtin layer, shortcut kind or function
	doc     string            // a global's comment
	bparam  *compiler.BuiltinParam
	input   bool // channels, height or width: the block's input shape
	// at is where the name is declared; invalid for builtins.
	at diag.Pos
}

// inputNames are the names a block sees for its input's shape.
var inputNames = map[string]bool{"channels": true, "height": true, "width": true}

// program is the document's program, or the last one that loaded while
// the text does not.
func (d *document) program() *compiler.Program {
	if d.a.prog != nil {
		return d.a.prog
	}
	return d.lastProg
}

// global finds a global declaration by name, with its file: in the
// program's files, else in the document's own syntax tree.
func (d *document) global(name string) (lang.Decl, *lang.File) {
	files := []*lang.File{d.a.file}
	if p := d.program(); p != nil {
		files = p.Files
	}
	for _, f := range files {
		if f == nil {
			continue
		}
		for _, dc := range f.Decls {
			if dc.DeclName() == name {
				return dc, f
			}
		}
	}
	return nil, nil
}

// builtins are the language's builtins; they never change in a process.
var builtins = sync.OnceValue(compiler.Builtins)

func builtin(name string) *compiler.Builtin {
	for _, b := range builtins() {
		if b.Name == name {
			return &b
		}
	}
	return nil
}

// resolve finds what name, written at offset off of the document, refers
// to, with the language's scoping: the enclosing declaration's loop
// variables, lets and parameters, then globals, then builtins.
func (d *document) resolve(name string, off int) *binding {
	if lang.Keywords[name] {
		return nil
	}
	if f := d.a.file; f != nil {
		if b := local(f, name, off); b != nil {
			return b
		}
	}
	if dc, f := d.global(name); dc != nil {
		return &binding{decl: dc, at: namePos(dc), doc: docComment(f, dc)}
	}
	if b := builtin(name); b != nil {
		return &binding{builtin: b}
	}
	return nil
}

// local resolves name among the bindings of the declaration enclosing off.
func local(f *lang.File, name string, off int) *binding {
	var ps []*lang.Param
	switch dc := enclosing(f, off).(type) {
	case *lang.FnDecl:
		ps = dc.Params
	case *lang.BlockDecl:
		var found *binding
		stmts(dc.Body, func(s lang.Stmt) {
			switch s := s.(type) {
			case *lang.ForStmt:
				if s.Var == name && s.P.Offset < off && off < s.End.Offset {
					found = &binding{loop: s, at: namedAt(s.P, name)}
				}
			case *lang.PathsStmt:
				if s.Var == name && s.P.Offset < off && off < s.End.Offset {
					found = &binding{paths: s, at: namedAt(s.P, name)}
				}
			case *lang.LetStmt:
				// The last binding before the name wins: nested bodies'
				// scopes are approximated by source order.
				if s.Name == name && s.P.Offset < off {
					found = &binding{let: s, at: namedAt(s.P, name)}
				}
			}
		})
		if found != nil {
			return found
		}
		ps = dc.Params
		if dc.Alias == nil && inputNames[name] {
			for _, p := range ps {
				if p.Name == name {
					return &binding{param: p, at: p.P}
				}
			}
			return &binding{input: true}
		}
	}
	for _, p := range ps {
		if p.Name == name {
			return &binding{param: p, at: p.P}
		}
	}
	return nil
}

// namedAt is the position of the name a statement or declaration at p
// declares.
func namedAt(p diag.Pos, name string) diag.Pos {
	return diag.Pos{Src: p.Src, Offset: nameOffset(p.Src.Text, p.Offset, name)}
}

func namePos(dc lang.Decl) diag.Pos { return namedAt(dc.Pos(), dc.DeclName()) }

// calleeParam finds the parameter a named argument `name:` of a call to
// callee sets.
func (d *document) calleeParam(callee, name string, off int) *binding {
	b := d.resolve(callee, off)
	if b == nil {
		return nil
	}
	if bd, ok := b.decl.(*lang.BlockDecl); ok && bd.Alias == nil {
		for _, p := range bd.Params {
			if p.Name == name {
				return &binding{param: p, at: p.P}
			}
		}
	}
	if fd, ok := b.decl.(*lang.FnDecl); ok {
		for _, p := range fd.Params {
			if p.Name == name {
				return &binding{param: p, at: p.P}
			}
		}
	}
	if b.builtin != nil {
		for i, p := range b.builtin.Params {
			if p.Name == name {
				return &binding{builtin: b.builtin, bparam: &b.builtin.Params[i]}
			}
		}
	}
	return nil
}
