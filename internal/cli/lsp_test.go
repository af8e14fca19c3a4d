package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func frame(s string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(s), s) }

// TestLSP runs a short session through the command line: the server
// answers, the stdlib copies land in the cache folder, and the exit
// status follows the protocol.
func TestLSP(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	session := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`) +
		frame(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:a","version":1,"text":"network n() {\n  input(3, 8, 8)\n  conv(4, 3, strid: 2)\n}\n"}}}`)
	code, out, errs := runIn(t, session+frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`)+frame(`{"jsonrpc":"2.0","method":"exit"}`), "lsp", "--stdio")
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{`"id":1,"result":{"capabilities"`, `"method":"textDocument/publishDiagnostics"`, `strid`, `"id":2,"result":null`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "resc", "stdlib-*", "resnet.res")); len(m) != 1 {
		t.Errorf("stdlib copies in the cache: %v", m)
	} else if info, err := os.Stat(m[0]); err != nil || info.Mode().Perm()&0o222 != 0 {
		t.Errorf("%s is writable: %v", m[0], info.Mode())
	}
	// Without shutdown: exit 1, said on standard error.
	if code, _, errs := runIn(t, session, "lsp"); code != exitUser || !strings.Contains(errs, "without a shutdown") {
		t.Errorf("no shutdown: exit %d, %q", code, errs)
	}
	// Broken framing: exit 1.
	if code, _, errs := runIn(t, "Content-Length: x\r\n\r\n", "lsp"); code != exitUser || !strings.Contains(errs, "bad Content-Length") {
		t.Errorf("bad framing: exit %d, %q", code, errs)
	}
	if code, _, _ := runIn(t, "", "lsp", "extra"); code != exitUsage {
		t.Errorf("an argument: exit %d", code)
	}
}
