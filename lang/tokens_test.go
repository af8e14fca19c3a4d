package lang

import (
	"reflect"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	src := "block b(x: int = 1) {  # hi\n  \"s{x}\": conv(2.5e-3, -1)\n}"
	toks, ok := Tokens(src)
	if !ok {
		t.Fatal("not ok")
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.Kind.String()+":"+tk.Text)
	}
	want := []string{"ident:block", "ident:b", "punct:(", "ident:x", "punct::", "ident:int", "punct:=", "int:1", "punct:)", "punct:{",
		"comment:# hi", `string:"s{x}"`, "punct::", "ident:conv", "punct:(", "float:2.5e-3", "punct:,", "punct:-", "int:1", "punct:)", "punct:}"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if want := strings.Index(src, "#"); toks[10].Offset != want {
		t.Errorf("comment at %d, want %d", toks[10].Offset, want)
	}
	if toks, ok := Tokens("a \"unterminated"); ok || len(toks) != 1 {
		t.Errorf("unterminated string: ok=%v, %d tokens", ok, len(toks))
	}
}
