package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed startdayonly.md
var startDayOnlyDoc string

// BilledOnStartDayOnly reports a Celery task that creates a row per row
// whose start date equals today: a subscription's invoice, made nowhere
// else, is made once, on the subscription's first day, and never again.
var BilledOnStartDayOnly = &analyzer.Rule{
	Code:       "BUG055",
	Name:       "recurring-task-on-start-day-only",
	Doc:        startDayOnlyDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.21.0",
	Stack:      project.Django | project.Celery,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, rowCreators},
	Run:        runBilledOnStartDayOnly,
}

// rowCreators are, over the product code, the functions that create rows
// of each model (keyed by the model's qualified name): `<Model>.objects.
// create/get_or_create/update_or_create/bulk_create(...)` and
// `<Model>(...)` built by the class.
var rowCreators = &project.ProjectAnalysis[map[string]map[pyast.Node]bool]{Name: "bugs.rowCreators", Run: func(ix *project.Index) map[string]map[pyast.Node]bool {
	out := map[string]map[pyast.Node]bool{}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.ProductCode) {
			continue
		}
		for n := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			m := createdModel(ix, f, n)
			if m == nil {
				continue
			}
			fn := f.EnclosingFunc(n)
			var key pyast.Node
			if fn != nil {
				key = fn.Node
			}
			if out[m.Qual] == nil {
				out[m.Qual] = map[pyast.Node]bool{}
			}
			out[m.Qual][key] = true
		}
	}
	return out
}}

// createdModel returns the model a call creates a row of, or nil.
func createdModel(ix *project.Index, f *semantic.File, n pyast.Node) *project.Model {
	c, ok := pyast.AsCall(n)
	if !ok {
		return nil
	}
	if c.Func.Type() == "attribute" {
		switch c.MethodName() {
		case "create", "get_or_create", "update_or_create", "bulk_create":
			if qs := f.Eval(c.Receiver()); qs != nil {
				return qs.Model
			}
		}
		return nil
	}
	if c.Func.Type() == "identifier" && ix.Models != nil {
		return ix.Models.Lookup(f.Unit, c.Func.Text())
	}
	return nil
}

// runBilledOnStartDayOnly matches, in a Celery task, a `for row in qs:`
// loop over rows of a model filtered by `<field>=today` (or
// `<field>__date=today`), where the field is a date column whose name
// holds "start" and today is bound in the task to today's date
// (`timezone.now().date()`, `date.today()`, `timezone.localdate()`), and
// whose body creates a row of another model that no other product code
// creates. One finding per loop, at the filter's lookup.
func runBilledOnStartDayOnly(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil || !strings.Contains(p.Unit.Tree.Root().Text(), "start") {
		return nil
	}
	creators := rowCreators.Get(p.Project)
	for def := range pyast.FindEach(p.Unit.Tree.Root(), "function_definition") {
		if !effects.IsCeleryTask(p.Imports, def) {
			continue
		}
		for loop := range pyast.FindEach(def, "for_statement") {
			lookup, model, field := startDayLookup(f, def, loop)
			if lookup.IsNil() {
				continue
			}
			made := loopCreates(p.Project, f, loop.ChildByField("body"), model)
			if made == nil {
				continue
			}
			others := false
			for fn := range creators[made.Qual] {
				if fn != def {
					others = true
				}
			}
			if others {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(lookup),
				Message: fmt.Sprintf("task `%s` creates one `%s` for each `%s` whose `%s` is today, and nothing else in the project creates one: each `%s` gets one, on its first day, and never another (a monthly plan is billed once)",
					def.ChildByField("name").Text(), made.Name, model.Name, field, model.Name),
				Help: fmt.Sprintf("select the rows due today by the cycle, not by the start: a `next_billing_date` (or the start's day of the month) compared with today, advanced when the `%s` is made, with a unique (`%s`, period) so a rerun makes no second one", made.Name, strings.ToLower(model.Name)),
			})
		}
	}
	return nil
}

// startDayLookup returns the `<start>=today` keyword of the filter the
// loop iterates (directly or through a name bound in def before the
// loop), with the model and the field.
func startDayLookup(f *semantic.File, def, loop pyast.Node) (pyast.Node, *project.Model, string) {
	it := pyast.Unparen(loop.ChildByField("right"))
	if it.Type() == "identifier" {
		var bound pyast.Node
		for a := range pyast.FindEach(def, "assignment") {
			if a.StartByte() >= loop.StartByte() {
				break
			}
			if a.ChildByField("left").Text() == it.Text() {
				bound = a.ChildByField("right")
			}
		}
		if bound.IsNil() {
			return pyast.Node{}, nil, ""
		}
		it = pyast.Unparen(bound)
	}
	qs := f.Eval(it)
	if qs == nil || qs.Model == nil {
		return pyast.Node{}, nil, ""
	}
	for n := it; ; {
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "attribute" {
			break
		}
		if c.MethodName() == "filter" {
			for kw := range pyast.FindEach(c.Node.ChildByField("arguments"), "keyword_argument") {
				name := kw.ChildByField("name").Text()
				base, rest, _ := strings.Cut(name, "__")
				if rest != "" && rest != "date" && rest != "exact" {
					continue
				}
				fd := qs.Model.Field(base)
				if fd == nil || !strings.Contains(strings.ToLower(base), "start") {
					continue
				}
				class := lastName(fd.Class)
				if !(class == "DateField" || (class == "DateTimeField" && rest == "date")) {
					continue
				}
				if isToday(def, kw.ChildByField("value"), kw.StartByte()) {
					return kw, qs.Model, base
				}
			}
		}
		n = pyast.Unparen(c.Receiver())
	}
	return pyast.Node{}, nil, ""
}

// isToday reports today's date: `timezone.now().date()`, `datetime.now().
// date()`, `date.today()`, `timezone.localdate()`, or a name bound in def
// before pos to one of them.
func isToday(def, v pyast.Node, pos int) bool {
	v = pyast.Unparen(v)
	if v.Type() == "identifier" {
		var bound pyast.Node
		for a := range pyast.FindEach(def, "assignment") {
			if a.StartByte() >= pos {
				break
			}
			if a.ChildByField("left").Text() == v.Text() {
				bound = a.ChildByField("right")
			}
		}
		if bound.IsNil() {
			return false
		}
		v = pyast.Unparen(bound)
	}
	c, ok := pyast.AsCall(v)
	if !ok || len(c.Positional) > 0 || len(c.Keywords) > 0 {
		return false
	}
	name := c.Func.Text()
	if c.Func.Type() == "attribute" {
		name = c.MethodName()
	}
	switch name {
	case "today", "localdate":
		return true
	case "date":
		inner, ok := pyast.AsCall(pyast.Unparen(c.Receiver()))
		return ok && c.Func.Type() == "attribute" && lastName(pyast.Dotted(inner.Func)) == "now" && len(inner.Positional) == 0
	}
	return false
}

// loopCreates returns the model, other than the iterated one, of the first
// row the loop body creates.
func loopCreates(ix *project.Index, f *semantic.File, body pyast.Node, iterated *project.Model) *project.Model {
	for n := range pyast.FindEach(body, "call") {
		if m := createdModel(ix, f, n); m != nil && m != iterated {
			return m
		}
	}
	return nil
}
