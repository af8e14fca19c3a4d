package compiler

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/internal/userfile"
	"github.com/resc-dev/resc/lang"
	"github.com/resc-dev/resc/stdlib"
)

// A Program is a root .res file with everything it imports, and the global
// scope they declare together.
type Program struct {
	Root  *lang.File
	Files []*lang.File // dependencies first, Root last
	// Inputs are the paths of the files read from disk (the root, when it
	// was loaded from one, and the file imports), for a command to check
	// that it does not write over its own input.
	Inputs  []string
	globals map[string]lang.Decl
	genv    *env
	// Limits are checked by Build; the zero value means DefaultLimits.
	Limits Limits
	// Warnings are what the resolver and Build found suspicious but
	// legal; each message starts with "warning: ".
	Warnings diag.List
}

// warnf records a warning.
func (p *Program) warnf(pos diag.Pos, chain []diag.Frame, format string, args ...any) {
	p.Warnings.Add(pos, chain, "warning: "+format, args...)
}

// StdlibPrefix names stdlib sources in diagnostics ("stdlib/resnet.res").
const StdlibPrefix = "stdlib/"

// MaxSourceBytes bounds a .res file read from disk, so that a path like
// /dev/zero or a huge file is refused before it is read: the parser's own
// bound, lang.MaxSource.
const MaxSourceBytes = lang.MaxSource

// LoadFile loads a .res file and its imports.
func LoadFile(path string) (*Program, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, unwrapPathErr(err))
	}
	return load(src, nil)
}

// LoadSource loads source text named name (a path, for relative imports).
func LoadSource(name, text string) (*Program, error) {
	return load(source{name: name, text: text}, nil)
}

func load(root source, overlay Overlay) (*Program, error) {
	l := &loader{opened: overlay}
	f, err := l.load(root, diag.Pos{})
	if err != nil {
		return nil, err
	}
	p, err := newProgram(f, l.files)
	if p != nil {
		for _, s := range l.loaded {
			if s.info != nil {
				p.Inputs = append(p.Inputs, s.name)
			}
		}
	}
	return p, err
}

// LoadModule loads a stdlib module by name ("resnet").
func LoadModule(module string) (*Program, error) {
	text, ok := stdlib.Source(module)
	if !ok {
		return nil, fmt.Errorf("no stdlib module %q", module)
	}
	return LoadSource(StdlibPrefix+module+".res", text)
}

// A source is the text of one .res file. A file read from disk is
// identified by the file itself (info, compared with os.SameFile), so that
// one imported under two spellings (../imp/b.res and ./b.res, or through a
// symbolic link) is one import; any other source by its name.
type source struct {
	name, text string
	info       fs.FileInfo // nil for the stdlib and for text given directly
}

func (s source) same(o source) bool {
	if s.info != nil || o.info != nil {
		return s.info != nil && o.info != nil && os.SameFile(s.info, o.info)
	}
	return s.name == o.name
}

// readSource reads a .res file from disk: a regular file of at most
// MaxSourceBytes.
func readSource(path string) (source, error) {
	b, err := userfile.Read(path, MaxSourceBytes, "source files")
	if err != nil {
		return source{}, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return source{}, err
	}
	return source{name: path, text: string(b), info: info}, nil
}

type loader struct {
	loaded []source // in the order of files
	files  []*lang.File
	stack  []source
	opened Overlay // texts that replace files on disk
}

// stdlibCache keeps parsed stdlib modules: they never change in a process.
var stdlibCache sync.Map // name → *lang.File

func parseCached(name, text string) (*lang.File, error) {
	if !strings.HasPrefix(name, StdlibPrefix) {
		return lang.Parse(name, text)
	}
	if f, ok := stdlibCache.Load(name); ok {
		return f.(*lang.File), nil
	}
	f, err := lang.Parse(name, text)
	if err == nil {
		stdlibCache.Store(name, f)
	}
	return f, err
}

func (l *loader) load(src source, at diag.Pos) (*lang.File, error) {
	for i, s := range l.stack {
		if s.same(src) {
			var cycle []string
			for _, c := range l.stack[i:] {
				cycle = append(cycle, c.name)
			}
			cycle = append(cycle, src.name)
			return nil, &diag.Error{Pos: at, Msg: "import cycle: " + strings.Join(cycle, " -> ")}
		}
	}
	for i, s := range l.loaded {
		if s.same(src) {
			return l.files[i], nil
		}
	}
	f, err := parseCached(src.name, src.text)
	if err != nil {
		return nil, err
	}
	l.stack = append(l.stack, src)
	for _, im := range f.Imports {
		dep, err := resolveImport(src.name, im, l.opened)
		if err != nil {
			return nil, err
		}
		if _, err := l.load(dep, im.P); err != nil {
			return nil, err
		}
	}
	l.stack = l.stack[:len(l.stack)-1]
	l.loaded = append(l.loaded, src)
	l.files = append(l.files, f)
	return f, nil
}

