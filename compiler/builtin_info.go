package compiler

import (
	"sort"

	"github.com/resc-dev/resc/lang"
)

// A Builtin describes a builtin layer, shortcut kind or function for tools
// that present the language (the language server's completion and hover).
type Builtin struct {
	Name   string
	Kind   string // "layer", "shortcut" or "function"
	Doc    string // one line; empty for shortcut kinds and functions
	Params []BuiltinParam
}

// A BuiltinParam is one parameter of a builtin layer or shortcut kind.
type BuiltinParam struct {
	Name     string
	Type     string
	Default  string // the default value as it would be written; "" when Required
	Required bool
}

// Builtins lists the builtin layers, shortcut kinds and functions, sorted
// by name: the names every program sees before its own declarations.
func Builtins() []Builtin {
	var out []Builtin
	for name, b := range builtinLayers {
		out = append(out, Builtin{Name: name, Kind: "layer", Doc: b.doc, Params: builtinParams(b.params)})
	}
	for name, ps := range shortcutParams {
		out = append(out, Builtin{Name: name, Kind: "shortcut", Params: builtinParams(ps)})
	}
	for _, f := range builtinFuncs {
		out = append(out, Builtin{Name: f.Name, Kind: "function"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func builtinParams(specs []paramSpec) []BuiltinParam {
	out := make([]BuiltinParam, len(specs))
	for i, s := range specs {
		p := BuiltinParam{Name: s.Name, Type: s.Type, Required: s.Required}
		switch {
		case s.Required:
		case s.Default != nil:
			p.Default = lang.FormatExpr(s.Default)
		case s.Value != nil:
			p.Default = format(s.Value, false)
		}
		out[i] = p
	}
	return out
}
