package httpclient

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed perrow.md
var perRowDoc string

// RemoteCallPerRow reports outbound calls made once per row while a
// request is served: in a loop over a queryset in the handler, or in a
// serializer field computed for every row of a list.
var RemoteCallPerRow = &analyzer.Rule{
	Code:       "NET007",
	Name:       "remote-call-per-row",
	Doc:        perRowDoc,
	Category:   analyzer.Performance,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.3.0",
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Distinct:   true,
	Run:        runRemoteCallPerRow,
}

// runRemoteCallPerRow matches, for judged endpoints: (1) in the handler,
// a loop over a queryset whose body makes an outbound call (requests,
// httpx, a payment SDK), itself or through project functions it calls;
// (2) for a list action, a serializer field named in Meta.fields (or a
// method field declared under "__all__") that is
// a model property or a `get_<field>` method (SerializerMethodField)
// making an outbound call. One finding per loop and per serializer.
func runRemoteCallPerRow(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	m := semantic.Of(p.Project)
	f := m.File(p.Unit)
	doneLoop := map[pyast.Node]bool{}
	doneSer := map[*semantic.Class]bool{}
	for _, e := range inv.InFile(f) {
		if !e.Judged(inv) {
			continue
		}
		if fn := e.Handler; fn != nil {
			body := pyast.Body(fn.Node)
			for _, l := range f.Loops() {
				if l.QS == nil || doneLoop[l.Node] || !body.Contains(l.Node) {
					continue
				}
				call, name := outboundInLoop(m, f, l)
				if call.IsNil() {
					continue
				}
				doneLoop[l.Node] = true
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(call),
					Message: fmt.Sprintf("`%s` calls `%s` once per `%s` row of the loop, while the request waits: a page costs one round trip per row, and the provider's latency and rate limit with it",
						e.ViewName(), name, l.QS.Model.Name),
					Help:    "make the remote work per request, not per row: fetch once before the loop (one batched call, a cached rate), or move the per-row calls to a background task or the provider's webhook",
					Related: []analyzer.Related{{Range: analyzer.RangeOf(l.Node.ChildByField("left")), Message: "the loop over the rows"}},
				})
			}
		}
		if e.Action != "list" || e.Class == nil {
			continue
		}
		sers, _ := m.EndpointSerializers(e)
		for _, s := range sers {
			if doneSer[s] {
				continue
			}
			field, at, name, fn := remoteSerializerField(m, s)
			if field == "" {
				continue
			}
			doneSer[s] = true
			d := analyzer.Diagnostic{
				Path:  s.File.Unit.File.Rel,
				Range: analyzer.RangeOf(at),
				Message: fmt.Sprintf("`%s` computes `%s` for every row `%s` lists, and it calls `%s`: one outbound request per row of each page",
					s.Name, field, e.ViewName(), name),
				Help: "compute the remote value once per request (a cached rate, one batched call in the view, passed through the serializer context), not in a per-row field",
			}
			if fn != nil && fn.File != nil && !fn.Node.Equal(at) {
				d.Related = []analyzer.Related{{Path: fn.File.Unit.File.Rel, Range: analyzer.RangeOf(fn.Node.ChildByField("name")), Message: "the method computing it, run once per row"}}
			}
			p.Report(d)
		}
	}
	return nil
}

// outboundInLoop returns the first call in a loop's body that makes an
// outbound request, with the name of what it calls.
func outboundInLoop(m *semantic.Model, f *semantic.File, l *semantic.Loop) (pyast.Node, string) {
	var found pyast.Node
	var name string
	l.Walk(func(n pyast.Node) bool {
		if !found.IsNil() {
			return false
		}
		if n.Type() != "call" {
			return true
		}
		if f.OutboundCall(n) {
			found, name = n, pyast.Dotted(n.ChildByField("function"))
			return false
		}
		if g, _ := f.Callee(n); g != nil {
			if q := outboundEffect(m, g); q != "" {
				found, name = n, q
				return false
			}
		}
		return true
	})
	return found, name
}

// outboundEffect is the first outbound call a project function makes,
// itself or through the functions it calls ("" when none).
func outboundEffect(m *semantic.Model, g *semantic.Func) string {
	for _, eff := range m.FuncEffects(g) {
		if eff.Kind == semantic.HTTPCall && !dispatchedOnArgument(eff) {
			return eff.Name
		}
	}
	return ""
}

// dispatchedOnArgument reports an outbound call a helper makes only for
// one kind of the argument it is given: the call sits under a test of the
// form or type of a parameter of its own function (`if not
// source.startswith("http"): ... else: requests.get(source)`,
// `isinstance(source, str)`). A helper reached through the project's
// functions (not the per-row code itself) then fetches only when its
// caller passes a URL, which rubric does not follow: an e-mail hashed for
// an avatar link makes no request.
func dispatchedOnArgument(eff semantic.Effect) bool {
	if len(eff.Via) == 0 || eff.Call.IsNil() {
		return false
	}
	def := pyast.Ancestor(eff.Call, "function_definition")
	if def.IsNil() {
		return false
	}
	params := map[string]bool{}
	for _, name := range pyast.ParamNames(def) {
		if name != "self" && name != "cls" {
			params[name] = true
		}
	}
	for n := eff.Call.Parent(); !n.IsNil() && !n.Equal(def); n = n.Parent() {
		var cond pyast.Node
		switch n.Type() {
		case "if_statement", "elif_clause", "conditional_expression":
			cond = n.ChildByField("condition")
		case "else_clause":
			cond = n.Parent().ChildByField("condition")
		}
		if cond.IsNil() {
			continue
		}
		for c := range pyast.FindEach(cond, "call") {
			call, ok := pyast.AsCall(c)
			if !ok {
				continue
			}
			switch {
			case pyast.Dotted(call.Func) == "isinstance" && len(call.Positional) > 0:
				if a := pyast.Unparen(call.Positional[0]); a.Type() == "identifier" && params[a.Text()] {
					return true
				}
			case call.MethodName() == "startswith" || call.MethodName() == "endswith":
				if r := pyast.Unparen(call.Receiver()); r.Type() == "identifier" && params[r.Text()] {
					return true
				}
			}
		}
	}
	return false
}

