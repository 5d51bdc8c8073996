package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed missingrow.md
var missingRowDoc string

// MissingRow500 reports `.get()` lookups of a key the client sent, in
// endpoint handlers, with nothing to turn DoesNotExist into a 404.
var MissingRow500 = &analyzer.Rule{
	Code:       "BUG013",
	Name:       "missing-row-500",
	Doc:        missingRowDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Skip:       semantic.ProductCode,
	Distinct:   true,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints},
	Run:        runMissingRow500,
}

// runMissingRow500 matches, in the handlers of judged endpoints (their own
// body, not functions they call), `.get(...)` on a queryset, manager or
// related manager whose lookup values come from the client: a parameter
// the URL fills (`pk`, `account_id`), `self.kwargs[...]`, a key of the
// request payload or query string (`request.data["to"]`,
// `request.GET.get("id")`), or a local bound once to one of these (through
// int(), str() or UUID()). Neither Django nor DRF turns DoesNotExist into
// a 404 (DRF maps Http404, not ObjectDoesNotExist), so a key no row has is
// a 500. Silent when the call sits in a try whose except catches
// DoesNotExist (any, ObjectDoesNotExist, Exception, a bare except), and
// in projects whose settings name a DRF EXCEPTION_HANDLER (it may map
// DoesNotExist); low confidence when the REST_FRAMEWORK settings cannot
// be read whole. One finding per handler, at the first lookup; the others
// are related locations.
func runMissingRow500(p *analyzer.Pass) error {
	handler, known := p.Project.Settings.RESTExceptionHandler()
	if handler {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	done := map[*semantic.Func]bool{}
	for _, e := range inv.InFile(f) {
		fn := e.Handler
		if fn == nil || done[fn] || !e.Judged(inv) {
			continue
		}
		done[fn] = true
		req := e.RequestParam
		if req == "" {
			req = "request"
		}
		var hits []pyast.Node
		var models []string
		body := pyast.Body(fn.Node)
		for call := range pyast.FindEachShallow(body, "call") {
			c, ok := pyast.AsCall(call)
			if !ok || c.Func.Type() != "attribute" || c.MethodName() != "get" {
				continue
			}
			qs := f.Eval(c.Receiver())
			if qs == nil || qs.Model == nil || !clientLookup(f, fn, req, c) || catchesMissing(body, call) ||
				serializerCheckedKey(semantic.Of(p.Project), e, body, req, c, call) {
				continue
			}
			hits = append(hits, call)
			models = append(models, qs.Model.Name)
		}
		if len(hits) == 0 {
			continue
		}
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(hits[0]),
			Message: fmt.Sprintf("`%s` raises `%s.DoesNotExist` for a key the client sent that no row has: the client gets a 500, not a 404",
				clip(hits[0].Text(), 60), models[0]),
			Help: fmt.Sprintf("`get_object_or_404(%s, ...)` (or `self.get_object()` in a DRF view), or catch `%s.DoesNotExist` and answer 404 (400 for a key in the body)", models[0], models[0]),
		}
		for i, h := range hits[1:] {
			d.Related = append(d.Related, analyzer.Related{Range: analyzer.RangeOf(h), Message: fmt.Sprintf("also raises `%s.DoesNotExist` here", models[i+1])})
		}
		if !known {
			d.Confidence = analyzer.Low // REST_FRAMEWORK may name a handler rubric cannot read
		}
		p.Report(d)
	}
	return nil
}

// serializerCheckedKey reports a lookup whose every client value is a key
// of the request payload that the view's serializer takes as a relation
// (a foreign key of its model), read after `super().create(...)` (update,
// partial_update): the mixin validated the payload first, and DRF's
// PrimaryKeyRelatedField answers 400 for a key no row has, so the row
// exists by then.
func serializerCheckedKey(sem *semantic.Model, e *semantic.Endpoint, body pyast.Node, req string, c pyast.Call, call pyast.Node) bool {
	if e.Class == nil || !pyidiom.SuperValidatedBefore(body, call) {
		return false
	}
	sc := sem.SerializerClass(e.Class)
	args := append([]pyast.Node{}, c.Positional...)
	for _, k := range c.Keywords {
		args = append(args, k)
	}
	if len(args) == 0 {
		return false
	}
	for _, a := range args {
		key, ok := payloadKeyOf(a, req)
		if !ok {
			return false
		}
		covered, field := sem.SerializerCovers(sc, key)
		if !covered || field == nil || (field.Kind != project.ForeignKey && field.Kind != project.OneToOne) {
			return false
		}
	}
	return true
}

