// Package version holds resc's version, shared by the CLI and the files it
// writes.
package version

// Version is resc's release version.
const Version = "0.1.0"
