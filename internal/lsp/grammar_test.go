package lsp

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/resc-dev/resc/lang"
	"github.com/resc-dev/resc/stdlib"
)

// The VS Code extension's TextMate grammar, run by a small TextMate
// engine on Go's regexp: the grammar avoids what Go cannot run
// (lookaround, backreferences), so compiling it here checks that too.

const grammarPath = "../../editors/vscode/syntaxes/res.tmLanguage.json"

type tmCapture struct {
	Name string `json:"name"`
}

type tmRule struct {
	Name          string               `json:"name"`
	ContentName   string               `json:"contentName"`
	Match         string               `json:"match"`
	Begin         string               `json:"begin"`
	End           string               `json:"end"`
	Captures      map[string]tmCapture `json:"captures"`
	BeginCaptures map[string]tmCapture `json:"beginCaptures"`
	EndCaptures   map[string]tmCapture `json:"endCaptures"`
	Patterns      []*tmRule            `json:"patterns"`
	Include       string               `json:"include"`

	match, begin, end *regexp.Regexp
}

type tmGrammar struct {
	ScopeName  string             `json:"scopeName"`
	FileTypes  []string           `json:"fileTypes"`
	Patterns   []*tmRule          `json:"patterns"`
	Repository map[string]*tmRule `json:"repository"`
}

func loadGrammar(t *testing.T) *tmGrammar {
	t.Helper()
	b, err := os.ReadFile(grammarPath)
	if err != nil {
		t.Fatal(err)
	}
	var g tmGrammar
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	var compile func(r *tmRule)
	compile = func(r *tmRule) {
		for _, c := range []struct {
			src string
			re  **regexp.Regexp
		}{{r.Match, &r.match}, {r.Begin, &r.begin}, {r.End, &r.end}} {
			if c.src == "" {
				continue
			}
			re, err := regexp.Compile(c.src)
			if err != nil {
				t.Fatalf("pattern %q is not Go regexp: %v", c.src, err)
			}
			*c.re = re
		}
		if (r.begin == nil) != (r.end == nil) {
			t.Fatalf("rule %q has begin without end or the reverse", r.Name)
		}
		for _, p := range r.Patterns {
			compile(p)
		}
	}
	for _, r := range g.Patterns {
		compile(r)
	}
	for _, r := range g.Repository {
		compile(r)
	}
	return &g
}

// flatten resolves includes: the rules that match, in priority order.
func (g *tmGrammar) flatten(t *testing.T, rules []*tmRule, depth int) []*tmRule {
	if depth > 20 {
		t.Fatal("includes nest too deep")
	}
	var out []*tmRule
	for _, r := range rules {
		if r.Include != "" {
			switch {
			case r.Include == "$self":
				out = append(out, g.flatten(t, g.Patterns, depth+1)...)
			case strings.HasPrefix(r.Include, "#"):
				target, ok := g.Repository[r.Include[1:]]
				if !ok {
					t.Fatalf("include %s: no such rule", r.Include)
				}
				out = append(out, g.flatten(t, []*tmRule{target}, depth+1)...)
			default:
				t.Fatalf("include %s: not supported", r.Include)
			}
			continue
		}
		if r.match == nil && r.begin == nil {
			out = append(out, g.flatten(t, r.Patterns, depth+1)...)
			continue
		}
		out = append(out, r)
	}
	return out
}

