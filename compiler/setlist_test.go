package compiler

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseListArg covers the --set forms of list parameters.
func TestParseListArg(t *testing.T) {
	for _, c := range []struct {
		typ, text string
		want      []Value
		err       string
	}{
		{"list[int]", "1,2,3", []Value{int64(1), int64(2), int64(3)}, ""},
		{"list[int]", "[1, 2]", []Value{int64(1), int64(2)}, ""},
		{"list[int]", "[]", []Value{}, ""},
		{"list[int]", "", []Value{}, ""},
		{"list[float]", "0.5, 1e-3", []Value{0.5, 1e-3}, ""},
		{"list[bool]", "[false,true]", []Value{false, true}, ""},
		{"list[int]", "[1, x]", nil, `out_indices of net is a list[int], written like 1,2,3 or [1, 2, 3]; "x" is not an int`},
		{"list[int]", "1,,2", nil, `"" is not an int`},
		{"list[int]", "[1, 2", nil, "a list needs its closing ]"},
		{"list[bool]", "yes", nil, `"yes" is not a bool`},
	} {
		v, ok, err := parseListArg("net", "out_indices", c.typ, c.text)
		if !ok {
			t.Errorf("%s %q: not a settable list type", c.typ, c.text)
			continue
		}
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %q: error %v, want one containing %q", c.typ, c.text, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(v, c.want) {
			t.Errorf("%s %q: %#v, %v; want %#v", c.typ, c.text, v, err, c.want)
		}
	}
	if _, ok, _ := parseListArg("net", "attn", "block", "x"); ok {
		t.Error("a block parameter parsed as a list")
	}
	if _, ok, _ := parseListArg("net", "m", "list[string]", "a,b"); ok {
		t.Error("a list[string] parsed: --set cannot tell its commas from the strings'")
	}
}
