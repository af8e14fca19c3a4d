package cli

import (
	"flag"
	"fmt"
)

// A repeatable flag collects every value given (--set, --input,
// --disable); any other flag given twice is a usage error, not "the last
// one wins": `-o a.onnx -o b.onnx` or `--seed 1 --seed 2` is a mistake
// whose silent resolution would surprise either way.
type repeatable interface{ repeatable() }

func (*setFlag) repeatable()   {}
func (*listFlag) repeatable()  {}
func (*inputFlag) repeatable() {}

// refuseRepeats wraps every non-repeatable, non-boolean flag of fs so that
// a second value is an error. (A boolean flag given twice means the same.)
func refuseRepeats(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if _, ok := f.Value.(repeatable); ok {
			return
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			return
		}
		f.Value = &onceValue{Value: f.Value}
	})
}

type onceValue struct {
	flag.Value
	set bool
}

func (o *onceValue) String() string {
	if o == nil || o.Value == nil {
		return ""
	}
	return o.Value.String()
}

func (o *onceValue) Set(s string) error {
	if o.set {
		return fmt.Errorf("given twice (%s, then %s)", o.Value.String(), s)
	}
	o.set = true
	return o.Value.Set(s)
}