// scopes tokenizes text as a TextMate engine does, line by line: at each
// place the earliest match among the current rules wins (the open rule's
// end first, then the rules in order), a begin rule opens a region until
// its end. It returns each byte's scopes, the grammar's own left out.
func (g *tmGrammar) scopes(t *testing.T, text string) [][]string {
	out := make([][]string, len(text))
	var stack []*tmRule
	open := func(inner bool) []string {
		var s []string
		for i, r := range stack {
			if r.Name != "" {
				s = append(s, r.Name)
			}
			if r.ContentName != "" && (inner || i < len(stack)-1) {
				s = append(s, r.ContentName)
			}
		}
		return s
	}
	set := func(from, to int, scopes []string) {
		for i := from; i < to; i++ {
			for _, s := range scopes {
				if s != "" {
					out[i] = append(out[i], s)
				}
			}
		}
	}
	capture := func(base int, loc []int, caps map[string]tmCapture) {
		for k, c := range caps {
			var n int
			if _, err := fmtSscan(k, &n); err != nil || 2*n+1 >= len(loc) {
				t.Fatalf("capture %q out of range", k)
			}
			if loc[2*n] >= 0 {
				set(base+loc[2*n], base+loc[2*n+1], []string{c.Name})
			}
		}
	}
	lineStart := 0
	for _, line := range strings.SplitAfter(text, "\n") {
		body := strings.TrimSuffix(line, "\n")
		pos := 0
		for steps := 0; pos <= len(body); steps++ {
			if steps > 10*len(body)+10 {
				t.Fatalf("no progress on line %q", body)
			}
			var rules []*tmRule
			var top *tmRule
			if len(stack) > 0 {
				top = stack[len(stack)-1]
				rules = g.flatten(t, top.Patterns, 0)
			} else {
				rules = g.flatten(t, g.Patterns, 0)
			}
			var best *tmRule
			var bestLoc []int
			isEnd := false
			if top != nil {
				if loc := top.end.FindStringSubmatchIndex(body[pos:]); loc != nil {
					best, bestLoc, isEnd = top, loc, true
				}
			}
			for _, r := range rules {
				re := r.match
				if re == nil {
					re = r.begin
				}
				if loc := re.FindStringSubmatchIndex(body[pos:]); loc != nil && (bestLoc == nil || loc[0] < bestLoc[0]) {
					best, bestLoc, isEnd = r, loc, false
				}
			}
			if best == nil {
				break
			}
			start, end := pos+bestLoc[0], pos+bestLoc[1]
			set(lineStart+pos, lineStart+start, open(true))
			base := lineStart + pos
			switch {
			case isEnd:
				set(lineStart+start, lineStart+end, open(false))
				capture(base, bestLoc, best.EndCaptures)
				stack = stack[:len(stack)-1]
			case best.match != nil:
				set(lineStart+start, lineStart+end, append(open(true), best.Name))
				capture(base, bestLoc, best.Captures)
				if end == start {
					end++ // an empty match moves on
				}
			default:
				stack = append(stack, best)
				set(lineStart+start, lineStart+end, open(false))
				capture(base, bestLoc, best.BeginCaptures)
			}
			pos = end
		}
		if pos < len(body) {
			set(lineStart+pos, lineStart+len(body), open(true))
		}
		lineStart += len(line)
	}
	return out
}

func fmtSscan(s string, n *int) (int, error) {
	v := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, os.ErrInvalid
		}
		v = v*10 + int(c-'0')
	}
	*n = v
	return 1, nil
}

// keywordScope reports whether a scope is a keyword's: keyword.*,
// storage.type.* (declaration keywords) or constant.language.* (true,
// false).
func keywordScope(scopes []string) bool {
	for _, s := range scopes {
		if strings.HasPrefix(s, "keyword.") || strings.HasPrefix(s, "storage.type.") || strings.HasPrefix(s, "constant.language.") {
			return true
		}
	}
	return false
}

func hasScope(scopes []string, prefixes ...string) bool {
	for _, s := range scopes {
		for _, p := range prefixes {
			if strings.HasPrefix(s, p) {
				return true
			}
		}
	}
	return false
}

// checkTokens checks every token of text against the grammar's scopes:
// each byte scoped, and each token as its kind: comments as comments,
// strings as strings, numbers as numbers (or a label: 0:), keywords as
// keywords and nothing else as a keyword.
func checkTokens(t *testing.T, g *tmGrammar, name, text string) {
	toks, ok := lang.Tokens(text)
	if !ok {
		t.Fatalf("%s does not lex", name)
	}
	sc := g.scopes(t, text)
	for _, tk := range toks {
		at := func() string {
			line := strings.Count(text[:tk.Offset], "\n") + 1
			return name + ":" + itoa(line) + ": " + tk.Kind.String() + " " + tk.Text
		}
		for i := tk.Offset; i < tk.Offset+len(tk.Text); i++ {
			if len(sc[i]) == 0 {
				t.Errorf("%s: byte %d is not scoped", at(), i-tk.Offset)
				break
			}
		}
		s := sc[tk.Offset]
		var ok bool
		switch tk.Kind {
		case lang.TokenComment:
			ok = hasScope(s, "comment.")
		case lang.TokenString:
			ok = hasScope(s, "string.")
		case lang.TokenInt, lang.TokenFloat:
			ok = hasScope(s, "constant.numeric.", "entity.name.label.")
		case lang.TokenIdent:
			// A keyword may name a parameter (keras_resnet's preact:
			// bool): in parentheses before a colon it is one.
			ok = keywordScope(s) == lang.Keywords[tk.Text] || lang.Keywords[tk.Text] && hasScope(s, "variable.parameter.")
		default:
			ok = true
		}
		if !ok {
			t.Errorf("%s: scoped %v", at(), s)
		}
	}
}

