package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/resc-dev/resc/diag"
	"github.com/resc-dev/resc/ir"
)

// optFlags select the IR passes: the commands that lower a model take them.
type optFlags struct {
	o0, o1, o2 bool
	disable    listFlag
	verifyEach bool
}

func (f *optFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.o0, "O0", false, "keep the graph as written (no IR passes)")
	fs.BoolVar(&f.o1, "O1", false, "clean-up passes only: drop identities, fold zero padding")
	fs.BoolVar(&f.o2, "O2", false, "all passes: fold batch norms, fuse residual adds and activations, merge paths (the default)")
	fs.Var(&f.disable, "disable", "skip the IR pass `PASS` (repeatable or comma-separated; see 'resc ir --passes')")
	fs.BoolVar(&f.verifyEach, "verify-each", false, "run the IR verifier after every pass (debugging)")
}

// VerifyEachPass makes every command verify the graph after each IR pass,
// as --verify-each does; the tests of the command line set it.
var VerifyEachPass bool

// level is the chosen -O level, 2 by default.
func (f *optFlags) level() (int, error) {
	n, level := 0, ir.MaxLevel
	for l, set := range []bool{f.o0, f.o1, f.o2} {
		if set {
			n++
			level = l
		}
	}
	if n > 1 {
		return 0, usagef("-O0, -O1 and -O2 exclude each other")
	}
	return level, nil
}

// options checks the flags and returns the pipeline options they make.
func (f *optFlags) options() (ir.Options, error) {
	level, err := f.level()
	if err != nil {
		return ir.Options{}, err
	}
	for _, name := range f.disable {
		if err := checkPassName("--disable", name); err != nil {
			return ir.Options{}, err
		}
		if p, _ := ir.LookupPass(name); p.Required {
			return ir.Options{}, usagef("--disable %s: the pass is required", name)
		}
	}
	return ir.Options{Level: level, Disable: f.disable, VerifyEach: f.verifyEach || VerifyEachPass}, nil
}

// checkPassName reports an unknown pass name as a usage error with a
// suggestion.
func checkPassName(flagName, name string) error {
	if _, ok := ir.LookupPass(name); ok {
		return nil
	}
	hint := ""
	if s := diag.Suggest(name, ir.PassNames()); s != "" {
		hint = fmt.Sprintf("; did you mean %s?", s)
	}
	return usagef("%s %s: no such pass%s (see 'resc ir --passes')", flagName, name, hint)
}

// listFlag collects comma-separated or repeated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
