package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/compiler"
)

// modelFlags are the flags of every command that takes a MODEL.
type modelFlags struct {
	model  string
	set    setFlag
	limits compiler.Limits
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.model, "model", "", "the network to use when the file defines several")
	fs.Var(&m.set, "set", "set a network parameter, NAME=VALUE (repeatable; a list is comma-separated), e.g. --set include_top=false, --set out_indices=2,3,4")
	fs.Var(&m.limits, "limits", compiler.LimitsHelp)
}

// options are the library's options the flags give.
func (m *modelFlags) options() resc.Options {
	return resc.Options{Network: m.model, Set: m.set, Limits: m.resLimits()}
}

func (m *modelFlags) resLimits() resc.Limits {
	return resc.Limits{Elements: m.limits.Elements, Params: m.limits.Params, Memory: m.limits.Memory}
}

// setFlag collects NAME=VALUE pairs.
type setFlag map[string]string

func (s *setFlag) String() string { return "" }

func (s *setFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", v)
	}
	if *s == nil {
		*s = map[string]string{}
	}
	if prev, ok := (*s)[k]; ok {
		return fmt.Errorf("%s set twice (%s, then %s)", k, prev, val)
	}
	(*s)[k] = val
	return nil
}

// isFile reports whether a MODEL argument names a file rather than a
// stdlib model: it ends in .res, or contains a path separator.
func isFile(arg string) bool {
	return strings.HasSuffix(arg, ".res") || strings.ContainsRune(arg, os.PathSeparator)
}

// loadModel loads and checks the network a MODEL argument names. A
// mistake in the flags (a network the file lacks, a bad --set) is a usage
// error.
func loadModel(arg string, m *modelFlags) (*resc.Model, error) {
	opts := m.options()
	if isFile(arg) {
		model, err := resc.LoadFile(arg, opts)
		return model, flagErrors(arg, err)
	}
	if m.model != "" && m.model != arg {
		return nil, usagef("--model applies to .res files; %s is a stdlib model", arg)
	}
	model, err := resc.LoadStdlib(arg, opts)
	return model, flagErrors(arg, err)
}

// loadModelString is loadModel for source text read from the standard
// input.
func loadModelString(text string, m *modelFlags) (*resc.Model, error) {
	model, err := resc.LoadString(stdinName, text, m.options())
	return model, flagErrors(stdinName, err)
}

// flagErrors turns the library's option errors into usage errors that
// name the flags.
func flagErrors(arg string, err error) error {
	var oe *resc.OptionError
	if errors.As(err, &oe) {
		switch {
		case oe.Networks != nil:
			return usagef("%s defines several networks (%s); pick one with --model NAME", arg, strings.Join(oe.Networks, ", "))
		case oe.Option == "Network":
			return usagef("--model: %v", oe.Err)
		}
		return usagef("%v", oe.Err)
	}
	return err
}

func oneArg(args []string, what string) (string, error) {
	switch len(args) {
	case 0:
		return "", usagef("missing %s", what)
	case 1:
		return args[0], nil
	}
	return "", usagef("too many arguments: %s", strings.Join(args[1:], " "))
}
