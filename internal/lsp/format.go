package lsp

import (
	"bytes"

	"github.com/resc-dev/resc/lang"
)

// format formats the document as `resc fmt` does: one edit replacing the
// whole text, none when it is formatted already or does not parse (its
// syntax error is a diagnostic already).
func (s *server) format(d *document) []TextEdit {
	text := d.a.text
	f, err := lang.Parse(d.name, text)
	if err != nil {
		return nil
	}
	out := lang.Format(f)
	if bytes.Equal(out, []byte(text)) {
		return []TextEdit{}
	}
	return []TextEdit{{Range: rangeOf(text, 0, len(text), s.enc), NewText: string(out)}}
}
