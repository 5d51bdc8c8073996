package orm

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed relatedmanager.md
var relatedManagerDoc string

// RelatedManagerPerRow reports reverse foreign key and many-to-many
// managers queried once per row of a queryset loop.
var RelatedManagerPerRow = &analyzer.Rule{
	Code:              "ORM002",
	Name:              "related-manager-per-row",
	Doc:               relatedManagerDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.1.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.ProductCode,
	Distinct:          true,
	Requires:          requires,
	Run:               runRelatedManager,
}

// runRelatedManager matches, in loops over a queryset of a known model,
// `row.<manager>.<method>(...)` where the graph says the attribute is a
// reverse foreign key or a many-to-many (also after forward hops:
// `row.customer.orders.all()`). all()/iteration, count() and exists() are
// reported unless prefetch_related covers the path; filter(), order_by(),
// first(), get()... are reported even then, since they query anyway.
// Writes through the manager (add, create, clear...) are left to other
// rules; loops over the related manager of another loop's row, tests and
// migrations are skipped.
func runRelatedManager(p *analyzer.Pass) error {
	t := NewTracker(p)
	for _, l := range t.Loops() {
		if l.QS == nil || l.QS.OwnerInLoop {
			continue
		}
		lf := t.analyzeLoop(l)
		if lf == nil || len(lf.Managers) == 0 {
			continue
		}
		var prefetch []string
		for _, m := range lf.Managers {
			if kindOf(m.Method) == "all" && !l.QS.Prefetches(m.Path) && !l.QS.BranchLoads(m.Path) {
				prefetch = append(prefetch, m.Path)
			}
		}
		prefetch = maximal(prefetch)
		call, edits := selectFix(l.QS, "prefetch_related", prefetch)
		fixed := false
		seen := map[string]bool{}
		// One finding per call of the body for what it queries deeper.
		deepSeen := map[int32]bool{}
		for _, m := range lf.Managers {
			kind := kindOf(m.Method)
			// A prefetch some branch of the queryset's making adds (`if
			// teams: qs = qs.prefetch_related(...)`) is the condition's to
			// decide, as for ORM001.
			prefetched := l.QS.Prefetches(m.Path) || l.QS.BranchLoads(m.Path)
			if prefetched && kind != "query" || m.Method == "first" && l.QS.ServesFirst(m.Path, m.Target) {
				continue
			}
			if m.Deep != nil {
				if deepSeen[m.Call.ID()] {
					continue
				}
				deepSeen[m.Call.ID()] = true
			}
			key := m.Path + "/" + kind
			if kind == "query" {
				key += "/" + m.Method
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			expr := chainExpr(m.Expr) + "." + m.Method + "()"
			d := analyzer.Diagnostic{
				Range:   analyzer.RangeOf(m.Call),
				Message: fmt.Sprintf("`%s` runs a query per row of %s", expr, loopName(l)),
				Related: managerRelated(m.Attr),
			}
			if m.Deep != nil {
				var shown []string
				for _, o := range lf.Managers {
					if o.Deep != nil && o.Call.Equal(m.Call) && !contains(shown, "`"+rowPath(l, o.Path)+"`") && !(l.QS.Prefetches(o.Path) && kindOf(o.Method) != "query") {
						shown = append(shown, "`"+rowPath(l, o.Path)+"`")
					}
				}
				where, rel := deepRelated(m.Deep)
				d.Message = fmt.Sprintf("`%s` queries %s per row of %s, %s", compact(m.Call), listShort(shown, 4), loopName(l), where)
				d.Related = append(rel, d.Related...)
			}
			d.Confidence = loopConfidence(l, m.Deep)
			base := chainText(insertionPoint(l.QS.Origin))
			if base == "" {
				base = "the queryset"
			} else {
				base = "`" + base + "`"
			}
			switch kind {
			case "all":
				d.Help = fmt.Sprintf("prefetch them with the rows: `%s`", call)
				if !fixed && len(edits) > 0 {
					d.Fixes = []analyzer.Fix{{Message: "add " + strings.TrimPrefix(call[strings.LastIndex(call, ".prefetch_related("):], "."), Edits: edits, Applicability: analyzer.Safe}}
					fixed = true
				}
			case "count":
				name := strings.TrimSuffix(strings.ReplaceAll(m.Path, "__", "_"), "_set") + "_count"
				d.Help = fmt.Sprintf("count in the same query: add `.annotate(%s=Count(%q))` to %s and read `%s.%s`", name, m.Path, base, l.Var.Text(), name)
			case "exists":
				name := "has_" + strings.TrimSuffix(strings.ReplaceAll(m.Path, "__", "_"), "_set")
				d.Help = fmt.Sprintf("add `.annotate(%s=%s)` to %s and read `%s.%s`", name, existsExpr(m), base, l.Var.Text(), name)
			default:
				switch {
				case prefetched && m.Method == "first":
					d.Message += fmt.Sprintf(" even though `%s` is prefetched: the cached rows are not ordered, so `.first()` orders them by pk in a new query", m.Path)
				case prefetched:
					d.Message += fmt.Sprintf(" even though `%s` is prefetched: `.%s()` on a related manager always queries", m.Path, m.Method)
				}
				target := "Model"
				if m.Target != nil {
					target = m.Target.Name
				}
				hops := strings.Split(m.Path, "__")
				read := strings.Join(append([]string{l.Var.Text()}, hops[:len(hops)-1]...), ".") + "." + m.Rel + "_list"
				d.Help = fmt.Sprintf("prefetch the subset once: `.prefetch_related(Prefetch(%q, queryset=%s.objects.%s(...), to_attr=\"%s_list\"))` on %s, then read `%s`",
					m.Path, target, prefetchMethod(m.Method), m.Rel, base, read)
			}
			p.Report(d)
		}
	}
	return nil
}

// kindOf groups manager methods by the remedy they need.
func kindOf(method string) string {
	switch method {
	case "all", "iterator":
		return "all"
	case "count", "exists":
		return method
	}
	return "query"
}

func prefetchMethod(m string) string {
	switch m {
	case "filter", "exclude", "order_by":
		return m
	}
	return "filter"
}

// existsExpr writes the Exists(...) subquery for a manager use.
func existsExpr(m *managerUse) string {
	target := "Model"
	if m.Target != nil {
		target = m.Target.Name
	}
	lookup := "<field>"
	if strings.Count(m.Path, "__") == 0 {
		switch {
		case m.Attr.Relation != nil:
			lookup = m.Attr.Relation.Field.Name
		case m.Attr.Field != nil:
			f := m.Attr.Field
			lookup = f.RelatedQueryName
			if lookup == "" {
				lookup = f.RelatedName
			}
			if lookup == "" && f.Model != nil {
				lookup = strings.ToLower(f.Model.Name)
			}
		}
	}
	return fmt.Sprintf("Exists(%s.objects.filter(%s=OuterRef(\"pk\")))", target, lookup)
}

func managerRelated(a project.Attr) []analyzer.Related {
	if a.Field != nil {
		return fieldRelated(a.Field)
	}
	if a.Relation != nil {
		return fieldRelated(a.Relation.Field)
	}
	return nil
}
