package lsp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/stdlib"
)

// stdlibDir writes the embedded standard library into a folder under
// root, read-only, so that go to definition can open its files: editors
// open file: URIs without help, and an extension's content provider
// would be one more thing to keep in step. The folder's name holds a hash
// of the modules, so that two resc versions never share one.
func stdlibDir(root string) (string, error) {
	h := sha256.New()
	for _, m := range stdlib.Modules() {
		text, _ := stdlib.Source(m)
		fmt.Fprintf(h, "%s\x00%d\x00%s", m, len(text), text)
	}
	dir := filepath.Join(root, "stdlib-"+stdlib.Version+"-"+hex.EncodeToString(h.Sum(nil))[:12])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, m := range stdlib.Modules() {
		text, _ := stdlib.Source(m)
		path := filepath.Join(dir, m+".res")
		if old, err := os.ReadFile(path); err == nil && string(old) == text {
			continue
		}
		if err := atomicfile.Write(path, []byte(text), 0o444); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// defaultStdlibRoot is where stdlibDir writes unless told otherwise: the
// user's cache folder, else the temporary one.
func defaultStdlibRoot() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "resc")
	}
	return filepath.Join(os.TempDir(), "resc")
}

// sourceName maps a document's path to the name the compiler knows it
// by: a stdlib file written by stdlibDir is the stdlib module itself, so
// that its imports and diagnostics are the stdlib's, as long as its text
// is the module's (the compiler reads a stdlib module from its cache, not
// from the editor).
func (s *server) sourceName(path, text string) string {
	if s.stdlib != "" && filepath.Dir(path) == s.stdlib {
		if mod, ok := strings.CutSuffix(filepath.Base(path), ".res"); ok {
			if src, ok := stdlib.Source(mod); ok && src == text {
				return compiler.StdlibPrefix + mod + ".res"
			}
		}
	}
	return path
}

// uriOf is the URI of a source the compiler names: a stdlib module's
// copy under the stdlib folder, or the file itself.
func (s *server) uriOf(name string) string {
	if rest, ok := strings.CutPrefix(name, compiler.StdlibPrefix); ok {
		if s.stdlib == "" {
			return ""
		}
		return pathToURI(filepath.Join(s.stdlib, rest))
	}
	return pathToURI(name)
}
