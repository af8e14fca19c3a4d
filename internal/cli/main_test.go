package cli

import (
	"os"
	"testing"
)

// TestMain verifies the graph after every IR pass in every command the
// tests run, as --verify-each does.
func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) != "" {
		// A child of bench --memory: the test binary is resc.
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	VerifyEachPass = true
	os.Exit(m.Run())
}
