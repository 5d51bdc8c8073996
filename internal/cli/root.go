// Package cli implements rubric's command line. Only this package prints
// to stderr or decides the exit status.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/buildinfo"
)

// Exit statuses.
const (
	ExitClean    = 0 // no findings at or above --fail-on
	ExitFindings = 1 // findings
	ExitError    = 2 // usage or fatal error
	// ExitInterrupted: SIGINT or SIGTERM stopped the command (after it
	// removed its temporary folders), 128 + SIGINT as shells report it.
	ExitInterrupted = 130
)

// exitError carries an exit status through cobra.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// gcPercent is the garbage collector's target while a command runs,
// unless GOGC says otherwise: a run's heap is mostly syntax trees and
// source bytes, which hold no pointers and cost a collection next to
// nothing to mark, so collecting at half the Go default's growth keeps
// the peak about a fifth lower (the page faults saved pay for the extra
// collections; see README.md, Performance). An analysis sets its own
// target per phase on top (gcPhases, analyzer.GCPhases).
const gcPercent = 50

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	mainStart = analyzer.TraceStart()
	defer analyzer.Trace("command, in all (from main)", mainStart)
	// RUBRIC_CPUPROFILE=FILE writes a CPU profile of the command (for
	// `go tool pprof`): a profiling aid, like RUBRIC_TRACE.
	if path := os.Getenv("RUBRIC_CPUPROFILE"); path != "" {
		if fh, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(fh) == nil {
				defer func() { pprof.StopCPUProfile(); fh.Close() }()
			}
		}
	}
	// RUBRIC_MEMPROFILE=FILE writes a heap profile when the command ends
	// (what is still reachable then: `go tool pprof -sample_index=inuse_space`).
	if path := os.Getenv("RUBRIC_MEMPROFILE"); path != "" {
		defer func() {
			if fh, err := os.Create(path); err == nil {
				_ = pprof.WriteHeapProfile(fh)
				fh.Close()
			}
		}()
	}
	adviseHugeHeap()
	return withGCPercent(func() int { return runMain(args, stdin, stdout, stderr) })
}

// mainStart is when Main began (RUBRIC_TRACE spans).
var mainStart analyzer.TraceMark

// withGCPercent runs f with the collector's target at gcPercent (unless
// GOGC is set) and restores the previous target after.
func withGCPercent(f func() int) int {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	}
	return f()
}

// gcPhases is the collector's target per phase of an analysis
// (analyzer.GCPhases), unless GOGC is set: then GOGC holds throughout.
func gcPhases() *analyzer.GCPhases {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	p := analyzer.DefaultGCPhases
	return &p
}

func runMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitClean
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stderr, "rubric: %v\n", err)
	return ExitError
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	registerReportFormats()
	root := &cobra.Command{
		Use:           "rubric",
		Short:         "Static analysis of Python/Django code for reviewers, candidates and CI",
		Long:          "rubric reads Python/Django code (never running it), flags what an expert reviewer would flag,\nand writes findings or a reviewer checklist.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.Version,
	}
	root.SetVersionTemplate("rubric {{.Version}}\n")
	root.AddCommand(
		newCheckCmd(),
		newRulesCmd(),
		newRuleCmd(),
		newVersionCmd(),
		newBenchCmd(),
		newConfigCmd(),
		newReportCmd(), newGradeCmd(),
		newModelsCmd(),
		newEndpointsCmd(),
		newServerCmd(),
	)
	return root
}
