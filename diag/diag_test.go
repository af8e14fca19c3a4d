package diag

import (
	"bytes"
	"testing"
)

func TestSuggest(t *testing.T) {
	cands := []string{"relu", "len", "planes", "stride", "groups", "bottleneck"}
	for _, c := range []struct{ in, want string }{
		{"rleu", "relu"}, {"planez", "planes"}, {"strides", "stride"}, {"botleneck", "bottleneck"},
		{"grups", "groups"}, {"x", ""}, {"completely_else", ""},
	} {
		if got := Suggest(c.in, cands); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRenderCaretAndChain(t *testing.T) {
	src := NewSource("f.res", "block b() {\n\tconv(x, 3)\n}\n")
	var l List
	l.Add(Pos{src, 18}, []Frame{{What: `block b "layer1.0"`, Pos: Pos{src, 0}}}, "undefined: x")
	var b bytes.Buffer
	Render(&b, l)
	want := "f.res:2:7: undefined: x\n    \tconv(x, 3)\n    \t     ^\n    in block b \"layer1.0\" (f.res:1:1)\n"
	if b.String() != want {
		t.Fatalf("got:\n%q\nwant:\n%q", b.String(), want)
	}
}

func TestNormalize(t *testing.T) {
	src := NewSource("f.res", "abcdefghijklmnopqrstuvwxyz")
	var l List
	for i := 0; i < 15; i++ {
		l.Add(Pos{src, 14 - i}, nil, "e")
		l.Add(Pos{src, 14 - i}, []Frame{{What: "other chain"}}, "e") // same place and message: one error
	}
	out, dropped := l.Normalize()
	if len(out) != MaxErrors || dropped != 5 {
		t.Fatalf("kept %d, dropped %d", len(out), dropped)
	}
	for i, e := range out {
		if e.Pos.Offset != i {
			t.Fatalf("not sorted: %d at %d", e.Pos.Offset, i)
		}
	}
}
