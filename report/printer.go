package report

import (
	"io"
	"path/filepath"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
)

// Printer renders a `rubric check` result as the checklist, so that
// `rubric check --format checklist|html` gives the same page as
// `rubric report`. The submission root is worked out from the run.
type Printer struct {
	HTML      bool
	Version   string
	Checklist *Checklist
}

// Print implements printer.Printer.
func (p *Printer) Print(w io.Writer, res *analyzer.Result) error {
	root, prefix := RootOf(res)
	name := "submission"
	if root != "" {
		if abs, err := filepath.Abs(root); err == nil {
			name = filepath.Base(abs)
		}
	}
	r := Build(res, CollectSignals(root, prefix, res), Options{Name: name, Version: p.Version, Checklist: p.Checklist})
	if p.HTML {
		return WriteHTML(w, r)
	}
	return WriteMarkdown(w, r)
}

// RegisterPrinters adds the `checklist` (Markdown) and `html` formats to
// the printer registry; the command line calls it once at start-up.
func RegisterPrinters() {
	printer.Register("checklist", func(o printer.Options) printer.Printer { return &Printer{Version: o.Version} })
	printer.Register("html", func(o printer.Options) printer.Printer { return &Printer{HTML: true, Version: o.Version} })
}
