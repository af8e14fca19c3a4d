package lang

import "strings"

// A TokenKind is a lexical class of the .res language, as the parser's
// lexer sees it.
type TokenKind int

const (
	TokenComment TokenKind = iota
	TokenString
	TokenFloat
	TokenInt
	TokenIdent // a name or a keyword (see Keywords)
	TokenPunct
)

var tokenKindNames = [...]string{"comment", "string", "float", "int", "ident", "punct"}

func (k TokenKind) String() string { return tokenKindNames[k] }

// A Token is one lexeme of a source, whitespace left out.
type Token struct {
	Kind   TokenKind
	Offset int // byte offset of its first byte
	Text   string
}

// Tokens splits text into the tokens the parser reads, comments included,
// for tools that look at source text: the language server and the editor
// grammar's test. It stops at the first byte the lexer cannot read (an
// unterminated string) and returns the tokens before it with ok false.
func Tokens(text string) (toks []Token, ok bool) {
	lx, err := resLexer.Lex("", strings.NewReader(text))
	if err != nil {
		return nil, false
	}
	syms := resLexer.Symbols()
	kinds := map[int]TokenKind{
		int(syms["Comment"]): TokenComment, int(syms["String"]): TokenString,
		int(syms["Float"]): TokenFloat, int(syms["Int"]): TokenInt,
		int(syms["Ident"]): TokenIdent, int(syms["Punct"]): TokenPunct,
	}
	for {
		t, err := lx.Next()
		if err != nil {
			return toks, false
		}
		if t.EOF() {
			return toks, true
		}
		if t.Type == syms["Whitespace"] {
			continue
		}
		k, known := kinds[int(t.Type)]
		if !known {
			k = TokenPunct // a lexer rule added since: shown, not dropped
		}
		toks = append(toks, Token{Kind: k, Offset: t.Pos.Offset, Text: t.Value})
	}
}
