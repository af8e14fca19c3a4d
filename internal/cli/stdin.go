package cli

import (
	"fmt"
	"io"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/userfile"
)

// stdinName names the standard input in diagnostics, as gofmt does.
const stdinName = "<standard input>"

// readStdinSource reads a .res source from the standard input, with the
// size limit of a source file.
func readStdinSource(c *ctx) (string, error) {
	data, err := io.ReadAll(io.LimitReader(c.stdin, compiler.MaxSourceBytes+1))
	if err != nil {
		return "", fmt.Errorf("cannot read the standard input: %v", err)
	}
	if len(data) > compiler.MaxSourceBytes {
		return "", fmt.Errorf("cannot read the standard input: it is more than the %s limit for source files", userfile.Bytes(compiler.MaxSourceBytes))
	}
	return string(data), nil
}
