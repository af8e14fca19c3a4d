package lang

import (
	"fmt"
	"strings"
)

// MaxNesting bounds how deeply constructs may nest: brackets, chained
// conditionals, else-if chains and runs of unary operators. The parser,
// the formatter and the evaluator all recurse on nesting, so without a
// bound 100,000 parentheses would take a minute and 300,000 would overflow
// the stack. The standard library nests at most about 10 levels.
const MaxNesting = 200

// maxOperators bounds the binary operators of one expression: a chain of
// them folds into a tree as deep as it is long, and parsing a long one
// is slow.
const maxOperators = 1000

// binaryOps are the punctuation tokens that are binary operators ("-" is
// one after an operand).
var binaryOps = map[string]bool{"//": true, "==": true, "!=": true, "<=": true, ">=": true,
	"+": true, "-": true, "*": true, "/": true, "%": true, "<": true, ">": true}

// checkLimits scans text's tokens, before the recursive parser sees them,
// for the first one nested more than MaxNesting levels deep or past
// maxOperators in one expression. It returns that token's offset and
// what is wrong, or -1. It counts what makes the parser recurse: an open
// bracket, a ?, an else, a run of unary operators. The count of ?s and
// elses at one bracket level over-approximates (siblings count as nested),
// which only matters past hundreds of them.
func checkLimits(text string) (int, string) {
	lx, err := resLexer.Lex("", strings.NewReader(text))
	if err != nil {
		return -1, ""
	}
	syms := resLexer.Symbols()
	punct, ident, ws, comment := syms["Punct"], syms["Ident"], syms["Whitespace"], syms["Comment"]
	// For each open bracket level: the ?s and elses in it, and the
	// binary operators of the expression being read.
	type level struct{ extra, ops int }
	levels := []level{{}}
	depth, unary := 0, 0
	operand := false // the previous token ends an operand
	for {
		t, err := lx.Next()
		if err != nil || t.EOF() {
			return -1, ""
		}
		if t.Type == ws || t.Type == comment {
			continue
		}
		top := &levels[len(levels)-1]
		p, v := t.Type == punct, t.Value
		isWord := t.Type == ident
		binary := operand && (p && binaryOps[v] || isWord && (v == "and" || v == "or"))
		if !binary && (p && v == "-" || isWord && v == "not") {
			unary++
		} else {
			unary = 0
		}
		endsOperand := false
		switch {
		case binary:
			top.ops++
			if top.ops > maxOperators {
				return t.Pos.Offset, fmt.Sprintf("expression has more than %d operators", maxOperators)
			}
		case p && (v == "(" || v == "[" || v == "{"):
			depth++
			levels = append(levels, level{})
		case p && (v == ")" || v == "]" || v == "}"):
			if len(levels) > 1 {
				depth -= 1 + top.extra
				levels = levels[:len(levels)-1]
			}
			endsOperand = true
		case p && v == ",", p && v == ";":
			depth -= top.extra
			*top = level{}
		case p && v == "?", isWord && v == "else":
			depth++
			top.extra++
		case p:
		default:
			// A name or literal right after an operand starts another
			// expression (the next statement): the ?s and elses before it
			// are closed.
			if operand {
				depth -= top.extra
				*top = level{}
			}
			endsOperand = !(isWord && Keywords[v]) || v == "true" || v == "false"
		}
		operand = endsOperand
		if depth+unary > MaxNesting {
			return t.Pos.Offset, fmt.Sprintf("nested too deeply (more than %d levels)", MaxNesting)
		}
	}
}