func TestGrammarStdlib(t *testing.T) {
	g := loadGrammar(t)
	if g.ScopeName != "source.res" || len(g.FileTypes) != 1 || g.FileTypes[0] != "res" {
		t.Errorf("scope %q, file types %v", g.ScopeName, g.FileTypes)
	}
	for _, m := range stdlib.Modules() {
		text, _ := stdlib.Source(m)
		checkTokens(t, g, m+".res", text)
	}
}

// keywordsAndComing are the language's keywords, sorted, with as and
// output, which are being added to the language (issue 10) and which the
// grammar knows already.
func keywordsAndComing() []string {
	kws := []string{"as", "output"}
	for k := range lang.Keywords {
		if k != "as" && k != "output" {
			kws = append(kws, k)
		}
	}
	sort.Strings(kws)
	return kws
}

// TestGrammarKeywords: every keyword of the language is scoped as one,
// alone and inside an expression, and words that only contain one are
// not: a keyword added to lang.Keywords fails here until the grammar
// learns it.
func TestGrammarKeywords(t *testing.T) {
	g := loadGrammar(t)
	for _, k := range keywordsAndComing() {
		for _, text := range []string{k + "\n", "f(" + k + ")\n", "\"{" + k + "}\"\n", "x_" + k + " " + k + "_x " + k + "2\n"} {
			sc := g.scopes(t, text)
			i := strings.Index(text, k)
			if want := !strings.Contains(text, "_"); keywordScope(sc[i]) != want {
				t.Errorf("%q in %q: scopes %v", k, text, sc[i])
			}
		}
	}
}

// grammarSample has one of each construct.
const grammarSample = "block b(x: int = 1) {  # note\n" +
	"  conv1: conv(x, 3, stride: 2, eps: 2.5e-3)\n" +
	"  \"s{x}_{{y}}\": relu\n" +
	"  0: bn(eps: x > 1 ? 1e-5 : 0.001)\n" +
	"} shortcut sc: projection()\n"

// TestGrammarScopes checks what each construct is scoped as.
func TestGrammarScopes(t *testing.T) {
	g := loadGrammar(t)
	text := grammarSample
	sc := g.scopes(t, text)
	for _, tc := range []struct {
		needle string
		k      int
		scope  string
	}{
		{"b(x", 0, "entity.name.type.res"},
		{"x: int", 0, "variable.parameter.res"},
		{"int", 0, "support.type.res"},
		{"# note", 2, "comment.line.number-sign.res"},
		{"conv1:", 0, "entity.name.label.res"},
		{"conv1:", 5, "punctuation.separator.label.res"},
		{"conv(", 0, "entity.name.function.call.res"},
		{"stride:", 0, "variable.parameter.res"},
		{"2.5e-3", 4, "constant.numeric.float.res"},
		{"s{x}", 2, "meta.interpolation.res"},
		{"s{x}", 2, "variable.other.res"},
		{"{{y}}", 0, "constant.character.escape.brace.res"},
		{"{{y}}", 2, "string.quoted.double.res"},
		{"0: bn", 0, "entity.name.label.res"},
		{"? 1e-5", 0, "keyword.operator.ternary.res"},
		{"1e-5", 0, "constant.numeric.float.res"},
		{": 0.001", 0, "keyword.operator.ternary.res"},
		{"0.001", 0, "constant.numeric.float.res"},
		{"sc:", 0, "entity.name.label.res"},
	} {
		i := strings.Index(text, tc.needle) + tc.k
		if !hasScope(sc[i], tc.scope) {
			t.Errorf("%q+%d: scopes %v, want %s", tc.needle, tc.k, sc[i], tc.scope)
		}
	}
}