// payloadKeyOf returns the key of `request.data["k"]` or
// `request.data.get("k")` (POST, query_params alike).
func payloadKeyOf(n pyast.Node, req string) (string, bool) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "subscript":
		if !clientSource(n.ChildByField("value"), req) || pyast.Dotted(pyast.Unparen(n.ChildByField("value"))) == "self.kwargs" {
			return "", false
		}
		return pyast.StringValue(n.ChildByField("subscript"))
	case "call":
		c, _ := pyast.AsCall(n)
		if c.Func.Type() == "attribute" && c.MethodName() == "get" && len(c.Positional) > 0 && clientSource(c.Receiver(), req) &&
			pyast.Dotted(pyast.Unparen(c.Receiver())) != "self.kwargs" {
			return pyast.StringValue(c.Positional[0])
		}
	}
	return "", false
}

// clip shortens a call's text to its first line, at most n bytes.
func clip(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "..."
	}
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// clientLookup reports whether one of the call's arguments is a value the
// client chose.
func clientLookup(f *semantic.File, fn *semantic.Func, req string, c pyast.Call) bool {
	for _, a := range c.Positional {
		if clientValue(f, fn, req, a, 0) {
			return true
		}
	}
	for _, a := range c.Keywords {
		if clientValue(f, fn, req, a, 0) {
			return true
		}
	}
	return false
}

// notFromURL are handler parameters the URL does not fill.
var notFromURL = map[string]bool{"self": true, "cls": true, "args": true, "kwargs": true, "format": true}

// payloadAttrs are the request attributes holding what the client sent.
var payloadAttrs = map[string]bool{"data": true, "POST": true, "GET": true, "query_params": true}

// conversionsOfKeys pass a key through: `int(pk)` is still the client's.
var conversionsOfKeys = map[string]bool{"int": true, "str": true, "UUID": true, "uuid.UUID": true}

func clientValue(f *semantic.File, fn *semantic.Func, req string, n pyast.Node, depth int) bool {
	n = pyast.Unparen(n)
	if depth > 3 {
		return false
	}
	switch n.Type() {
	case "identifier":
		name := n.Text()
		if name != req && !notFromURL[name] && indexOf(fn.Params, name) >= 0 && f.BindingCount(n, name) == 0 {
			return true // a URL capture: `def get(self, request, pk)`
		}
		bs := f.Bindings(n, name)
		return len(bs) == 1 && clientValue(f, fn, req, bs[0], depth+1)
	case "subscript":
		return clientSource(n.ChildByField("value"), req)
	case "call":
		c, _ := pyast.AsCall(n)
		if conversionsOfKeys[pyast.Dotted(c.Func)] && len(c.Positional) == 1 {
			return clientValue(f, fn, req, c.Positional[0], depth+1)
		}
		return c.Func.Type() == "attribute" && c.MethodName() == "get" && clientSource(c.Receiver(), req)
	}
	return false
}

// clientSource reports a mapping of what the client sent: request.data,
// request.POST, request.GET, request.query_params, and the URL's
// self.kwargs.
func clientSource(n pyast.Node, req string) bool {
	n = pyast.Unparen(n)
	if d := pyast.Dotted(n); d == "self.kwargs" {
		return true
	}
	if n.Type() != "attribute" {
		return false
	}
	obj := pyast.Dotted(n.ChildByField("object"))
	return (obj == req || obj == "self.request") && payloadAttrs[n.ChildByField("attribute").Text()]
}

// catchesMissing reports whether call sits in the try block of a try
// statement (within body) one of whose handlers catches DoesNotExist.
func catchesMissing(body, call pyast.Node) bool {
	for h := range pyidiom.TryHandlers(call, body) {
		if h.Bare() {
			return true
		}
		for _, e := range h.Types {
			// By text: `get_user_model().DoesNotExist` has no dotted name.
			d := e.Text()
			last := d[strings.LastIndex(d, ".")+1:]
			if strings.HasSuffix(last, "DoesNotExist") || last == "Exception" || last == "BaseException" {
				return true
			}
		}
	}
	return false
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}
