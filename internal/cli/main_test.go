package cli

import (
	"os"
	"testing"
)

// TestMain verifies the graph after every IR pass in every command the
// tests run, as --verify-each does.
func TestMain(m *testing.M) {
	VerifyEachPass = true
	os.Exit(m.Run())
}
