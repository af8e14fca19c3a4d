package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
)

// modelFlags are the flags of every command that takes a MODEL.
type modelFlags struct {
	model string
	set   setFlag
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.model, "model", "", "the network to use when the file defines several")
	fs.Var(&m.set, "set", "set a network parameter, NAME=VALUE (repeatable), e.g. --set include_top=false")
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

// loadModel loads the program a MODEL argument names and picks the network.
func loadModel(arg string, m *modelFlags) (*compiler.Program, string, error) {
	if !isFile(arg) {
		if m.model != "" && m.model != arg {
			return nil, "", usagef("--model applies to .res files; %s is a stdlib model", arg)
		}
		p, err := compiler.LoadStdModel(arg)
		return p, arg, err
	}
	p, err := compiler.LoadFile(arg)
	if err != nil {
		return nil, "", err
	}
	if m.model != "" {
		if _, err := p.Network(m.model); err != nil {
			return nil, "", usagef("--model: %v", err)
		}
		return p, m.model, nil
	}
	nets := p.Networks()
	switch len(nets) {
	case 0:
		return nil, "", fmt.Errorf("%s defines no network (a network is `network NAME(...) { ... }` or `network NAME = block(...)`)", arg)
	case 1:
		return p, nets[0].Name, nil
	}
	var names []string
	for _, n := range nets {
		names = append(names, n.Name)
	}
	sort.Strings(names)
	return nil, "", usagef("%s defines several networks (%s); pick one with --model NAME", arg, strings.Join(names, ", "))
}

// buildModel loads and elaborates the network a MODEL argument names.
func buildModel(arg string, m *modelFlags) (*ir.Graph, *compiler.Program, string, error) {
	p, name, err := loadModel(arg, m)
	if err != nil {
		return nil, nil, "", err
	}
	// Resolve the whole file too, so that errors outside the chosen
	// network are reported with those inside it.
	var errs diag.List
	if isFile(arg) {
		if err := p.CheckNames(); err != nil {
			errs = append(errs, err.(diag.List)...)
		}
	}
	g, err := p.Build(name, m.set)
	var argErr *compiler.ArgError
	if errors.As(err, &argErr) {
		return nil, nil, "", usagef("%v", err)
	}
	if l, ok := err.(diag.List); ok {
		errs = append(errs, l...)
	} else if err != nil {
		return nil, nil, "", err
	}
	if len(errs) > 0 {
		return nil, nil, "", errs
	}
	return g, p, name, nil
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
