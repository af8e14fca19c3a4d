package cli

import (
	"bytes"
	"flag"
	"fmt"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/internal/userfile"
	"github.com/resc-dev/resc/lang"
)

type fmtFlags struct {
	write bool
	list  bool
}

func init() {
	register(&command{
		name:  "fmt",
		args:  "[-w | -l] FILE...",
		short: "format .res files canonically",
		long: `Fmt prints each FILE in canonical form: two-space indentation, one statement
per line, minimal parentheses, comments kept. Formatting is idempotent.

With -w it rewrites the files that change (atomically: a file is replaced
whole or not at all; a symbolic link is followed and keeps its target).
With -l it lists the files whose formatting differs and exits 1 if there
are any, for use in CI. A file with a syntax error is reported and left
untouched. A FILE of - is the standard input (not with -w).`,
		flags: func(fs *flag.FlagSet) any {
			f := &fmtFlags{}
			fs.BoolVar(&f.write, "w", false, "write the result back to the file")
			fs.BoolVar(&f.list, "l", false, "list files whose formatting differs")
			return f
		},
		run: runFmt,
	})
}

func runFmt(c *ctx, opts any, args []string) error {
	f := opts.(*fmtFlags)
	if len(args) == 0 {
		return usagef("missing FILE")
	}
	if f.write && f.list {
		return usagef("-w and -l exclude each other")
	}
	if len(args) > 1 && !f.write && !f.list {
		return usagef("formatting several files to standard output; use -w or -l")
	}
	var unformatted []string
	for _, path := range args {
		var src []byte
		var err error
		if path == stdoutName {
			if f.write {
				return usagef("-w rewrites files; the standard input (-) has none")
			}
			text, err := readStdinSource(c)
			if err != nil {
				return err
			}
			src, path = []byte(text), stdinName
		} else if src, err = userfile.Read(path, compiler.MaxSourceBytes, "source files"); err != nil {
			return fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
		}
		file, err := lang.Parse(path, string(src))
		if err != nil {
			return err
		}
		out := lang.Format(file)
		switch {
		case f.list:
			if !bytes.Equal(out, src) {
				fmt.Fprintln(c.stdout, path)
				unformatted = append(unformatted, path)
			}
		case f.write:
			if bytes.Equal(out, src) {
				continue
			}
			// A symbolic link is followed and keeps pointing at the file.
			if err := atomicfile.Write(path, out, 0o644); err != nil {
				return fmt.Errorf("cannot write %s: %v", path, err)
			}
		default:
			c.stdout.Write(out)
		}
	}
	if len(unformatted) > 0 {
		return silentError{}
	}
	return nil
}

// silentError makes the command exit 1 after it has said what it had to.
type silentError struct{}

func (silentError) Error() string { return "" }
