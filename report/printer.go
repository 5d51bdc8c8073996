package report

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

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
	if roots := rootsOf(res); len(roots) > 1 {
		return fmt.Errorf("the checklist describes one submission, and this run analysed %d (%s): run `rubric report` on each, or `rubric grade %s --out DIR`",
			len(roots), strings.Join(roots, ", "), strings.Join(roots, " "))
	}
	root, prefix := RootOf(res)
	name := "submission"
	if root != "" {
		if abs, err := filepath.Abs(root); err == nil {
			name = filepath.Base(abs)
		}
	}
	// check honours suppression comments (it serves CI); the page still
	// lists them and what they hide.
	r := Build(res, CollectSignals(root, prefix, res), Options{Name: name, Version: p.Version, Checklist: p.Checklist, RespectSuppressions: true})
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

// rootsOf lists the distinct roots (the analysed paths) of a run's files,
// as display paths.
func rootsOf(res *analyzer.Result) []string {
	if res == nil || res.Index == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, u := range res.Index.Units {
		if !strings.HasSuffix(u.File.Rel, u.RootRel) {
			continue
		}
		r := strings.TrimSuffix(strings.TrimSuffix(u.File.Rel, u.RootRel), "/")
		if r == "" {
			r = "."
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
