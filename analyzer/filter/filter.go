// Package filter is the one pipeline that turns a run's findings into the
// findings a command reports. `rubric check`, `rubric report`, `rubric
// grade` and the editor server all apply it, so a finding silenced for one
// is silenced for all, the same way:
//
//  1. suppression comments (`# noqa`, `# rubric: ignore[...]`): the driver
//     keeps what they silence aside in Result.Suppressed; the pipeline
//     leaves it out (check, editor) or puts it back (the reviewer's report,
//     where a candidate's comments must not hide findings);
//  2. per-file ignores from the configuration;
//  3. a baseline (findings recorded earlier are not new);
//  4. changed lines (`--changed-since`);
//
// and, for display only, Collapse folds repeats of one rule into one
// finding (analyzer.Aggregate) after fixes and every filter.
package filter

import (
	"path/filepath"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/baseline"
	"github.com/rubric-dev/rubric/internal/gitdiff"
)

// Pipeline is what to filter; the zero value filters nothing but keeps
// what suppression comments silenced out of the findings.
type Pipeline struct {
	// RestoreSuppressed puts the findings suppression comments silenced
	// back among the findings (they stay listed in Result.Suppressed).
	RestoreSuppressed bool
	// Ignored reports whether per-file ignores silence a code in a file
	// (display path); nil ignores nothing.
	Ignored func(path, code string) bool
	// Baseline drops findings it recorded; nil keeps all.
	Baseline *baseline.File
	// Changed keeps only findings on changed lines; nil keeps all.
	Changed *gitdiff.Changes
	// WorkDir resolves display paths for Changed.
	WorkDir string
}

// Apply filters res in place, in the pipeline's order.
func (p Pipeline) Apply(res *analyzer.Result) {
	if res == nil {
		return
	}
	if p.RestoreSuppressed && len(res.Suppressed) > 0 {
		all := append([]analyzer.Diagnostic(nil), res.Diagnostics...)
		for _, s := range res.Suppressed {
			all = append(all, s.Diagnostic)
		}
		res.Diagnostics = analyzer.SortDiagnostics(all)
	}
	if p.Ignored != nil {
		kept := res.Diagnostics[:0]
		for _, d := range res.Diagnostics {
			if p.Ignored(d.Path, d.Code) {
				res.Stats.Suppressed++
				continue
			}
			kept = append(kept, d)
		}
		res.Diagnostics = kept
	}
	if p.Baseline != nil {
		p.Baseline.Filter(res, p.WorkDir)
	}
	if p.Changed != nil {
		keepChanged(res, p.Changed, p.WorkDir)
	}
}

// Collapse returns the findings to show: repeats of one rule in one
// function (or file) folded into one, with the others as related
// locations. res is not modified.
func Collapse(res *analyzer.Result) []analyzer.Diagnostic {
	if res == nil {
		return nil
	}
	return analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{Rules: res.Rules, Scopes: res.Scopes})
}

// keepChanged drops findings outside the changed lines. Findings about
// rubric itself (internal errors, unreadable files) stay when their file
// changed at all. A file's current content is the one analysed.
func keepChanged(res *analyzer.Result, ch *gitdiff.Changes, wd string) {
	kept := res.Diagnostics[:0]
	for _, d := range res.Diagnostics {
		abs := d.Path
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, filepath.FromSlash(d.Path))
		}
		var src []byte
		if f := res.Files[d.Path]; f != nil {
			src = f.Src()
		}
		whole := d.Code == analyzer.InternalError.Code || d.Code == analyzer.UnreadableFile.Code
		if (whole && ch.File(abs, src)) || ch.Touches(abs, src, d.Pos.Line, d.EndPos.Line) {
			kept = append(kept, d)
		}
	}
	res.Diagnostics = kept
}
