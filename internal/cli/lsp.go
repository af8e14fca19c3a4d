package cli

import (
	"flag"

	"github.com/resc-dev/resc/internal/lsp"
)

func init() {
	register(&command{
		name:  "lsp",
		args:  "[--stdio]",
		short: "run the language server for editors (LSP over standard input and output)",
		long: `Lsp runs resc's language server: an editor starts it and speaks the Language
Server Protocol (JSON-RPC 2.0) with it over standard input and output. It
gives, for .res files:

  diagnostics as you type: resc check's errors and warnings, with the
  chain of block instantiations as related information;
  hover: on a label, layer or block call, the output shape, parameter count
  and weight names of each instance in each network; on a name, its
  declaration (a block's, fn's or builtin's signature and the comment
  above it, a parameter's type);
  go to definition: blocks, networks, fns, constants, parameters, lets,
  loop variables and imports, into the standard library too, whose modules
  are written read-only under the user cache folder (resc/stdlib-*);
  formatting, as resc fmt;
  completion: a called block's or layer's parameters after "(", names in
  scope, builtin layers, blocks and keywords.

An import open in the editor is read as it is there, unsaved, and its
edits re-check the documents that import it; other imports are read from
disk. editors/vscode in the repository is a VS Code extension that
starts resc lsp; any LSP client can run it. It exits 0 after the client's
shutdown and exit, 1 when the client exits without shutdown or the
stream breaks.`,
		flags: func(fs *flag.FlagSet) any {
			// vscode-languageclient and others pass --stdio for the
			// transport: standard input and output are the only one.
			fs.Bool("stdio", false, "speak over standard input and output (the default and only transport)")
			return nil
		},
		run: func(c *ctx, _ any, args []string) error {
			if len(args) > 0 {
				return usagef("lsp takes no arguments")
			}
			return lsp.Serve(c.stdin, c.stdout, lsp.Options{Log: c.stderr})
		},
	})
}
