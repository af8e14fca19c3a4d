package compiler

import (
	"fmt"
	"sort"
	"sync"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/stdlib"
)

// A StdModel is a network of the standard library.
type StdModel struct {
	Name   string
	Module string
}

var (
	stdIndexOnce sync.Once
	stdIndex     []StdModel
	stdIndexErr  error
)

// StdlibModels lists every network the standard library defines, sorted by
// module then source order.
func StdlibModels() ([]StdModel, error) {
	stdIndexOnce.Do(func() {
		for _, m := range stdlib.Modules() {
			p, err := LoadModule(m)
			if err != nil {
				stdIndexErr = err
				return
			}
			for _, n := range p.Networks() {
				stdIndex = append(stdIndex, StdModel{Name: n.Name, Module: m})
			}
		}
	})
	return stdIndex, stdIndexErr
}

// LoadStdModel loads the stdlib module that defines network name.
func LoadStdModel(name string) (*Program, error) {
	models, err := StdlibModels()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range models {
		if m.Name == name {
			return LoadModule(m.Module)
		}
		names = append(names, m.Name)
	}
	sort.Strings(names)
	msg := fmt.Sprintf("no stdlib model %q", name)
	if s := diag.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return nil, fmt.Errorf("%s; `resc list` shows them all, and a path to a .res file ends in .res", msg)
}
