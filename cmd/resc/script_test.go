package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/internal/cli"
)

// asResc, set in the environment, makes the test binary run as resc
// itself, for tests that need a real process (signals).
const asResc = "RESC_TEST_AS_MAIN"

// TestMain lets the scripts run resc in-process, through cli.Main.
func TestMain(m *testing.M) {
	cli.VerifyEachPass = true
	if os.Getenv(asResc) != "" {
		atomicfile.CleanUpOnSignal()
		os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"resc": func() {
			atomicfile.CleanUpOnSignal()
			os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the CLI scenarios in testdata/script/*.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
