// Package stdlib embeds resc's standard library: the .res modules that
// define the ResNet family, one module per architecture, sharing blocks
// through imports.
package stdlib

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

// Version identifies this standard library in exported models' metadata.
const Version = "0.1.0"

//go:embed *.res
var files embed.FS

// Source returns the text of module name ("resnet"), and whether it exists.
func Source(name string) (string, bool) {
	b, err := files.ReadFile(name + ".res")
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Modules lists the module names, sorted.
func Modules() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".res"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
