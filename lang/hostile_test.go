package lang

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resc-dev/resc/diag"
)

// TestHostileSources checks that sources built to exhaust the parser get a
// located error quickly: deep nesting of every kind that makes the parser
// recurse, and the string-interpolation mistakes the grammar alone lets
// through.
func TestHostileSources(t *testing.T) {
	deep := func(open, close string, n int) string {
		return "const a = " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "\n"
	}
	cases := []struct {
		name, src string
		msg       string // in the error
		line, col int    // where, 0 for anywhere
	}{
		{"100k parens", deep("(", ")", 100_000), "nested too deeply", 1, 11 + MaxNesting},
		{"300k parens", deep("(", ")", 300_000), "nested too deeply", 1, 0},
		{"300k brackets", deep("[", "]", 300_000), "nested too deeply", 1, 0},
		{"unary minus", "const a = " + strings.Repeat("-", 100_000) + "1\n", "nested too deeply", 1, 0},
		{"not", "const a = " + strings.Repeat("not ", 100_000) + "true\n", "nested too deeply", 1, 0},
		{"conditional chain", "const a = " + strings.Repeat("true ? 1 : ", 50_000) + "2\n", "nested too deeply", 1, 0},
		{"else if chain", "block b() {\n  if true {\n  }" + strings.Repeat(" else if true {\n  }", 40_000) + "\n}\n", "nested too deeply", 0, 0},
		{"list type", "fn f(x: " + strings.Repeat("list[", 100_000) + "int" + strings.Repeat("]", 100_000) + ") = 1\n", "nested too deeply", 1, 0},
		{"blocks", "block b() {\n" + strings.Repeat("residual {\n", 50_000) + strings.Repeat("}\n", 50_000) + "}\n", "nested too deeply", 0, 0},
		{"interpolation", `const a = "{` + strings.Repeat("(", 10_000) + "1" + strings.Repeat(")", 10_000) + "}\"\n", "nested too deeply", 1, 13 + MaxNesting},
		{"operator chain", "const a = 1" + strings.Repeat(" + 1", 200_000) + "\n", "more than 1000 operators", 1, 0},
		{"huge integer", "const a = " + strings.Repeat("9", 100_000) + "\n", "integer 999999999999999999999999999999... is out of range", 1, 11},
		{"too large", "const a = 1\n" + strings.Repeat("#", MaxSource), "source of 1048588 bytes is larger than the limit of 1048576", 1, 1},
		{"empty interpolation", "const a = \"x{}\"\n", "empty {} in string", 1, 13},
		{"blank interpolation", "const a = \"{  }\"\n", "empty {} in string", 1, 12},
		{"comment in interpolation", "const a = \"x{1#}\"\n", "# cannot appear inside {}", 1, 15},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := Parse("h.res", c.src)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("want a located error, got %v", err)
			}
			if !strings.Contains(de.Msg, c.msg) {
				t.Fatalf("got %q, want %q", de.Msg, c.msg)
			}
			line, col := de.Pos.Src.LineCol(de.Pos.Offset)
			if c.line != 0 && line != c.line || c.col != 0 && col != c.col {
				t.Errorf("at %d:%d, want %d:%d", line, col, c.line, c.col)
			}
			if testing.Short() {
				return
			}
			// fmt reads with the same parser: it stops at the same limit.
		})
	}
}

// TestNestingLimitAllowsItsLevels checks the limit is not off by one: the
// deepest accepted source parses, formats and parses again.
func TestNestingLimitAllowsItsLevels(t *testing.T) {
	src := "const a = " + strings.Repeat("(", MaxNesting) + "1" + strings.Repeat(")", MaxNesting) + "\n"
	if _, err := Parse("ok.res", src); err != nil {
		t.Fatalf("%d levels: %v", MaxNesting, err)
	}
	roundTrip(t, "ok.res", src)
	src = "const a = " + strings.Repeat("(", MaxNesting+1) + "1" + strings.Repeat(")", MaxNesting+1) + "\n"
	if _, err := Parse("deep.res", src); err == nil {
		t.Fatalf("%d levels accepted", MaxNesting+1)
	}
	// Siblings are not nesting: hundreds of conditionals and if-else
	// statements in one body, one after another, are fine.
	var b strings.Builder
	b.WriteString("block b(x: bool) {\n")
	for i := 0; i < 2*MaxNesting; i++ {
		fmt.Fprintf(&b, "  let v%d = x ? 1 : 2 + 3 * 4\n  if x {\n    relu\n  } else {\n    conv(8, 3)\n  }\n  c%d: conv(x ? 8 : 4, 1)\n", i, i)
	}
	b.WriteString("}\n")
	if _, err := Parse("siblings.res", b.String()); err != nil {
		t.Fatalf("siblings: %v", err)
	}
	chain := "const a = 1" + strings.Repeat(" + 1", maxOperators) + "\n"
	if _, err := Parse("chain.res", chain); err != nil {
		t.Fatalf("%d operators: %v", maxOperators, err)
	}
}

// TestByteOrderMark checks that a UTF-8 BOM at the start is skipped, with
// positions still counted in the file's bytes and comments kept.
func TestByteOrderMark(t *testing.T) {
	src := "\uFEFF# a comment\nconst a = 1 +\n"
	_, err := Parse("bom.res", src)
	var de *diag.Error
	if !errors.As(err, &de) {
		t.Fatalf("want a syntax error, got %v", err)
	}
	if line, _ := de.Pos.Src.LineCol(de.Pos.Offset); line != 3 {
		t.Errorf("error on line %d, want 3: %v", line, err)
	}
	f, err := Parse("bom.res", "\uFEFF# a comment\nconst a = 1\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(Format(f)); got != "# a comment\nconst a = 1\n" {
		t.Errorf("formatted as %q", got)
	}
	// Only at the start: elsewhere it is not a token.
	if _, err := Parse("mid.res", "const a = 1\n\uFEFF"); err == nil {
		t.Error("a BOM after the start was accepted")
	}
}

// TestFormatLongChainIsLinear: printing a 50,000-operator chain appends
// once per operator; concatenating operand strings copied the chain once
// per operator (seconds, and minutes at the nesting limit).
func TestFormatLongChainIsLinear(t *testing.T) {
	var e Expr = &IntLit{Value: 1}
	for i := 0; i < 50_000; i++ {
		e = &BinaryExpr{Op: "+", X: e, Y: &IntLit{Value: 1}}
	}
	start := time.Now()
	out := FormatExpr(e)
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	if len(out) != 1+50_000*4 || !strings.HasPrefix(out, "1 + 1 + 1") {
		t.Errorf("printed %d bytes: %.20q", len(out), out)
	}
}
