package compiler

import (
	"sort"

	"github.com/resc-dev/resc/lang"
)

// A Builtin describes a builtin layer, shortcut kind, function or value
// for tools that present the language (the language server's completion
// and hover).
type Builtin struct {
	Name   string
	Kind   string // "layer", "shortcut", "function" or "value"
	Doc    string // one line; empty but for layers
	Params []BuiltinParam
}

// A BuiltinParam is one parameter of a builtin layer or shortcut kind.
type BuiltinParam struct {
	Name     string
	Type     string
	Default  string // the default value as it would be written; "" when Required
	Required bool
}

// Builtins lists every name the outermost scope binds, sorted: the names
// every program sees before its own declarations.
func Builtins() []Builtin {
	var out []Builtin
	for name, v := range builtinEnv.vars {
		b := Builtin{Name: name, Kind: "value"}
		switch v := v.(type) {
		case *Layer:
			b.Kind, b.Params = "layer", builtinParams(v.Params)
			if v.Builtin != nil {
				b.Doc = v.Builtin.doc
			}
		case *ShortcutKind:
			b.Kind, b.Params = "shortcut", builtinParams(shortcutParams[name])
		case *Func:
			b.Kind = "function"
		}
		out = append(out, b)
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
