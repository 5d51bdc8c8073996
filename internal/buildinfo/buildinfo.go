// Package buildinfo holds rubric's version, set at link time with
// -ldflags "-X github.com/rubric-dev/rubric/internal/buildinfo.Version=...".
package buildinfo

// Version of rubric.
var Version = "0.1.0"
