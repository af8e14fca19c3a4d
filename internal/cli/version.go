package cli

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

func init() {
	register(&command{
		name:  "version",
		args:  "",
		short: "print resc's version, module version and VCS revision",
		long: `Version prints resc's release version, then what the Go toolchain recorded
when it built the binary: the module's version (a tag for 'go install
github.com/resc-dev/resc/cmd/resc@v1.2.3', "(devel)" for a build from a
clone), the VCS revision and whether the tree had uncommitted changes, and
the Go version. 'resc --version' prints the same.`,
		flags: func(fs *flag.FlagSet) any { return nil },
		run: func(c *ctx, _ any, args []string) error {
			if len(args) > 0 {
				return usagef("version takes no arguments")
			}
			writeVersion(c.stdout)
			return nil
		},
	})
}

// writeVersion writes "resc 0.1.0" and, on a second line, the build info
// the binary carries.
func writeVersion(w io.Writer) {
	fmt.Fprintln(w, "resc", Version)
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	fmt.Fprintln(w, buildLine(info))
}

// buildLine describes a build: module path and version, VCS revision and
// the Go version.
func buildLine(info *debug.BuildInfo) string {
	parts := []string{info.Main.Path}
	if v := info.Main.Version; v != "" {
		parts[0] += " " + v
	}
	var rev, modified, when string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			when = s.Value
		}
	}
	if rev != "" {
		r := "revision " + rev
		if when != "" {
			r += " (" + when + ")"
		}
		if modified == "true" {
			r += ", modified"
		}
		parts = append(parts, r)
	} else {
		parts = append(parts, "no VCS revision recorded")
	}
	parts = append(parts, info.GoVersion)
	return strings.Join(parts, ", ")
}
