package compiler

import "testing"

func TestBuiltins(t *testing.T) {
	got := map[string]Builtin{}
	for _, b := range Builtins() {
		got[b.Name] = b
	}
	for name := range builtinEnv.vars {
		if _, ok := got[name]; !ok {
			t.Errorf("Builtins lacks %s", name)
		}
	}
	conv := got["conv"]
	if conv.Kind != "layer" || conv.Doc == "" || len(conv.Params) < 3 {
		t.Fatalf("conv: %+v", conv)
	}
	if p := conv.Params[0]; p.Name != "out" || p.Type != "int" || !p.Required || p.Default != "" {
		t.Errorf("conv's first parameter: %+v", p)
	}
	if p := conv.Params[2]; p.Name != "stride" || p.Required || p.Default != "1" {
		t.Errorf("conv's third parameter: %+v", p)
	}
	if got["projection"].Kind != "shortcut" || got["max"].Kind != "function" {
		t.Errorf("kinds: %+v %+v", got["projection"], got["max"])
	}
}
