package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/resc-dev/resc"
)

func init() {
	register(&command{
		name:  "check",
		args:  "[--json] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "check a model: parse, resolve names, infer every shape",
		long: `Check parses MODEL, resolves every name and elaborates its networks with
their default arguments (or --set values), inferring every shape. It prints
nothing and exits 0 when the model is valid; otherwise it prints every error
it found as file:line:col: message, with the source line and the chain of
block instantiations, and exits 1.

For a .res file every network is checked unless --model picks one. With
MODEL -, the source is read from the standard input (its imports relative
to the current folder).

With --json it prints one object on standard output, valid and
diagnostics: each with file, line, column, message and chain (the
instantiations that led to it, innermost first: what, file, line,
column); the exit status is the same. Errors that are not in the source
(a missing file, a bad flag) are still printed on standard error.`,
		flags: func(fs *flag.FlagSet) any {
			f := &checkFlags{}
			f.register(fs)
			fs.BoolVar(&f.json, "json", false, "print the diagnostics as JSON on standard output")
			return f
		},
		run: runCheck,
	})
}

type checkFlags struct {
	modelFlags
	json bool
}

func runCheck(c *ctx, opts any, args []string) error {
	f := opts.(*checkFlags)
	arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
	if err != nil {
		return err
	}
	err = check(c, arg, &f.modelFlags)
	if !f.json {
		return err
	}
	diags := resc.Diagnostics(err)
	if err != nil && diags == nil {
		return err
	}
	if err := writeCheckJSON(c.stdout, diags); err != nil {
		return err
	}
	if diags != nil {
		return silentError{}
	}
	return nil
}

// check checks MODEL as the flags say.
func check(c *ctx, arg string, m *modelFlags) error {
	if arg == stdoutName {
		text, err := readStdinSource(c)
		if err != nil {
			return err
		}
		if m.model == "" && len(m.set) == 0 {
			warnings, err := resc.VetString(stdinName, text, m.resLimits())
			printWarnings(c, warnings)
			return err
		}
		_, err = loadModelString(text, m)
		return err
	}
	if isFile(arg) && m.model == "" && len(m.set) == 0 {
		warnings, err := resc.VetFile(arg, m.resLimits())
		printWarnings(c, warnings)
		return err
	}
	_, err := loadModel(arg, m)
	return err
}

type jsonPosition struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type jsonFrame struct {
	What string `json:"what"`
	jsonPosition
}

type jsonDiagnostic struct {
	jsonPosition
	Message string      `json:"message"`
	Chain   []jsonFrame `json:"chain"`
}

func writeCheckJSON(w io.Writer, diags []resc.Diagnostic) error {
	out := struct {
		Valid       bool             `json:"valid"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}{Valid: len(diags) == 0, Diagnostics: []jsonDiagnostic{}}
	pos := func(p resc.Position) jsonPosition { return jsonPosition{p.File, p.Line, p.Column} }
	for _, d := range diags {
		jd := jsonDiagnostic{jsonPosition: pos(d.Position), Message: d.Message, Chain: []jsonFrame{}}
		for _, f := range d.Chain {
			jd.Chain = append(jd.Chain, jsonFrame{f.What, pos(f.Position)})
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	return writeJSON(w, out)
}

// printWarnings writes warnings as errors are written, to the standard
// error; they do not change the exit status.
func printWarnings(c *ctx, ws []resc.Diagnostic) {
	for _, w := range ws {
		fmt.Fprintln(c.stderr, w.String())
	}
}
