package compiler

import (
	"fmt"
	"os"
	"path/filepath"
)

// An Overlay holds the text of files as an editor has them, unsaved, by
// path: a language server loads a document with the other open documents
// it imports as they are on screen, not as they are on disk.
type Overlay map[string]string

// LoadSourceOverlay is LoadSource with the file imports that overlay
// holds read from it instead of from disk.
func LoadSourceOverlay(name, text string, overlay Overlay) (*Program, error) {
	return load(source{name: name, text: text}, overlay)
}

// read reads an imported file: its overlay text when it has one, else
// the file on disk. An overlaid file keeps the disk file's identity, when
// there is one, so that it is one import under any spelling.
func (o Overlay) read(path string) (source, error) {
	text, ok := o[filepath.Clean(path)]
	if !ok {
		return readSource(path)
	}
	if len(text) > MaxSourceBytes {
		return source{}, fmt.Errorf("source of %d bytes is larger than the limit of %d", len(text), MaxSourceBytes)
	}
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		info = nil
	}
	return source{name: path, text: text, info: info}, nil
}
