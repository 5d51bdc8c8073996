package orm

import (
	_ "embed"
	"fmt"
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed wholetable.md
var wholeTableDoc string

// WholeTableIteration reports loops over every row of a table, loaded at
// once, in tasks, management commands and reports.
var WholeTableIteration = &analyzer.Rule{
	Code:              "ORM010",
	Name:              "whole-table-iteration",
	Doc:               wholeTableDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Info,
	Confidence:        analyzer.Medium,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runWholeTable,
}

// reportWords mark functions and modules that build reports or exports.
var reportWords = []string{"report", "export", "csv", "digest", "summary", "statement", "reconcil", "backfill", "sync_all"}

// runWholeTable matches for loops and comprehensions over a queryset of a
// known model that grows with use (see growing) with no filter, exclude,
// slice, iterator() or distinct values, in the body of a Celery task, a
// management command, or a function or module named for a report or an
// export (report, export, csv, digest, summary, statement, reconcile). Django's queryset loads and
// caches every row before the first iteration: memory grows with the
// table. Querysets from custom managers or methods (they may filter) and
// related managers (one parent's rows) are not judged.
func runWholeTable(p *analyzer.Pass) error {
	t := NewTracker(p)
	command := semantic.RolesOf(p.Unit).Has(semantic.Command)
	for _, l := range t.Loops() {
		q := l.QS
		if q == nil || q.Model == nil || q.Sliced || q.Iterator || q.Related || q.Single || q.Combined || q.Custom || q.Opaque ||
			q.Scoped || q.Filtered || q.Grouped || !growing(q.Model) {
			continue
		}
		if l.Kind == semantic.KeyFunc || filtered(t, l) || keepsRows(l) {
			continue
		}
		fn := pyast.Ancestor(l.Node, "function_definition")
		where := ""
		switch {
		case fn.IsNil():
		case isTask(p, fn):
			where = fmt.Sprintf("task `%s`", taskName(p, fn))
		case command:
			where = "this management command"
		case reportLike(pyast.DefName(fn)) || reportLike(path.Base(p.File.Rel)):
			where = fmt.Sprintf("`%s`", pyast.DefName(fn))
		}
		if where == "" {
			continue
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(l.Iter),
			Message: fmt.Sprintf("%s loops over every `%s` row at once: the queryset loads and caches the whole table before the first row, so memory grows with the table", where, q.Model.Name),
			Help:    "stream the rows: `.iterator(chunk_size=2000)` (or batches by primary key: `filter(pk__gt=last).order_by(\"pk\")[:2000]`)",
		}
		if it := pyast.Unparen(l.Iter); it.Is("call", "attribute") && q.Origin.Equal(it) {
			d.Fixes = []analyzer.Fix{{Message: "iterate with iterator(chunk_size=2000)", Applicability: analyzer.Unsafe,
				Edits: []analyzer.TextEdit{{Range: analyzer.Range{Start: it.EndByte(), End: it.EndByte()}, NewText: ".iterator(chunk_size=2000)"}}}}
		}
		p.Report(d)
	}
	return nil
}

// keepsRows reports a list, set or dict comprehension that collects the
// rows themselves (`{b.pk: b for b in Bundle.objects.all()}`): every row
// is held in memory by design, and iterator() would save nothing.
func keepsRows(l *Loop) bool {
	comp := l.Node.Parent() // the for_in_clause's comprehension
	if l.Kind != semantic.Comprehension || !comp.Is("list_comprehension", "set_comprehension", "dictionary_comprehension") {
		return false
	}
	body := comp.ChildByField("body")
	parts := []pyast.Node{body}
	if body.Type() == "pair" {
		parts = []pyast.Node{body.ChildByField("key"), body.ChildByField("value")}
	}
	for _, e := range parts {
		if e = pyast.Unparen(e); e.Type() == "identifier" && e.Text() == l.Var.Text() {
			return true
		}
	}
	return false
}

// filtered reports a loop whose queryset chain (as written at the loop,
// at its binding, or at its origin) filters or bounds the rows.
func filtered(t *Tracker, l *Loop) bool {
	texts := []string{l.Iter.Text()}
	if it := pyast.Unparen(l.Iter); it.Type() == "identifier" {
		for _, b := range t.Bindings(it, it.Text()) {
			texts = append(texts, b.Text())
		}
	}
	if !l.QS.Origin.IsNil() {
		texts = append(texts, l.QS.Origin.Text())
	}
	for _, s := range texts {
		for _, m := range []string{".filter(", ".exclude(", ".complex_filter(", "[", ".none(", ".iterator("} {
			if strings.Contains(s, m) {
				return true
			}
		}
	}
	return false
}

func isTask(p *analyzer.Pass, fn pyast.Node) bool {
	_, ok := effects.TaskOf(p.Imports, fn)
	return ok
}

func taskName(p *analyzer.Pass, fn pyast.Node) string {
	t, _ := effects.TaskOf(p.Imports, fn)
	return t.Name
}

func reportLike(name string) bool {
	name = strings.ToLower(name)
	for _, w := range reportWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// growing reports a model whose rows accumulate with use: it has a foreign
// key and a creation date or timestamp column (transactions, events,
// orders, logs), unlike configuration tables (templates, galleries).
func growing(m *project.Model) bool {
	fk, stamp := false, false
	for _, f := range m.Fields {
		switch {
		case f.Kind == project.ForeignKey || f.Kind == project.OneToOne:
			fk = true
		case strings.HasSuffix(f.Class, "DateTimeField") || strings.HasSuffix(f.Class, "DateField"):
			n := strings.ToLower(f.Name)
			for _, w := range []string{"created", "timestamp", "occurred", "posted", "sent", "date", "time", "at"} {
				if n == w || strings.HasPrefix(n, w) || strings.HasSuffix(n, "_"+w) {
					stamp = true
				}
			}
		}
	}
	return fk && stamp
}
