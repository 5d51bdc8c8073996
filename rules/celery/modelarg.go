package celery

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed modelarg.md
var modelArgDoc string

// ModelArgument reports model instances and querysets passed to tasks.
var ModelArgument = &analyzer.Rule{
	Code:       "CEL001",
	Name:       "model-instance-task-argument",
	Doc:        modelArgDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runModelArgument,
}

var enqueueMethods = map[string]bool{"delay": true, "apply_async": true, "s": true, "si": true, "signature": true}

// instanceMethods end an ORM chain that yields one row.
var instanceMethods = map[string]bool{"get": true, "create": true, "first": true, "last": true,
	"latest": true, "earliest": true, "get_object_or_404": true}

// querysetMethods end an ORM chain that yields a queryset of rows.
var querysetMethods = map[string]bool{"all": true, "filter": true, "exclude": true, "order_by": true,
	"select_related": true, "prefetch_related": true, "annotate": true, "distinct": true, "none": true}

// runModelArgument matches, at .delay / .apply_async(args=, kwargs=) / .s /
// .si call sites, an argument that is a model row or queryset: a local
// bound from Model.objects...get/create/first/last/latest/earliest or
// get_object_or_404 (one row, high confidence), the loop variable of a for
// over a Model.objects chain or a queryset local (medium), a queryset local
// itself, or request.user. It also matches task parameters annotated with a
// class imported from a models module or QuerySet. Rows reached through
// attributes (order.customer) are not followed.
func runModelArgument(p *analyzer.Pass) error {
	if paths.IsTest(paths.Rel(p)) {
		return nil
	}
	pyast.Inspect(p.Root, func(n pyast.Node) bool {
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "attribute" || !enqueueMethods[c.MethodName()] {
			return true
		}
		fn := pyast.EnclosingFunction(n)
		if fn.IsNil() {
			return true
		}
		var args []pyast.Node
		if c.MethodName() == "apply_async" {
			if a := c.Keyword("args"); a.Is("list", "tuple") {
				args = append(args, a.NamedChildren()...)
			} else if len(c.Positional) > 0 && c.Positional[0].Is("list", "tuple") {
				args = append(args, c.Positional[0].NamedChildren()...)
			}
			if k := c.Keyword("kwargs"); k.Type() == "dictionary" {
				for _, pair := range k.NamedChildren() {
					args = append(args, pair.ChildByField("value"))
				}
			}
		} else {
			args = append(args, c.Positional...)
			for _, v := range c.Keywords {
				args = append(args, v)
			}
		}
		for _, a := range args {
			kind, conf := modelValue(a, fn)
			if kind == "" {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range:      analyzer.RangeOf(a),
				Message:    fmt.Sprintf("%s `%s` passed to `%s.%s`: the task gets a stale serialized copy, or fails to serialize", kind, a.Text(), calledName(c), c.MethodName()),
				Help:       fmt.Sprintf("pass the primary key (`%s.pk`, or a list of ids for a queryset) and load the row inside the task, where it is current", a.Text()),
				Confidence: conf,
			})
		}
		return true
	})
	for _, t := range tasks(p) {
		for _, prm := range t.def.ChildByField("parameters").NamedChildren() {
			if !prm.Is("typed_parameter", "typed_default_parameter") {
				continue
			}
			typ := prm.ChildByField("type")
			if name := modelAnnotation(p, typ); name != "" {
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(prm),
					Message: fmt.Sprintf("task `%s` takes a `%s` parameter: callers must pass a model row or queryset", t.name, name),
					Help:    "take the primary key (`order_id: int`) and load the row inside the task",
				})
			}
		}
	}
	return nil
}

// modelValue classifies an argument as a model row or queryset bound in fn.
func modelValue(a pyast.Node, fn pyast.Node) (string, analyzer.Confidence) {
	a = pyast.Unparen(a)
	switch a.Type() {
	case "attribute":
		if strings.HasSuffix(a.Text(), "request.user") {
			return "the user row", analyzer.High
		}
		return "", 0
	case "identifier":
	default:
		return "", 0
	}
	name := a.Text()
	kind, conf := "", analyzer.Confidence(0)
	// The last binding before the call wins.
	for _, n := range pyast.FindAllShallow(pyast.Body(fn), "assignment", "for_statement") {
		if n.StartByte() > a.StartByte() {
			break
		}
		switch n.Type() {
		case "assignment":
			if n.ChildByField("left").Type() != "identifier" || n.ChildByField("left").Text() != name {
				continue
			}
			kind, conf = ormResult(n.ChildByField("right"), fn, a.StartByte())
		case "for_statement":
			left := n.ChildByField("left")
			if left.Type() != "identifier" || left.Text() != name || !n.Contains(a) {
				continue
			}
			if k, _ := ormResult(n.ChildByField("right"), fn, n.StartByte()); k == "queryset" {
				kind, conf = "model row", analyzer.Medium
			} else {
				kind = ""
			}
		}
	}
	return kind, conf
}

// ormResult classifies an expression as "model row" or "queryset".
func ormResult(e pyast.Node, fn pyast.Node, before int) (string, analyzer.Confidence) {
	e = pyast.Unparen(e)
	if e.Type() == "identifier" {
		// A queryset held in a local: qs = Order.objects.filter(...)
		for _, n := range pyast.FindAllShallow(pyast.Body(fn), "assignment") {
			if n.StartByte() < before && n.ChildByField("left").Text() == e.Text() {
				if k, _ := ormResult(n.ChildByField("right"), fn, n.StartByte()); k == "queryset" {
					return "queryset", analyzer.Medium
				}
			}
		}
		return "", 0
	}
	c, ok := pyast.AsCall(e)
	if !ok {
		return "", 0
	}
	m := c.MethodName()
	if m == "get_object_or_404" {
		return "model row", analyzer.High
	}
	if !strings.Contains(c.Func.Text(), ".objects") {
		return "", 0
	}
	switch {
	case instanceMethods[m]:
		return "model row", analyzer.High
	case querysetMethods[m]:
		return "queryset", analyzer.Medium
	}
	return "", 0
}

// modelAnnotation returns the annotated model or QuerySet name, or "".
func modelAnnotation(p *analyzer.Pass, typ pyast.Node) string {
	inner := typ
	if inner.Type() == "type" {
		inner = inner.NamedChild(0)
	}
	d := pyast.Dotted(inner)
	if d == "" {
		return ""
	}
	q, _ := p.Imports.ResolveDotted(d)
	last := d[strings.LastIndex(d, ".")+1:]
	switch {
	case last == "QuerySet":
		return d
	case strings.Contains(q, ".models.") || strings.HasPrefix(q, ".models") || strings.HasPrefix(q, "..models"):
		return d
	case q == "" && strings.HasPrefix(d, "models."):
		return d
	}
	return ""
}
