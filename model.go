package resc

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
)

// Options choose the network a source defines and its parameters.
type Options struct {
	// Network names the network to build; it may be empty when the
	// source defines one network, or for LoadStdlib.
	Network string
	// Set overrides network parameters, NAME to VALUE as written in the
	// language: {"include_top": "false", "classes": "10"}.
	Set map[string]string
	// Limits bound what elaborating the network may make; a zero field
	// takes its default (DefaultLimits).
	Limits Limits
}

// Limits bound the resources a network may ask for, so that a hostile or
// mistaken source is an error rather than an exhausted machine.
type Limits struct {
	Elements int64 // one tensor: an activation (per image) or a weight
	Params   int64 // the network's parameters, all tensors together
	Memory   int64 // bytes of activations live at once, for a whole batch
}

// DefaultLimits are generous for every real network and small enough that
// a machine can hold what they allow.
var DefaultLimits = Limits{compiler.DefaultLimits.Elements, compiler.DefaultLimits.Params, compiler.DefaultLimits.Memory}

func (l Limits) compiler() compiler.Limits {
	return compiler.Limits{Elements: l.Elements, Params: l.Params, Memory: l.Memory}
}

// An OptionError is a mistake in Options, not in the source: an unknown
// network, a parameter the network does not have or a value that does not
// fit it.
type OptionError struct {
	Option string // "Network" or "Set"
	// Networks lists the networks to choose from when the source defines
	// several and Options.Network is empty.
	Networks []string
	Err      error
}

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// A Model is a checked network: its source, its chosen parameters and
// its graph as written. It is immutable and safe for concurrent use.
type Model struct {
	prog  *compiler.Program
	name  string
	set   map[string]string
	graph *ir.Graph // as written; never handed out, Compile builds afresh
}

// LoadFile loads the .res file at path and what it imports, resolves every
// name in it and elaborates the chosen network. Errors in the sources
// come back as one error holding them all; see Diagnostics.
func LoadFile(path string, opts Options) (*Model, error) {
	p, err := compiler.LoadFile(path)
	if err != nil {
		return nil, err
	}
	return newModel(p, path, opts, true)
}

// LoadString loads .res source text; name is its file name in
// diagnostics and the base of its relative imports.
func LoadString(name, text string, opts Options) (*Model, error) {
	p, err := compiler.LoadSource(name, text)
	if err != nil {
		return nil, err
	}
	return newModel(p, name, opts, true)
}

// LoadStdlib loads a network of the standard library by name ("resnet50";
// see StdlibModels). opts.Network, if set, must be name.
func LoadStdlib(name string, opts Options) (*Model, error) {
	if opts.Network != "" && opts.Network != name {
		return nil, &OptionError{Option: "Network", Err: fmt.Errorf("%s is a stdlib model; Network picks among a file's networks", name)}
	}
	p, err := compiler.LoadStdModel(name)
	if err != nil {
		return nil, err
	}
	opts.Network = name
	return newModel(p, name, opts, false)
}

// A StdlibModel is a network of the standard library.
type StdlibModel struct {
	Name   string // "resnet50"
	Module string // the stdlib module that defines it, "resnet"
}

// StdlibModels lists the standard library's networks, by module then in
// source order.
func StdlibModels() ([]StdlibModel, error) {
	ms, err := compiler.StdlibModels()
	out := make([]StdlibModel, len(ms))
	for i, m := range ms {
		out[i] = StdlibModel{Name: m.Name, Module: m.Module}
	}
	return out, err
}

