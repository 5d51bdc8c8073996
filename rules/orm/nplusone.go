package orm

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/effects"
)

//go:embed nplusone.md
var nplusoneDoc string

// NPlusOne reports forward relations read per row of a queryset loop
// without select_related.
var NPlusOne = &analyzer.Rule{
	Code:              "ORM001",
	Name:              "n-plus-one-query",
	Doc:               nplusoneDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.1.0",
	SkipOnSyntaxError: true, // fixes need a sound tree
	Run:               runNPlusOne,
}

// runNPlusOne matches loops (for statements and comprehensions) over a
// queryset of a model the graph knows, and attribute chains from the row
// variable (or names bound to its related objects) that cross forward
// foreign keys, one-to-one fields or reverse one-to-ones not covered by the
// queryset's select_related/prefetch_related. One finding per loop and
// maximal path; generic foreign keys get a prefetch_related finding. It
// skips `<fk>_id` columns, assignments to the relation, rows of
// values()/values_list(), loops over the related manager of another loop's
// row (their fix is a nested Prefetch), tests and migrations.
func runNPlusOne(p *analyzer.Pass) error {
	if skipFile(p) || effects.IsDevData(p.File.Rel) {
		return nil
	}
	t := NewTracker(p)
	// A queryset iterated twice is loaded once and its rows keep the
	// related objects they loaded: report a path once per queryset.
	done := map[string]bool{}
	for _, l := range t.Loops() {
		if l.QS == nil || l.QS.OwnerInLoop {
			continue // rows of a related manager per outer row: a nested Prefetch
		}
		lf := t.analyzeLoop(l)
		if lf == nil {
			continue
		}
		reportGeneric(p, l, lf, done)
		if len(lf.Needed) == 0 {
			continue
		}
		call, edits := selectFix(l.QS, "select_related", lf.Needed)
		// One finding per maximal path, at its full-length access when
		// there is one, else at the first access on its way.
		at := map[string]*access{}
		var order []string
		for _, a := range lf.Accesses {
			fam := family(lf.Needed, a.Path)
			if fam == "" {
				continue
			}
			if prev, ok := at[fam]; !ok {
				at[fam] = a
				order = append(order, fam)
			} else if prev.Path != fam && a.Path == fam {
				at[fam] = a
			}
		}
		first := true
		for _, fam := range order {
			a := at[fam]
			if seenBefore(l, fam, done) {
				continue
			}
			expr := chainExpr(a.Expr)
			d := analyzer.Diagnostic{
				Range:   analyzer.RangeOf(a.Expr),
				Message: fmt.Sprintf("`%s` runs a query per row of %s", expr, loopName(l)),
				Help:    fmt.Sprintf("load it with the rows: `%s`", call),
				Related: fieldRelated(a.Field),
			}
			if fam != a.Path {
				d.Message += fmt.Sprintf(" (and `%s` further on)", strings.ReplaceAll(fam, "__", "."))
			}
			if l.QS.Opaque || !l.QS.Model.Complete {
				d.Confidence = analyzer.Medium
			}
			if first && len(lf.RelGets) == 0 && len(edits) > 0 {
				d.Fixes = []analyzer.Fix{{Message: "add " + strings.TrimPrefix(call[strings.LastIndex(call, ".select_related("):], "."), Edits: edits, Applicability: analyzer.Safe}}
			}
			first = false
			p.Report(d)
		}
	}
	return nil
}

// chainExpr renders an attribute chain compactly (no call arguments).
func chainExpr(n pyast.Node) string {
	s := n.Text()
	if strings.ContainsAny(s, "\n(") {
		if d := pyast.Dotted(n); d != "" {
			return d
		}
	}
	return s
}

// reportGeneric reports generic foreign keys read per row: one query per
// row (per content type with prefetch_related).
func reportGeneric(p *analyzer.Pass, l *Loop, lf *loopFacts, done map[string]bool) {
	var paths []string
	first := map[string]*access{}
	for _, a := range lf.Generic {
		if l.QS.Prefetches(a.Path) || first[a.Path] != nil || seenBefore(l, a.Path, done) {
			continue
		}
		first[a.Path] = a
		paths = append(paths, a.Path)
	}
	if len(paths) == 0 {
		return
	}
	call, edits := selectFix(l.QS, "prefetch_related", paths)
	for i, path := range paths {
		a := first[path]
		d := analyzer.Diagnostic{
			Range:      analyzer.RangeOf(a.Expr),
			Message:    fmt.Sprintf("`%s` (a generic foreign key) runs a query per row of %s", chainExpr(a.Expr), loopName(l)),
			Help:       fmt.Sprintf("prefetch it: `%s` (one query per content type)", call),
			Related:    fieldRelated(a.Field),
			Confidence: analyzer.Medium,
		}
		if i == 0 && len(lf.Needed) == 0 && len(lf.RelGets) == 0 && len(edits) > 0 {
			d.Fixes = []analyzer.Fix{{Message: "add " + strings.TrimPrefix(call[strings.LastIndex(call, ".prefetch_related("):], "."), Edits: edits, Applicability: analyzer.Safe}}
		}
		p.Report(d)
	}
}

// seenBefore reports whether an earlier loop of the same function over the
// same queryset variable already loaded path: the queryset caches its rows
// and the rows their related objects.
func seenBefore(l *Loop, path string, done map[string]bool) bool {
	it := pyast.Unparen(l.Iter)
	if it.Type() != "identifier" || l.QS.Origin.IsNil() {
		return false
	}
	key := fmt.Sprint(it.Text(), l.QS.Origin.ID(), scope(l.Node).ID(), path)
	if done[key] {
		return true
	}
	done[key] = true
	return false
}
