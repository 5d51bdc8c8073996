package orm

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
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
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.ProductCode,
	Distinct:          true,
	Requires:          requires,
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
		// Deep reads made by one call of the body are one finding: the
		// call, and every path it loads.
		deep := map[int32][]string{}
		for _, fam := range order {
			if a := at[fam]; a.Deep != nil && !seenBefore(l, fam, map[string]bool{}) {
				deep[a.Expr.ID()] = append(deep[a.Expr.ID()], fam)
			}
		}
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
			if a.Deep != nil {
				fams := deep[a.Expr.ID()]
				if len(fams) == 0 || fams[0] != fam {
					continue // reported with the first path of its call
				}
				var shown []string
				var wheres []string
				for _, f := range fams {
					shown = append(shown, "`"+rowPath(l, f)+"`")
					if w, _ := deepRelated(at[f].Deep); !contains(wheres, w) {
						wheres = append(wheres, w)
					}
				}
				_, rel := deepRelated(a.Deep)
				d.Message = fmt.Sprintf("`%s` loads %s per row of %s, %s", compact(a.Expr), listShort(shown, 4), loopName(l), strings.Join(wheres, " and "))
				d.Related = append(rel, d.Related...)
				conf := analyzer.High
				for _, f := range fams {
					conf = min(conf, loopConfidence(l, at[f].Deep))
				}
				d.Confidence = conf
			} else {
				if fam != a.Path {
					d.Message += fmt.Sprintf(" (and `%s` further on)", strings.ReplaceAll(fam, "__", "."))
				}
				d.Confidence = loopConfidence(l, nil)
			}
			if first && len(lf.RelGets) == 0 && len(edits) > 0 {
				d.Fixes = []analyzer.Fix{{Message: "add " + strings.TrimPrefix(call[strings.LastIndex(call, ".select_related("):], "."), Edits: edits, Applicability: analyzer.Safe}}
			}
			first = false
			p.Report(d)
		}
	}
	t.feedItems()
	t.sitemapItems()
	return nil
}

// listShort joins items, eliding past max: "`a`, `b` and 3 more".
func listShort(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
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
	key := fmt.Sprintf("%s\x00%d\x00%d\x00%s", it.Text(), l.QS.Origin.ID(), semantic.ScopeOf(l.Node).ID(), path)
	if done[key] {
		return true
	}
	done[key] = true
	return false
}

// rowPath renders a relation path from a loop's row: `o.merchant.category`.
func rowPath(l *Loop, path string) string {
	return l.Var.Text() + "." + strings.ReplaceAll(path, "__", ".")
}

// loopConfidence follows the evidence: high when the loop's model and the
// access are certain; medium when the queryset may load more than it says
// (opaque, a model with unknown bases), when the model was learnt from
// callers, or when a called function reads the relation on one branch
// only; low when only relation names identified the model.
func loopConfidence(l *Loop, deep *semantic.Access) analyzer.Confidence {
	switch {
	case l.QS.Certainty == semantic.FromShape:
		return analyzer.Low
	case l.QS.Opaque || !l.QS.Model.Complete || l.QS.Certainty == semantic.FromCallers:
		return analyzer.Medium
	case deep != nil && deep.Conditional:
		return analyzer.Medium
	}
	return analyzer.High
}
