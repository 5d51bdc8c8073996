package bugs

import (
	_ "embed"
	"fmt"
	"strconv"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed fixedrowkey.md
var fixedRowKeyDoc string

// FixedRowKey reports a product lookup of a model row by a primary key
// written as a number (`Mailing.objects.get(pk=1)`): the code serves the
// one row that happened to have that key in the author's database.
var FixedRowKey = &analyzer.Rule{
	Code:              "BUG067",
	Name:              "hard-coded-row-key",
	Doc:               fixedRowKeyDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.25.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode | semantic.Command,
	Requires:          requires,
	Run:               runFixedRowKey,
}

// keyLookups are the ORM calls that select rows by their keywords.
var keyLookups = map[string]bool{"get": true, "filter": true, "exclude": true, "get_object_or_404": true,
	"get_list_or_404": true}

// runFixedRowKey matches `get`, `filter`, `exclude` on a queryset of a
// project model, and `get_object_or_404(M, ...)`, with `pk=` or `id=` an
// integer literal, in product code (tests, migrations, scripts, management
// commands and seed data are skipped). A singleton, a model that loads or
// pins its one row itself (a lookup in the model's own class, or a save()
// assigning its key), is left alone.
func runFixedRowKey(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil {
		return nil
	}
	for call := range pyast.FindEach(p.Root, "call") {
		h, _ := pyast.AsCallHead(call)
		method := h.MethodName()
		if !keyLookups[method] {
			continue
		}
		c, _ := pyast.AsCall(call)
		key, lit := "", pyast.Node{}
		for _, k := range []string{"pk", "id"} {
			if v, ok := c.Keywords[k]; ok && pyast.Unparen(v).Type() == "integer" {
				key, lit = k, pyast.Unparen(v)
			}
		}
		if key == "" || len(c.Keywords) != 1 || len(c.Positional) > 1 {
			continue
		}
		var md *project.Model
		if method == "get_object_or_404" || method == "get_list_or_404" {
			if len(c.Positional) == 1 && sf.M.Graph != nil {
				md = sf.M.Graph.Lookup(sf.Unit, pyast.Dotted(c.Positional[0]))
			}
		} else if c.Func.Type() == "attribute" && len(c.Positional) == 0 {
			if q := sf.Eval(c.Receiver()); q != nil {
				md = q.Model
			}
		}
		if md == nil || md.External || singleton(sf, call, md) {
			continue
		}
		n, err := strconv.Atoi(lit.Text())
		if err != nil {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(call),
			Message: fmt.Sprintf("`%s` looks up the `%s` whose %s is %d, a key written in the code: it serves whichever row got that key in one database (none in a fresh one: DoesNotExist), not the row the caller means",
				pyast.OneLine(call, 60), md.Name, key, n),
			Help: "take the row's key from the caller (a task argument, the URL, the request) or find the row by what identifies it (a unique name, a status)",
		})
	}
	return nil
}

// singleton reports a model that keeps one row by design: the lookup sits
// in a method of the model itself (`def load(cls): return cls.objects.get(
// pk=1)`), or the model's save() pins its key (`self.pk = 1`).
func singleton(sf *semantic.File, call pyast.Node, md *project.Model) bool {
	if fn := sf.EnclosingFunc(call); fn != nil && fn.Class != nil && sf.M.Graph != nil && sf.M.Graph.ByQual(fn.Class.Qual) == md {
		return true
	}
	cls := sf.M.LookupClass(md.Qual)
	if cls == nil {
		return false
	}
	save := cls.Method("save")
	if save == nil || save.Node.IsNil() {
		return false
	}
	for a := range pyast.FindEach(pyast.Body(save.Node), "assignment") {
		switch pyast.Dotted(a.ChildByField("left")) {
		case "self.pk", "self.id":
			return true
		}
	}
	return false
}
