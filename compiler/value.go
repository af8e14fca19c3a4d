// Package compiler is resc's middle end: it loads .res files and their
// imports, resolves names, and elaborates a network into an ir.Graph —
// evaluating parameters, instantiating blocks, inferring every shape and
// naming every weight — while collecting every error it can find.
package compiler

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/lang"
)

// A Value is what an expression evaluates to: int64, float64, bool, string,
// []Value, *Layer, *Func, *ShortcutKind, or poison after an error.
type Value any

// poison stands for a value whose computation already failed; operations on
// it fail silently so one mistake is reported once.
type poison struct{}

// A Layer is a block, or a builtin layer, with some arguments bound. Calling
// it binds more (partial application); a statement applies it to a tensor.
type Layer struct {
	Name    string
	Block   *lang.BlockDecl // nil for builtins
	Builtin *builtinLayer
	Params  []paramSpec
	Bound   map[string]Value
	// Env is where the block's parameter defaults are evaluated.
	Env *env
}

// A Func is a user fn or a builtin function.
type Func struct {
	Name    string
	Decl    *lang.FnDecl
	Builtin func(c *callCtx, args []Value) Value
	MinArgs int
	MaxArgs int // -1: variadic
}

// A ShortcutKind is a shortcut constructor with its arguments bound.
type ShortcutKind struct {
	Kind  string // identity, projection, avg_projection, pad_shortcut, pool_shortcut, auto
	Args  map[string]Value
	Inner *ShortcutKind // for auto
}

// A paramSpec is a formal parameter of a block or builtin.
type paramSpec struct {
	Name     string
	Type     string // int, float, bool, string, block, shortcut, list[T]
	Default  lang.Expr
	Value    Value // default for builtins
	Required bool
	Pos      diag.Pos
}

func typeName(v Value) string {
	switch v := v.(type) {
	case int64:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case string:
		return "string"
	case []Value:
		return "list"
	case *Layer:
		return "block"
	case *Func:
		return "function"
	case *ShortcutKind:
		return "shortcut"
	case *ir.Node:
		return "tensor"
	case poison:
		return "invalid"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// show writes a value for a message: long strings and lists are cut.
func show(v Value) string { return format(v, true) }

// format writes a value as interpolation inserts it; short cuts long
// strings and lists, for messages.
func format(v Value, short bool) string {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', 6, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		if short && len(v) > 60 {
			return strconv.Quote(v[:40]) + fmt.Sprintf("... (%d bytes)", len(v))
		}
		return strconv.Quote(v)
	case []Value:
		n := len(v)
		if short {
			n = min(n, 16)
		}
		parts := make([]string, n)
		for i, x := range v[:n] {
			parts[i] = format(x, short)
		}
		if n < len(v) {
			parts = append(parts, fmt.Sprintf("... (%d elements)", len(v)))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *Layer:
		return v.Name
	case *Func:
		return v.Name
	case *ShortcutKind:
		return v.Kind
	case *ir.Node:
		return v.Shape.String()
	default:
		return "invalid"
	}
}

// convert checks v against a declared type and converts where the language
// allows (an int is a float). ok is false on a mismatch.
func convert(v Value, typ string) (Value, bool) {
	if _, bad := v.(poison); bad {
		return v, true
	}
	switch {
	case typ == "int":
		_, ok := v.(int64)
		return v, ok
	case typ == "float":
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case float64:
			return x, true
		}
		return v, false
	case typ == "bool":
		_, ok := v.(bool)
		return v, ok
	case typ == "string":
		_, ok := v.(string)
		return v, ok
	case typ == "block":
		_, ok := v.(*Layer)
		return v, ok
	case typ == "shortcut":
		_, ok := v.(*ShortcutKind)
		return v, ok
	case typ == "tensor":
		_, ok := v.(*ir.Node)
		return v, ok
	case strings.HasPrefix(typ, "list[") && strings.HasSuffix(typ, "]"):
		l, ok := v.([]Value)
		if !ok {
			return v, false
		}
		elem := typ[5 : len(typ)-1]
		out := make([]Value, len(l))
		for i, x := range l {
			c, ok := convert(x, elem)
			if !ok {
				return v, false
			}
			out[i] = c
		}
		return out, true
	}
	// An unknown type was reported by the resolver; accept the value
	// rather than report every use of it too.
	return v, !knownType(typ)
}

func knownType(typ string) bool {
	for _, t := range validTypes {
		if typ == t || t == "list" && strings.HasPrefix(typ, "list[") {
			return true
		}
	}
	return false
}

// validTypes are the type names a parameter may declare.
var validTypes = []string{"int", "float", "bool", "string", "block", "shortcut", "tensor", "list"}

// env is a lexical scope of bindings.
type env struct {
	vars   map[string]Value
	parent *env
}

func newEnv(parent *env) *env { return &env{vars: map[string]Value{}, parent: parent} }

func (e *env) lookup(name string) (Value, bool) {
	for s := e; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

func (e *env) names() []string {
	var out []string
	for s := e; s != nil; s = s.parent {
		for k := range s.vars {
			out = append(out, k)
		}
	}
	return out
}
