// Command resc compiles residual networks written in the .res language.
// Run `resc --help` for the commands.
package main

import (
	"os"

	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/internal/cli"
)

func main() {
	atomicfile.CleanUpOnSignal()
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
