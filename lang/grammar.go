package lang

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The concrete grammar, as participle structs. It is converted into the AST
// (ast.go) right after parsing; nothing outside this package sees it.
// Binary expressions are parsed flat and folded by precedence in convert.go.

var resLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `#[^\n]*`},
	{Name: "String", Pattern: `"(\\.|[^"\\\n])*"`},
	{Name: "Float", Pattern: `\d+\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+`},
	{Name: "Int", Pattern: `\d+`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Punct", Pattern: `//|==|!=|<=|>=|\.\.|[-+*/%<>=!?:;,.()\[\]{}]`},
	{Name: "Whitespace", Pattern: `\s+`},
})

var fileParser = participle.MustBuild[gFile](
	participle.Lexer(resLexer),
	participle.Elide("Whitespace", "Comment"),
	participle.UseLookahead(2),
)

var exprParser = participle.MustBuild[gExpr](
	participle.Lexer(resLexer),
	participle.Elide("Whitespace", "Comment"),
	participle.UseLookahead(2),
)

type gFile struct {
	Imports []*gImport `@@*`
	Decls   []*gDecl   `@@*`
}

type gImport struct {
	Pos  lexer.Position
	Path string `"import" @String`
}

type gDecl struct {
	Pos   lexer.Position
	Const *gConst `  @@`
	Fn    *gFn    `| @@`
	Block *gBlock `| @@`
}

type gConst struct {
	Pos   lexer.Position
	Name  string `"const" @Ident "="`
	Value *gExpr `@@`
}

type gFn struct {
	Pos    lexer.Position
	Name   string    `"fn" @Ident "("`
	Params []*gParam `( @@ ( "," @@ )* ","? )? ")" "="`
	Body   *gExpr    `@@`
}

type gBlock struct {
	Pos    lexer.Position
	Kind   string    `@("block" | "network")`
	Name   string    `@Ident`
	Alias  *gExpr    `( "=" @@`
	Params []*gParam `| "(" ( @@ ( "," @@ )* ","? )? ")"`
	Body   *gBody    `@@ )`
}

type gParam struct {
	Pos     lexer.Position
	Name    string `@Ident ":"`
	Type    *gType `@@`
	Default *gExpr `( "=" @@ )?`
}

type gType struct {
	Pos  lexer.Position
	Name string `@Ident`
	Elem *gType `( "[" @@ "]" )?`
}

type gBody struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Stmts  []*gStmt `"{" ( @@ ";"? )* "}"`
}

type gLabel struct {
	Pos    lexer.Position
	Ident  *string `  @Ident`
	Int    *string `| @Int`
	String *string `| @String`
}

type gStmt struct {
	Pos      lexer.Position
	Label    *gLabel    `( @@ ":" )?`
	Let      *gLet      `( @@`
	Input    *gInput    `| @@`
	Naming   *gNaming   `| @@`
	Assert   *gAssert   `| @@`
	Residual *gResidual `| @@`
	Preact   *gBody     `| "preact" @@`
	Gate     *gBody     `| "gate" @@`
	Paths    *gPaths    `| @@`
	For      *gFor      `| @@`
	If       *gIf       `| @@`
	Apply    *gExpr     `| @@ )`
}

type gLet struct {
	Name  string `"let" @Ident "="`
	Value *gExpr `@@`
}

type gInput struct {
	Args []*gArg `"input" "(" ( @@ ( "," @@ )* ","? )? ")"`
}

type gAssert struct {
	Cond    *gExpr `"assert" @@`
	Message *gExpr `( "," @@ )?`
}

type gNaming struct {
	Style string `"naming" @Ident`
}

type gResidual struct {
	Body     *gBody     `"residual" @@`
	Shortcut *gShortcut `( "shortcut" @@ )?`
}

type gShortcut struct {
	Pos   lexer.Position
	Label *gLabel `( @@ ":" )?`
	Kind  *gExpr  `@@`
}

type gPaths struct {
	Count *gExpr `"paths" @@`
	Body  *gBody `@@`
}

type gFor struct {
	Var  string `"for" @Ident "in"`
	From *gExpr `@@ ".."`
	To   *gExpr `@@`
	Body *gBody `@@`
}

type gIf struct {
	Cond   *gExpr `"if" @@`
	Then   *gBody `@@`
	ElseIf *gIf   `( "else" ( @@`
	Else   *gBody `| @@ ) )?`
}

type gExpr struct {
	Pos  lexer.Position
	Cond *gBinary `@@`
	Then *gExpr   `( "?" @@`
	Else *gExpr   `":" @@ )?`
}

type gBinary struct {
	Pos  lexer.Position
	Left *gUnary    `@@`
	Rest []*gOpRest `@@*`
}

type gOpRest struct {
	Pos   lexer.Position
	Op    string  `@("//" | "==" | "!=" | "<=" | ">=" | "+" | "-" | "*" | "/" | "%" | "<" | ">" | "and" | "or")`
	Right *gUnary `@@`
}

type gUnary struct {
	Pos  lexer.Position
	Op   string    `( @("-" | "not")`
	X    *gUnary   `@@ )`
	Post *gPostfix `| @@`
}

type gPostfix struct {
	Pos    lexer.Position
	Prim   *gPrimary  `@@`
	Suffix []*gSuffix `@@*`
}

type gSuffix struct {
	Pos   lexer.Position
	Call  bool    `(  @"("`
	Args  []*gArg `   ( @@ ( "," @@ )* ","? )? ")"`
	Index *gExpr  `| "[" @@ "]" )`
}

type gArg struct {
	Pos   lexer.Position
	Name  *string `( @Ident ":" )?`
	Value *gExpr  `@@`
}

type gPrimary struct {
	Pos    lexer.Position
	Float  *string `  @Float`
	Int    *string `| @Int`
	String *string `| @String`
	Bool   *string `| @("true" | "false")`
	List   *gList  `| @@`
	Paren  *gExpr  `| "(" @@ ")"`
	Ident  *string `| @Ident`
}

type gList struct {
	Elems []*gExpr `"[" ( @@ ( "," @@ )* ","? )? "]"`
}
