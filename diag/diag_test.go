package diag

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

// TestRenderLongLine checks that an error deep in a 5 MB one-line file
// shows an excerpt around the column, caret under it, not the whole line.
func TestRenderLongLine(t *testing.T) {
	line := strings.Repeat("a", 5_000_030) + "é!" + strings.Repeat("b", 100_000)
	src := NewSource("long.res", line+"\n")
	var b bytes.Buffer
	Render(&b, &Error{Pos: Pos{src, 5_000_032}, Msg: "bad"})
	out := b.String()
	if len(out) > 400 {
		t.Fatalf("rendered %d bytes", len(out))
	}
	lines := strings.Split(out, "\n")
	if lines[0] != "long.res:1:5000033: bad" {
		t.Fatalf("header %q", lines[0])
	}
	text, caret := lines[1], lines[2]
	if !strings.HasPrefix(text, "    ...a") || !strings.HasSuffix(text, "b...") || !utf8.ValidString(text) {
		t.Fatalf("excerpt %q", text)
	}
	if at := strings.IndexByte(caret, '^'); at < 0 || text[at] != '!' {
		t.Fatalf("caret not under the column:\n%s\n%s", text, caret)
	}
	// Around a multi-byte rune the cut stays on a boundary.
	for _, col := range []int{1, 79, 80, 81, 82, 399, 401} {
		short := strings.Repeat("é", 200)
		s, c := excerpt(short, col)
		if !utf8.ValidString(s) || c < 1 || c > len(s)+1 {
			t.Errorf("col %d: excerpt %q col %d", col, s, c)
		}
	}
}

// TestHugeNames checks that a megabyte-long name costs neither a
// megabyte-squared distance computation nor a megabyte of message.
func TestHugeNames(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	start := time.Now()
	if s := Suggest(huge, []string{"relu", "conv", strings.Repeat("x", 1<<20-1)}); s != "" {
		t.Errorf("suggested %q", s[:10])
	}
	if Suggest("rleu", []string{"relu", huge}) != "relu" {
		t.Error("lost the close candidate")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Suggest took %v", d)
	}
	src := NewSource("h.res", huge)
	var b bytes.Buffer
	Render(&b, &Error{Pos: Pos{src, 0}, Msg: "undefined: " + huge, Chain: []Frame{{What: "block b " + huge}}})
	if b.Len() > 3000 || !strings.Contains(b.String(), "... (1048587 bytes)") || !strings.Contains(b.String(), "in block b xxx") {
		t.Errorf("rendered %d bytes: %.200s", b.Len(), b.String())
	}
}