// resolveImport finds an import: a path ending in .res is relative to the
// importing file (inside the stdlib, to the stdlib); anything else is a
// stdlib module.
func resolveImport(from string, im *lang.Import, overlay Overlay) (source, error) {
	if !strings.HasSuffix(im.Path, ".res") {
		text, ok := stdlib.Source(im.Path)
		if !ok {
			msg := fmt.Sprintf("no stdlib module %q", im.Path)
			if s := diag.Suggest(im.Path, stdlib.Modules()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			msg += "; a file import ends in .res"
			return source{}, &diag.Error{Pos: im.P, Msg: msg}
		}
		return source{name: StdlibPrefix + im.Path + ".res", text: text}, nil
	}
	if strings.HasPrefix(from, StdlibPrefix) {
		mod := strings.TrimSuffix(filepath.Base(im.Path), ".res")
		text, ok := stdlib.Source(mod)
		if !ok {
			return source{}, &diag.Error{Pos: im.P, Msg: fmt.Sprintf("no stdlib module %q", mod)}
		}
		return source{name: StdlibPrefix + mod + ".res", text: text}, nil
	}
	p := im.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(from), p)
	}
	src, err := overlay.read(p)
	if err != nil {
		return source{}, &diag.Error{Pos: im.P, Msg: fmt.Sprintf("cannot import %s: %v", im.Path, unwrapPathErr(err))}
	}
	return src, nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func newProgram(root *lang.File, files []*lang.File) (*Program, error) {
	p := &Program{Root: root, Files: files, globals: map[string]lang.Decl{}}
	var errs diag.List
	for _, f := range files {
		for _, d := range f.Decls {
			name := d.DeclName()
			if prev, ok := p.globals[name]; ok {
				if prev == d {
					continue
				}
				errs.Add(d.Pos(), nil, "%s redeclared (first declared at %s)", name, prev.Pos())
				continue
			}
			if isBuiltinName(name) || lang.Keywords[name] {
				errs.Add(d.Pos(), nil, "%s is a builtin name and cannot be redeclared", name)
				continue
			}
			p.globals[name] = d
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	p.genv = newEnv(builtinEnv)
	for name, d := range p.globals {
		switch d := d.(type) {
		case *lang.ConstDecl:
			p.genv.vars[name] = &constThunk{decl: d}
		case *lang.FnDecl:
			p.genv.vars[name] = &Func{Name: name, Decl: d}
		case *lang.BlockDecl:
			if d.Alias != nil {
				// An instance network is its instance: another network may
				// name it and bind more arguments.
				p.genv.vars[name] = &constThunk{decl: &lang.ConstDecl{At: d.At, Name: name, Value: d.Alias}}
				continue
			}
			p.genv.vars[name] = &Layer{Name: name, Block: d, Params: blockParams(d), Env: p.genv}
		}
	}
	return p, nil
}

// constThunk is a global constant not yet evaluated; evaluation replaces it.
type constThunk struct {
	decl     *lang.ConstDecl
	visiting bool
}

func blockParams(d *lang.BlockDecl) []paramSpec {
	out := make([]paramSpec, len(d.Params))
	for i, p := range d.Params {
		out[i] = paramSpec{Name: p.Name, Type: p.Type.String(), Default: p.Default, Required: p.Default == nil, Pos: p.P}
	}
	return out
}

// Networks lists the networks declared in the root file, in source order.
func (p *Program) Networks() []*lang.BlockDecl {
	var out []*lang.BlockDecl
	for _, d := range p.Root.Decls {
		if b, ok := d.(*lang.BlockDecl); ok && b.Network {
			out = append(out, b)
		}
	}
	return out
}

// Network finds a network of the root file by name.
func (p *Program) Network(name string) (*lang.BlockDecl, error) {
	var names []string
	for _, n := range p.Networks() {
		if n.Name == name {
			return n, nil
		}
		names = append(names, n.Name)
	}
	msg := fmt.Sprintf("%s defines no network %q", p.Root.Src.Name, name)
	if s := diag.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else if len(names) > 0 {
		msg += " (it defines " + strings.Join(names, ", ") + ")"
	}
	return nil, fmt.Errorf("%s", msg)
}