func newModel(p *compiler.Program, what string, opts Options, wholeFile bool) (*Model, error) {
	p.Limits = opts.Limits.compiler()
	name, err := pickNetwork(p, what, opts.Network)
	if err != nil {
		return nil, err
	}
	// Resolve the whole file too, so that errors outside the chosen
	// network are reported with those inside it.
	var errs diag.List
	if wholeFile {
		if err := p.CheckNames(); err != nil {
			var l diag.List
			if !errors.As(err, &l) {
				return nil, err
			}
			errs = append(errs, l...)
		}
	}
	g, err := p.Build(name, opts.Set)
	var argErr *compiler.ArgError
	var l diag.List
	switch {
	case errors.As(err, &argErr):
		return nil, &OptionError{Option: "Set", Err: err}
	case errors.As(err, &l):
		errs = append(errs, l...)
	case err != nil:
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &Model{prog: p, name: name, set: maps.Clone(opts.Set), graph: g}, nil
}

func pickNetwork(p *compiler.Program, what, name string) (string, error) {
	if name != "" {
		if _, err := p.Network(name); err != nil {
			return "", &OptionError{Option: "Network", Err: err}
		}
		return name, nil
	}
	nets := p.Networks()
	switch len(nets) {
	case 0:
		return "", fmt.Errorf("%s defines no network (a network is `network NAME(...) { ... }` or `network NAME = block(...)`)", what)
	case 1:
		return nets[0].Name, nil
	}
	var names []string
	for _, n := range nets {
		names = append(names, n.Name)
	}
	slices.Sort(names)
	return "", &OptionError{Option: "Network", Networks: names,
		Err: fmt.Errorf("%s defines several networks (%s); pick one by name", what, strings.Join(names, ", "))}
}

// CheckFile checks every network of the .res file at path with its
// default arguments, as 'resc check' does: it returns nil when the file is
// valid, else an error holding every diagnostic (see Diagnostics).
func CheckFile(path string, limits Limits) error {
	_, err := VetFile(path, limits)
	return err
}

// CheckString is CheckFile for source text named name.
func CheckString(name, text string, limits Limits) error {
	_, err := VetString(name, text, limits)
	return err
}

// VetFile is CheckFile that also returns the warnings: legal code that
// probably does not do what its author meant (a let in a loop that
// updates nothing, a classifier applied to a classifier's output). Each
// warning's message starts with "warning: ".
func VetFile(path string, limits Limits) ([]Diagnostic, error) {
	p, err := compiler.LoadFile(path)
	if err != nil {
		return nil, err
	}
	return checkProgram(p, limits)
}

// VetString is VetFile for source text named name.
func VetString(name, text string, limits Limits) ([]Diagnostic, error) {
	p, err := compiler.LoadSource(name, text)
	if err != nil {
		return nil, err
	}
	return checkProgram(p, limits)
}

func checkProgram(p *compiler.Program, limits Limits) ([]Diagnostic, error) {
	p.Limits = limits.compiler()
	var err error
	if len(p.Networks()) == 0 {
		err = p.CheckNames()
	} else {
		err = p.Check()
	}
	return Diagnostics(p.Warnings), err
}

// CheckBatch reports whether the network's activations for batch images
// at once fit Limits.Memory.
func (m *Model) CheckBatch(batch int) error { return m.prog.CheckBatch(m.graph, batch) }

// Name is the network's name.
func (m *Model) Name() string { return m.name }

// Files lists the files the model was read from: the source (when it was
// loaded from a file) and the files it imports.
func (m *Model) Files() []string { return slices.Clone(m.prog.Inputs) }

// A Param is a network parameter that Options.Set may change.
type Param struct {
	Name  string
	Type  string // "int", "float", "bool" or "string"
	Value string // the value the model was built with, as written
}

// Params lists the network's parameters that Options.Set can change.
func (m *Model) Params() ([]Param, error) {
	ps, err := m.prog.NetworkParams(m.name)
	if err != nil {
		return nil, err
	}
	out := make([]Param, len(ps))
	for i, p := range ps {
		out[i] = Param{Name: p.Name, Type: p.Type, Value: p.Default}
	}
	return out, nil
}

// Graph returns a fresh copy of the network's graph as written, before any
// pass, for programs that work on the IR (package ir).
func (m *Model) Graph() *ir.Graph {
	g, err := m.prog.Build(m.name, m.set)
	if err != nil {
		// The same program built without errors in newModel.
		panic(fmt.Sprintf("resc: rebuilding %s: %v", m.name, err))
	}
	return g
}
