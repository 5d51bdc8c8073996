package bugs

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed autonowskipped.md
var autoNowSkippedDoc string

// AutoNowSkippedByUpdateFields reports a save(update_fields=[...]) that
// leaves out a model's auto_now field when other code selects the model's
// rows by that field and by a field the save writes (rows stuck in a
// state since a time): Django sets an auto_now field on save()
// only when update_fields names it, so the rows keep their old timestamp.
var AutoNowSkippedByUpdateFields = &analyzer.Rule{
	Code:              "BUG069",
	Name:              "auto-now-skipped-by-update-fields",
	Doc:               autoNowSkippedDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.26.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	// One finding per file: every save leaving the field out has the same
	// fix, so the others are its related locations.
	FileHabit: true,
	Skip:      semantic.ProductCode,
	Requires:  []project.Analysis{semantic.Project, timestampReads},
	Run:       runAutoNowSkippedByUpdateFields,
}

// timestampRead is a filter of product code that bounds a model's rows by
// one of its fields, with the other fields the same chain filters on.
type timestampRead struct {
	path  string
	line  int
	rng   analyzer.Range
	with  []string // the chain's other filtered fields (`status`)
	field string
}

// timestampReads maps "model.Qual.field" to the filters and excludes of
// product code that bound the model's rows by the field
// (`filter(status=PROCESSING, updated_at__lt=cutoff)`), in path order:
// a sweep for rows stuck in a state since a time.
var timestampReads = &project.ProjectAnalysis[map[string][]*timestampRead]{Name: "bugs.timestampReads", Run: func(ix *project.Index) map[string][]*timestampRead {
	out := map[string][]*timestampRead{}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			if h, _ := pyast.AsCallHead(call); h.MethodName() != "filter" && h.MethodName() != "exclude" {
				continue
			}
			c, _ := pyast.AsCall(call)
			var bounded []string
			for k := range c.EachKeyword() {
				if field, op, ok := strings.Cut(k, "__"); ok && slices.Contains([]string{"lt", "lte", "gt", "gte", "range"}, op) {
					bounded = append(bounded, field)
				}
			}
			if len(bounded) == 0 {
				continue
			}
			q := f.Eval(call)
			if q == nil || q.Model == nil {
				continue
			}
			with := chainFields(call)
			slices.Sort(bounded)
			for _, fl := range bounded {
				key := q.Model.Qual + "." + fl
				out[key] = append(out[key], &timestampRead{path: f.Unit.File.Rel, line: f.Unit.File.Position(call.StartByte()).Line,
					rng: analyzer.RangeOf(call), with: with, field: fl})
			}
		}
	}
	return out
}}

// chainFields returns the fields the keyword arguments of a filter chain
// name (`Payout.objects.filter(status=...).filter(updated_at__lt=...)`),
// lookups stripped.
func chainFields(call pyast.Node) []string {
	var out []string
	for n := call; ; {
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "attribute" {
			break
		}
		if m := c.MethodName(); m == "filter" || m == "exclude" || m == "get" {
			for k := range c.EachKeyword() {
				field, _, _ := strings.Cut(k, "__")
				out = append(out, field)
			}
		}
		n = c.Receiver()
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// runAutoNowSkippedByUpdateFields matches `row.save(update_fields=[...])`
// with a literal list of field names, on a row whose model is certain
// (loaded or created in the function), when the model declares a field
// with auto_now=True that the list leaves out and some product code
// filters the model's rows on that field with a bound (lt, lte, gt, gte,
// range) in a chain that also filters on a field the list names (`status`
// in `filter(status=PROCESSING, updated_at__lt=cutoff)`): the sweep picks
// rows by the state this save sets and the time it failed to record.
// Ordering by the field, and filters on other fields, are left alone. A list built elsewhere, a model of a third-party
// package, and auto_now fields nothing selects by are left alone.
func runAutoNowSkippedByUpdateFields(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil {
		return nil
	}
	reads := timestampReads.Get(p.Project)
	for call := range pyast.FindEach(p.Root, "call") {
		if h, _ := pyast.AsCallHead(call); h.MethodName() != "save" {
			continue
		}
		c, _ := pyast.AsCall(call)
		list, ok := c.Keywords["update_fields"]
		if !ok {
			continue
		}
		names, ok := literalNames(list)
		if !ok {
			continue
		}
		v := f.Value(c.Receiver())
		if !v.IsRow() || v.Certainty != semantic.Certain {
			continue
		}
		for _, an := range autoNowFields(f.M, v.Model) {
			if slices.Contains(names, an) {
				continue
			}
			var r *timestampRead
			for _, x := range reads[v.Model.Qual+"."+an] {
				if slices.ContainsFunc(x.with, func(w string) bool { return w != an && slices.Contains(names, w) }) {
					r = x
					break
				}
			}
			if r == nil {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(call),
				Message: fmt.Sprintf("`%s` leaves `%s` out of `update_fields`: Django sets an auto_now field on save() only when update_fields names it, so the row keeps its old `%s`, and %s:%d selects `%s` rows by it and by what this save writes",
					pyast.OneLine(call, 60), an, an, r.path, r.line, v.Model.Name),
				Help:    fmt.Sprintf("add `\"%s\"` to `update_fields` (or set it yourself), so the rows that changed are the ones that look changed", an),
				Related: []analyzer.Related{{Path: r.path, Range: r.rng, Message: "rows selected by `" + an + "`"}},
			})
			break
		}
	}
	return nil
}

// literalNames reads a list or tuple of string literals.
func literalNames(n pyast.Node) ([]string, bool) {
	n = pyast.Unparen(n)
	if n.Type() != "list" && n.Type() != "tuple" {
		return nil, false
	}
	var out []string
	for e := range n.Named() {
		s, ok := pyast.StringValue(e)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// autoNowFields returns the fields the model's class (or a project base)
// declares with auto_now=True, in declaration order.
func autoNowFields(m *semantic.Model, md *project.Model) []string {
	var out []string
	for _, fl := range md.Fields {
		if !fl.NotEditable {
			continue
		}
		owner := md
		for _, b := range md.Bases {
			if b.Field(fl.Name) != nil {
				owner = b
			}
		}
		cls := m.ClassOfModel(owner)
		if cls == nil {
			continue
		}
		for st := range pyast.EachStatement(pyast.Body(cls.Node)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != fl.Name {
				continue
			}
			if c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right"))); ok {
				if v, ok := c.Keywords["auto_now"]; ok && v.Type() == "true" {
					out = append(out, fl.Name)
				}
			}
		}
	}
	return out
}
