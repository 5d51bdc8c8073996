package semantic

import (
	"regexp"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// urlCapture matches a named capture of a URL pattern: a path converter
// (`<int:pk>`, `<slug>`) or a regular-expression group (`(?P<pk>\d+)`,
// whose `<pk>` it matches).
var urlCapture = regexp.MustCompile(`<(?:[A-Za-z_][A-Za-z0-9_]*:)?([A-Za-z_][A-Za-z0-9_]*)>`)

// URLCaptures returns the names a URL pattern captures, which Django
// passes to the view as keyword arguments: path() converters and
// re_path() named groups.
func URLCaptures(pattern string) map[string]bool {
	out := map[string]bool{}
	for _, m := range urlCapture.FindAllStringSubmatch(pattern, -1) {
		out[m[1]] = true
	}
	return out
}

// uncallableHandler reports an HTTP handler a class-based view inherits
// from a project base that no route of the view can call: dispatch calls
// `handler(request, *args, **kwargs)` with the URL's captures as keywords,
// and the base's method requires, after the request, a parameter no route
// captures (`def post(self, model, serializer, data, request)`, a helper
// the subclasses call explicitly, `ObjectApiView.post(self, Mailing,
// MailingSerializer, data, request)`, left under a handler's name): a
// subclass that does not override it answers that method with a
// TypeError, so it serves nothing. A handler the class defines itself
// is kept whatever its parameters (a mismatch there is a bug of that
// view, for the rules to report). Unknown (false) when the view has no
// route rubric reads, a route passes extra keywords (`path(..., View.as_view(),
// {"model": X})`) or unnamed regular-expression groups (positional
// arguments), or is a router registration.
func uncallableHandler(c *Class, fn *Func, rs []*Route) bool {
	if fn == nil || fn.Class == nil || fn.Class == c || len(rs) == 0 || fn.Static || fn.ClassMethod {
		return false
	}
	required := handlerRequiredParams(fn.Node)
	if len(required) < 2 {
		return false // self alone, or self and the request
	}
	required = required[2:]
	if len(required) == 0 {
		return false
	}
	for _, r := range rs {
		if r.Router || r.Node.IsNil() {
			return false
		}
		if c, ok := pyast.AsCall(r.Node); !ok || len(c.Positional) > 2 || len(c.Keywords) > 0 && !c.Keyword("kwargs").IsNil() {
			return false
		}
		if strings.Contains(strings.ReplaceAll(r.Pattern, "(?P<", ""), "(") {
			return false // an unnamed group: a positional argument
		}
		captured := URLCaptures(r.Pattern)
		ok := true
		for _, p := range required {
			if !captured[p] {
				ok = false
				break
			}
		}
		if ok {
			return false
		}
	}
	return true
}

// handlerRequiredParams returns the names of a function's parameters that take
// no default, in order, up to the first `*args`, `*` or `**kwargs`
// (keyword-only parameters are left out: a missing one is as fatal, but
// rare in handlers).
func handlerRequiredParams(def pyast.Node) []string {
	var out []string
	for p := range def.ChildByField("parameters").Named() {
		switch p.Type() {
		case "identifier":
			out = append(out, p.Text())
		case "typed_parameter":
			if id := p.NamedChild(0); id.Type() == "identifier" {
				out = append(out, id.Text())
			} else {
				return out
			}
		case "default_parameter", "typed_default_parameter":
			continue
		default: // *args, **kwargs, a bare *, a positional-only /
			if p.Type() == "positional_separator" {
				continue
			}
			return out
		}
	}
	return out
}
