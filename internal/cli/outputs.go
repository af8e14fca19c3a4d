package cli

import (
	"os"
)

// refuseOverwrite is a usage error when out is the same file (by device
// and inode, whatever the spelling or links) as one of the command's
// inputs: writing it would destroy the input, as `gcc x.c -o x.c` would.
// A target that does not exist yet cannot be an input.
func refuseOverwrite(flag, out string, inputs []string) error {
	oi, err := os.Stat(out)
	if err != nil || !oi.Mode().IsRegular() {
		return nil
	}
	for _, in := range inputs {
		if ii, err := os.Stat(in); err == nil && os.SameFile(oi, ii) {
			return usagef("%s %s: that is the input %s, which writing would destroy", flag, out, in)
		}
	}
	return nil
}
