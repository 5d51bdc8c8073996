package celery

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
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
	Stack:      project.Celery,
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Project, enqueues},
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
	visit := func(n pyast.Node) bool {
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
				for pair := range k.Named() {
					args = append(args, pair.ChildByField("value"))
				}
			}
		} else {
			args = append(args, c.Positional...)
			for _, v := range c.EachKeyword() {
				args = append(args, v)
			}
		}
		for _, a := range args {
			kind, conf := binder{p, fn}.modelValue(a)
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
	}
	for n := range pyast.FindEach(p.Root, "call") {
		if n.ChildByField("function").Type() == "attribute" && enqueueMethods[string(pyast.CalleeName(n))] {
			visit(n)
		}
	}
	for _, t := range tasks(p) {
		annotated := map[string]bool{}
		for prm := range t.def.ChildByField("parameters").Named() {
			if !prm.Is("typed_parameter", "typed_default_parameter") {
				continue
			}
			typ := prm.ChildByField("type")
			if name := modelAnnotation(p, typ); name != "" {
				annotated[paramName(prm)] = true
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(prm),
					Message: fmt.Sprintf("task `%s` takes a `%s` parameter: callers must pass a model row or queryset", t.name, name),
					Help:    "take the primary key (`order_id: int`) and load the row inside the task",
				})
			}
		}
		rowParams(p, t, annotated)
	}
	return nil
}

// paramName returns the name of a typed parameter.
func paramName(prm pyast.Node) string {
	if n := prm.ChildByField("name"); !n.IsNil() {
		return n.Text()
	}
	return prm.NamedChild(0).Text()
}

// binder classifies the values of one function as model rows or
// querysets, with the model when the project graph knows it.
type binder struct {
	p  *analyzer.Pass
	fn pyast.Node
}

// modelValue classifies an argument as a model row or queryset bound in fn.
func (b binder) modelValue(a pyast.Node) (string, analyzer.Confidence) {
	a = pyast.Unparen(a)
	switch a.Type() {
	case "attribute":
		if strings.HasSuffix(a.Text(), "request.user") {
			return "the user row", analyzer.High
		}
		return "", 0
	case "identifier":
		kind, conf, _ := b.binding(a.Text(), a.StartByte(), 0)
		return kind, conf
	}
	return "", 0
}

// binding classifies the value a local holds at offset: its last
// assignment before it, or the loop it is the variable of.
func (b binder) binding(name string, at, depth int) (kind string, conf analyzer.Confidence, model *project.Model) {
	if depth > 3 {
		return "", 0, nil
	}
	for n := range pyast.FindEachShallow(pyast.Body(b.fn), "assignment", "for_statement") {
		if n.StartByte() > at {
			break
		}
		switch n.Type() {
		case "assignment":
			if n.ChildByField("left").Type() != "identifier" || n.ChildByField("left").Text() != name {
				continue
			}
			kind, conf, model = b.ormResult(n.ChildByField("right"), n.StartByte(), depth+1)
		case "for_statement":
			left := n.ChildByField("left")
			if left.Type() != "identifier" || left.Text() != name || at >= n.EndByte() {
				continue
			}
			kind, conf, model = "", 0, nil
			if k, _, m := b.ormResult(n.ChildByField("right"), n.StartByte(), depth+1); k == "queryset" {
				kind, conf, model = "model row", analyzer.Medium, m
			}
		}
	}
	return kind, conf, model
}

// ormResult classifies an expression as "model row" or "queryset": a
// chain on `Model.objects`, on another manager the graph knows the model
// has (`Order.active`), or on a related manager of a row local
// (`order.items`), a queryset local, or get_object_or_404.
func (b binder) ormResult(e pyast.Node, before, depth int) (string, analyzer.Confidence, *project.Model) {
	e = pyast.Unparen(e)
	if e.Type() == "identifier" {
		// A queryset held in a local: qs = Order.objects.filter(...)
		if k, _, m := b.binding(e.Text(), before, depth); k == "queryset" {
			return "queryset", analyzer.Medium, m
		}
		return "", 0, nil
	}
	c, ok := pyast.AsCall(e)
	if !ok {
		return "", 0, nil
	}
	method := c.MethodName()
	if method == "get_object_or_404" {
		var m *project.Model
		if len(c.Positional) > 0 {
			m = b.lookup(pyast.Dotted(c.Positional[0]))
		}
		return "model row", analyzer.High, m
	}
	if !instanceMethods[method] && !querysetMethods[method] {
		return "", 0, nil
	}
	if valuesChain(c) {
		return "", 0, nil // values()/values_list(): ids, tuples or dicts, not rows
	}
	model, orm := b.chainModel(c, before, depth)
	if !orm && !strings.Contains(c.Func.Text(), ".objects") {
		return "", 0, nil
	}
	if instanceMethods[method] {
		return "model row", analyzer.High, model
	}
	return "queryset", analyzer.Medium, model
}

// valuesChain reports a chain with a values() or values_list() call: it
// yields plain values (`values_list("id", flat=True).distinct()`).
func valuesChain(c pyast.Call) bool {
	for cur := c; ; {
		if m := cur.MethodName(); m == "values" || m == "values_list" {
			return true
		}
		next, ok := pyast.AsCall(pyast.Unparen(cur.Receiver()))
		if !ok || next.Func.Type() != "attribute" {
			return false
		}
		cur = next
	}
}

// chainModel finds the manager a chain starts from: `Model.<manager>` of
// a graph model, or `row.<relation>` where row is a local holding a row of
// a graph model and relation a to-many relation of it.
func (b binder) chainModel(c pyast.Call, before, depth int) (*project.Model, bool) {
	r := c.Receiver()
	for {
		rc, ok := pyast.AsCall(pyast.Unparen(r))
		if !ok || rc.Func.Type() != "attribute" {
			break
		}
		r = rc.Receiver()
	}
	r = pyast.Unparen(r)
	if r.Type() != "attribute" {
		return nil, false
	}
	obj, attr := r.ChildByField("object"), r.ChildByField("attribute").Text()
	if m := b.lookup(pyast.Dotted(obj)); m != nil {
		return m, m.HasManager(attr)
	}
	if obj.Type() == "identifier" {
		if k, _, m := b.binding(obj.Text(), before, depth+1); k == "model row" && m != nil {
			switch a := m.Attr(attr); a.Kind {
			case project.AttrReverseMany, project.AttrManyToMany:
				return a.Target, true
			}
		}
	}
	return nil, false
}

// lookup resolves a dotted name to a model of the graph.
func (b binder) lookup(dotted string) *project.Model {
	if b.p.Project == nil || dotted == "" {
		return nil
	}
	return b.p.Project.Models.Lookup(b.p.Unit, dotted)
}

// modelAnnotation returns the annotated model or QuerySet name, or "": a
// model of the graph, QuerySet, or a class imported from a models module
// that the tree does not define as something else (a dataclass or
// pydantic model in app/models/schemas.py).
func modelAnnotation(p *analyzer.Pass, typ pyast.Node) string {
	inner := typ
	if inner.Type() == "type" {
		inner = inner.NamedChild(0)
	}
	d := pyast.Dotted(inner)
	if d == "" {
		return ""
	}
	b := binder{p: p}
	if b.lookup(d) != nil {
		return d
	}
	if p.Project != nil && p.Project.Models.LookupClass(p.Unit, d) != nil {
		return "" // a class of the tree that is not a model
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
