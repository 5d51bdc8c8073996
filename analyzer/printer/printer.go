// Package printer renders a run's result. Each format is one Printer; the
// command line picks one by name and may write several formats in one run.
package printer

import (
	"fmt"
	"io"
	"sort"

	"github.com/rubric-dev/rubric/analyzer"
)

// Options apply to every printer.
type Options struct {
	Color   bool   // ANSI colour (text only)
	Quiet   bool   // findings only: no summary lines (text, concise)
	Version string // rubric's version
	// RuleDocURL builds the documentation link of a rule ("" for none).
	RuleDocURL func(code string) string
}

// Printer writes a result in one format.
type Printer interface {
	Print(w io.Writer, r *analyzer.Result) error
}

// Constructor makes a printer.
type Constructor func(Options) Printer

var formats = map[string]Constructor{
	"text":    func(o Options) Printer { return &Text{opts: o} },
	"json":    func(o Options) Printer { return &JSON{opts: o} },
	"sarif":   func(o Options) Printer { return &SARIF{opts: o} },
	"github":  func(o Options) Printer { return &GitHub{opts: o} },
	"gitlab":  func(o Options) Printer { return &GitLab{opts: o} },
	"junit":   func(o Options) Printer { return &JUnit{opts: o} },
	"concise": func(o Options) Printer { return &Concise{opts: o} },
}

// Register adds a format; packages providing more formats call it from
// the command's set-up, never from init.
func Register(name string, c Constructor) { formats[name] = c }

// New returns the printer for a format name.
func New(name string, o Options) (Printer, error) {
	c, ok := formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known: %v)", name, Names())
	}
	return c(o), nil
}

// Names lists the known formats, sorted.
func Names() []string {
	var out []string
	for n := range formats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