// remoteSerializerField returns the first Meta.fields name of s computed
// by code making an outbound call: a `get_<name>` method of the
// serializer (itself, or a model property it reads on the row), or a
// property or method of its model. It returns the
// name, the string node in Meta.fields, and what is called.
func remoteSerializerField(m *semantic.Model, s *semantic.Class) (string, pyast.Node, string, *semantic.Func) {
	meta := innerClass(s.Node, "Meta")
	if meta.IsNil() {
		return "", pyast.Node{}, "", nil
	}
	var fields, model pyast.Node
	for _, st := range pyast.Statements(pyast.Body(meta)) {
		a := st
		if a.Type() == "expression_statement" {
			a = a.NamedChild(0)
		}
		if a.Type() != "assignment" {
			continue
		}
		switch a.ChildByField("left").Text() {
		case "fields":
			fields = pyast.Unparen(a.ChildByField("right"))
		case "model":
			model = a.ChildByField("right")
		}
	}
	if fields.IsNil() {
		return "", pyast.Node{}, "", nil
	}
	// The names the serializer renders: Meta.fields as a list, and under
	// `fields = "__all__"` the method fields the class declares itself
	// (`total_usd = serializers.SerializerMethodField()`), which "__all__"
	// renders with the model's columns.
	type rendered struct {
		name string
		at   pyast.Node
	}
	var names []rendered
	switch {
	case fields.Type() == "list" || fields.Type() == "tuple":
		for el := range fields.Named() {
			if name, ok := pyast.StringValue(el); ok {
				names = append(names, rendered{name, el})
			}
		}
	default:
		if v, ok := pyast.StringValue(fields); !ok || v != "__all__" {
			return "", pyast.Node{}, "", nil
		}
		for _, st := range pyast.Statements(pyast.Body(s.Node)) {
			a := st
			if a.Type() == "expression_statement" {
				a = a.NamedChild(0)
			}
			if a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			if c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right"))); ok && c.MethodName() == "SerializerMethodField" && c.Keyword("method_name").IsNil() {
				names = append(names, rendered{a.ChildByField("left").Text(), a.ChildByField("left")})
			}
		}
	}
	var mc *semantic.Class
	if !model.IsNil() {
		mc = m.LookupClass(qualifiedIn(s, model))
	}
	for _, r := range names {
		name, el := r.name, r.at
		var fn *semantic.Func
		if g := s.Method("get_" + name); g != nil {
			fn = g
		} else if mc != nil {
			fn = mc.Method(name)
		}
		if fn == nil {
			continue
		}
		if q := outboundEffect(m, fn); q != "" {
			return name, el, q, fn
		}
		if fn.Class == s {
			if q := propertyOutbound(m, s, mc, fn.Name); q != "" {
				return name, el, q, fn
			}
		}
	}
	return "", pyast.Node{}, "", nil
}

// propertyOutbound is the first outbound call made by a property of the
// serializer's model that the `get_<x>(self, obj)` method reads on obj
// (`return obj.total_usd`, a @property or cached_property calling a rate
// API): reading it runs the call, once per row.
func propertyOutbound(m *semantic.Model, s, mc *semantic.Class, method string) string {
	if mc == nil || s.Facts == nil {
		return ""
	}
	getter := s.Method(method)
	for _, chain := range s.Facts.ParamChains[method] {
		attr, _, _ := strings.Cut(chain, ".")
		if g := mc.Method(attr); g != nil && (g.Property || getter != nil && callsOnParam(getter, attr)) {
			if q := outboundEffect(m, g); q != "" {
				return q
			}
		}
	}
	return ""
}

// callsOnParam reports a `get_<x>(self, obj)` method that calls method
// attr on its row parameter (`return obj.get_total_usd()`): the model's
// method runs once per row rendered.
func callsOnParam(getter *semantic.Func, attr string) bool {
	if len(getter.Params) < 2 {
		return false
	}
	want := getter.Params[1] + "." + attr
	for c := range pyast.FindEach(pyast.Body(getter.Node), "call") {
		if cc, ok := pyast.AsCall(c); ok && pyast.Dotted(cc.Func) == want {
			return true
		}
	}
	return false
}

// innerClass returns the class named name defined in a class body.
func innerClass(class pyast.Node, name string) pyast.Node {
	for _, st := range pyast.Statements(pyast.Body(class)) {
		if st.Type() == "class_definition" && st.ChildByField("name").Text() == name {
			return st
		}
	}
	return pyast.Node{}
}

// qualifiedIn resolves a class name written in s's module (through its
// imports) to a qualified name.
func qualifiedIn(s *semantic.Class, n pyast.Node) string {
	if q, ok := s.File.Unit.Imports.Resolve(n); ok {
		return q
	}
	mod := strings.TrimSuffix(s.Qual, "."+s.Name)
	return mod + "." + pyast.Dotted(n)
}
