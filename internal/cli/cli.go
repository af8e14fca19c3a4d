// Package cli implements the resc command line. Main is what cmd/resc runs
// and what the script tests call in-process.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/internal/version"
)

// Exit codes.
const (
	exitOK    = 0
	exitUser  = 1 // the input is wrong: a compile error, a missing file
	exitUsage = 2 // the command line is wrong
)

// A command is one subcommand of resc.
type command struct {
	name  string
	args  string // synopsis of the arguments
	short string // one line for the command list
	long  string // the help text after the synopsis
	flags func(fs *flag.FlagSet) any
	run   func(c *ctx, opts any, args []string) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

// ctx carries the streams of one invocation.
type ctx struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// progress is whether to show progress on stderr: only when it is a
	// terminal, never into a pipe or a log.
	progress bool
	// args are the command's arguments as given, for a command that runs
	// itself again in a child process (bench --memory).
	args []string
}

// isTerminal reports whether w is a terminal (a character device: a
// terminal, or /dev/null, where progress does no harm).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// usageError is a mistake in the command line: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// Main runs resc with args (without the program name) and returns the exit
// code. It never lets a panic escape as a stack trace.
func Main(args []string, stdout, stderr io.Writer) (code int) {
	return mainCtx(&ctx{stdin: os.Stdin, stdout: stdout, stderr: stderr, progress: isTerminal(stderr)}, args)
}

// mainCtx is Main with the streams given; tests set progress with it.
func mainCtx(c *ctx, args []string) (code int) {
	stdout, stderr := c.stdout, c.stderr
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "resc: internal error: %v\nThis is a bug in resc; please report it with the input that caused it.\n", r)
			if os.Getenv("RESC_DEBUG") != "" {
				stderr.Write(debug.Stack())
			}
			code = exitUser
		}
	}()
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			cmd := find(args[1])
			if cmd == nil {
				fmt.Fprintf(stderr, "resc help: unknown command %q\n", args[1])
				return exitUsage
			}
			cmdUsage(stdout, cmd)
			return exitOK
		}
		topUsage(stdout)
		return exitOK
	case "-version", "--version":
		writeVersion(stdout)
		return exitOK
	}
	cmd := find(args[0])
	if cmd == nil {
		msg := fmt.Sprintf("resc: unknown command %q", args[0])
		var names []string
		for _, c := range commands {
			names = append(names, c.name)
		}
		if s := diag.Suggest(args[0], names); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		fmt.Fprintf(stderr, "%s\nRun 'resc --help' for the commands.\n", msg)
		return exitUsage
	}
	return runCommand(c, cmd, args[1:])
}

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func runCommand(c *ctx, cmd *command, args []string) int {
	c.args = args
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts any
	if cmd.flags != nil {
		opts = cmd.flags(fs)
	}
	refuseRepeats(fs)
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		cmdUsage(c.stdout, cmd)
		return exitOK
	}
	if err == nil {
		err = cmd.run(c, opts, positional)
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, new(silentError)):
		return exitUser
	case errors.As(err, &ue) || isFlagError(err):
		fmt.Fprintf(c.stderr, "resc %s: %v\n", cmd.name, err)
		fmt.Fprintf(c.stderr, "usage: resc %s %s\nRun 'resc help %s' for details.\n", cmd.name, cmd.args, cmd.name)
		return exitUsage
	default:
		diag.Render(c.stderr, err)
		return exitUser
	}
}

// flagError marks errors from the flag package, which are usage errors.
type flagError struct{ error }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}

// parseInterspersed lets flags come before or after the positional
// arguments ("resc summary resnet50 --json"); "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// Version is resc's version.
const Version = version.Version

func topUsage(w io.Writer) {
	fmt.Fprint(w, `resc compiles residual networks written in the .res language.

usage: resc <command> [arguments]

Commands:
`)
	sorted := append([]*command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.short)
	}
	fmt.Fprint(w, `
A MODEL is a stdlib model name (resnet50; see 'resc list') or a path to a
.res file; --model NAME picks a network when a file defines several.
A model that would need more than the resource limits is an error before
anything runs: at most 2^30 elements per tensor and 2^30 parameters, and
16GiB of activations for the batch; --limits elements=N,params=N,memory=SIZE
raises them (docs/language.md, "Resource limits").

Exit status, for every command: 0 success; 1 an error in the input or a
resource failure; 2 a usage error, including any bad flag value; 130 or
143 when interrupted by SIGINT or SIGTERM (partial outputs are removed).
Run 'resc help <command>' for a command's flags. The language is described
in docs/language.md.
`)
}

func cmdUsage(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "usage: resc %s %s\n\n%s\n", cmd.name, cmd.args, strings.TrimSpace(cmd.long))
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, fs)
	}
}

// printFlags is flag.PrintDefaults with each flag spelled as the help texts
// spell it (flagSpelling): --name, or -o and -O2.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := "  " + flagSpelling(f.Name)
		if arg != "" {
			line += " " + arg
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			if arg == "string" {
				line += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				line += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		fmt.Fprintln(w, line)
	})
}
