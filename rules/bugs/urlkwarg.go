package bugs

import (
	_ "embed"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed urlkwarg.md
var urlKwargDoc string

// URLKwargMismatch reports a URL pattern whose captured keyword arguments
// the view it routes to cannot take: Django calls the view with them, and
// every request that matches raises TypeError.
var URLKwargMismatch = &analyzer.Rule{
	Code:              "BUG050",
	Name:              "url-kwarg-mismatch",
	Doc:               urlKwargDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.18.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          []project.Analysis{semantic.Endpoints},
	Run:               runURLKwargMismatch,
}

var (
	// unnamedGroupRe finds a capturing group without a name.
	unnamedGroupRe = regexp.MustCompile(`\([^?]`)
)

// passThroughDecorators keep a view's signature (functools.wraps and the
// same arguments handed on): Django's and DRF's view decorators.
var passThroughDecorators = map[string]bool{"api_view": true, "login_required": true, "permission_required": true,
	"csrf_exempt": true, "csrf_protect": true, "ensure_csrf_cookie": true, "require_http_methods": true,
	"require_POST": true, "require_GET": true, "require_safe": true, "never_cache": true, "cache_page": true,
	"cache_control": true, "vary_on_headers": true, "vary_on_cookie": true, "permission_classes": true,
	"authentication_classes": true, "throttle_classes": true, "renderer_classes": true, "parser_classes": true,
	"schema": true, "atomic": true, "non_atomic_requests": true, "staff_member_required": true,
	"user_passes_test": true, "xframe_options_exempt": true, "xframe_options_deny": true,
	"xframe_options_sameorigin": true, "sensitive_post_parameters": true, "sensitive_variables": true,
	"condition": true, "etag": true, "last_modified": true, "gzip_page": true, "swagger_auto_schema": true,
	"extend_schema": true, "superuser_required": true, "login_not_required": true}

// classHandlers are the methods a class-based view's dispatch() calls with
// the URL's arguments.
var classHandlers = []string{"get", "post", "put", "patch", "delete", "head", "options"}

// runURLKwargMismatch reads the routes of the endpoint inventory whose
// path()/re_path() entry this file holds and that route to a view of the
// project: a function view, or a class view's own HTTP-method handlers
// (get, post...). The keyword arguments Django passes are the pattern's
// captures (include prefixes' too: `<int:pk>`, `(?P<pk>...)`) and the
// entry's literal `kwargs` dict. A handler without `**kwargs` that has no
// parameter of a passed name, or whose parameter without a default is
// neither passed nor the request, is reported. Skipped: router
// registrations (their detail kwarg is DRF's), patterns with unnamed
// groups only (passed positionally), entries whose extra kwargs are not a
// literal dict, and views under a decorator not known to keep the
// signature.
func runURLKwargMismatch(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	// A class view routed by several entries often splits its methods
	// between them on purpose (`cart` for get and post, `cart/<int:id>`
	// for delete): a handler that does not fit one of them is a 500 on a
	// method nobody sends there, not a broken URL. Such classes are left
	// alone.
	classRoutes := map[*semantic.Class]int{}
	for _, r := range inv.Routes {
		if r.Class != nil && !r.Router {
			classRoutes[r.Class]++
		}
	}
	seen := map[int]bool{}
	for _, r := range inv.Routes {
		if r.File != sf || r.Router || seen[r.Node.StartByte()] {
			continue
		}
		own, passed, ok := routeKwargs(r)
		if !ok {
			continue
		}
		var handlers []*semantic.Func
		view := ""
		switch {
		case r.Func != nil && r.Func.Class == nil:
			handlers, view = []*semantic.Func{r.Func}, "`"+r.Func.Name+"`"
		case r.Class != nil && len(r.Actions) == 0 && classRoutes[r.Class] == 1 && r.Class.Method("dispatch") == nil && r.Class.Method("setup") == nil:
			// A dispatch() or setup() of the project's may hand the
			// handlers other arguments.
			for _, name := range classHandlers {
				if fn := r.Class.Methods[name]; fn != nil {
					handlers = append(handlers, fn)
				}
			}
			view = "`" + r.Class.Name + "`"
		}
		if reportConverterMismatch(p, r, handlers) {
			seen[r.Node.StartByte()] = true
			continue
		}
		for _, fn := range handlers {
			msg, ok := kwargMismatch(fn, own, passed)
			if !ok {
				continue
			}
			seen[r.Node.StartByte()] = true
			what, req := view, "request"
			if fn.Class != nil {
				what, req = "`"+fn.Class.Name+"."+fn.Name+"`", strings.ToUpper(fn.Name)+" request"
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(r.Node),
				Message: fmt.Sprintf("`%s` routes to %s, %s: every %s to this URL raises TypeError (a 500)", routeText(r), what, msg, req),
				Help:    "name the capture as the view's parameter (or the parameter as the capture), or give the view `**kwargs`",
				Related: []analyzer.Related{{Path: fn.File.Unit.File.Rel, Range: analyzer.RangeOf(fn.Node.ChildByField("parameters")), Message: "the view's parameters"}},
			})
			break
		}
	}
	return nil
}

// routeKwargs returns the keyword arguments Django passes the view of r:
// own, the entry's own captures and literal extra kwargs; all, those and
// the include prefixes' captures (of the prefix the inventory joined: a
// URLconf included several times has several). ok is false
// when they are not known: a pattern with unnamed regular-expression groups
// and no named one (the groups are passed positionally), or extra kwargs
// that are not a dict literal.
func routeKwargs(r *semantic.Route) (own, all map[string]bool, ok bool) {
	c, isCall := pyast.AsCall(r.Node)
	if !isCall || len(c.Positional) == 0 {
		return nil, nil, false
	}
	route, isStr := pyast.StringValue(c.Positional[0])
	if !isStr {
		return nil, nil, false
	}
	own, all = semantic.URLCaptures(route), semantic.URLCaptures(r.Pattern)
	if unnamedGroupRe.MatchString(strings.ReplaceAll(r.Pattern, `\(`, "")) {
		return nil, nil, false // unnamed groups: positional arguments, at some level
	}
	out := all
	extra := c.Keyword("kwargs")
	if extra.IsNil() && len(c.Positional) >= 3 {
		extra = c.Positional[2]
	}
	if !extra.IsNil() {
		if extra.Type() != "dictionary" {
			return nil, nil, false
		}
		for pair := range pyast.FindEachShallow(extra, "pair") {
			k, isStr := pyast.StringValue(pair.ChildByField("key"))
			if !isStr {
				return nil, nil, false
			}
			out[k] = true
			own[k] = true
		}
	}
	return own, all, true
}

// kwargMismatch says how fn cannot take the keyword arguments passed: a
// name of the entry's own it has no parameter for (without **kwargs), or
// a parameter without a default after the request that nothing passes. An
// include prefix's capture the view does not take is left alone: the same
// URLconf included under several prefixes (a mess BUG048's kind of finding
// covers) would report each combination. ok is false
// when fn takes them, or when its signature is not what Django calls (a
// decorator that may change it, *args absorbing positional groups).
func kwargMismatch(fn *semantic.Func, own, passed map[string]bool) (string, bool) {
	for _, d := range pyast.Decorators(fn.Node) {
		name := pyast.Dotted(d)
		if c, ok := pyast.AsCall(d); ok {
			name = pyast.Dotted(c.Func)
		}
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		if !passThroughDecorators[name] {
			return "", false
		}
	}
	params := fn.Node.ChildByField("parameters")
	var names, required []string
	for prm := range params.Named() {
		switch prm.Type() {
		case "dictionary_splat_pattern":
			return "", false // **kwargs takes any name
		case "list_splat_pattern", "keyword_separator", "positional_separator":
			continue
		case "identifier":
			names = append(names, prm.Text())
			required = append(required, prm.Text())
		case "typed_parameter":
			id := prm.NamedChild(0)
			if id.Type() == "dictionary_splat_pattern" {
				return "", false
			}
			if id.Type() == "identifier" {
				names = append(names, id.Text())
				required = append(required, id.Text())
			}
		case "default_parameter", "typed_default_parameter":
			names = append(names, prm.ChildByField("name").Text())
		default:
			return "", false
		}
	}
	skip := 1 // the request
	if fn.Class != nil {
		skip = 2 // self, request
	}
	if len(names) < skip || fn.Static || fn.ClassMethod {
		return "", false
	}
	if len(required) < skip || !slices.Equal(required[:skip], names[:skip]) {
		return "", false // the request with a default: not a view's signature
	}
	takes := map[string]bool{}
	for _, n := range names[skip:] {
		takes[n] = true
	}
	var unknown []string
	for k := range own {
		if !takes[k] {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	var missing []string
	for _, n := range required[skip:] {
		if !passed[n] {
			missing = append(missing, n)
		}
	}
	switch {
	case len(unknown) > 0 && len(missing) > 0:
		return fmt.Sprintf("which takes no `%s` and needs `%s`", strings.Join(unknown, "`, `"), strings.Join(missing, "`, `")), true
	case len(unknown) > 0:
		return fmt.Sprintf("which takes no parameter `%s`", strings.Join(unknown, "`, `")), true
	case len(missing) > 0:
		return fmt.Sprintf("which needs `%s` and the URL does not capture it", strings.Join(missing, "`, `")), true
	}
	return "", false
}

// routeText is the route string of r's own entry (`<str:code>/`), or the
// joined pattern when it is not a literal.
func routeText(r *semantic.Route) string {
	if c, ok := pyast.AsCall(r.Node); ok && len(c.Positional) > 0 {
		if v, ok := pyast.StringValue(c.Positional[0]); ok {
			return v
		}
	}
	return r.Pattern
}

// routeConverters returns the path converters of r's own route string by
// capture name (`<uuid:invoice_id>` gives invoice_id: uuid).
func routeConverters(r *semantic.Route) map[string]string {
	c, ok := pyast.AsCall(r.Node)
	if !ok || len(c.Positional) == 0 {
		return nil
	}
	route, ok := pyast.StringValue(c.Positional[0])
	if !ok {
		return nil
	}
	out := map[string]string{}
	for rest := route; ; {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		if conv, name, ok := strings.Cut(rest[i+1:i+j], ":"); ok {
			out[name] = conv
		}
		rest = rest[i+j+1:]
	}
	return out
}

// keyKind is "int" for an integer column (an auto or integer field, or the
// implicit `id`) and "uuid" for a UUIDField; "" when unknown. key is a
// lookup's keyword: `pk`, `id` or a field name (`__exact` stripped).
func keyKind(md *project.Model, key string) string {
	if md == nil || !md.Complete || md.External {
		return ""
	}
	key = strings.TrimSuffix(key, "__exact")
	if strings.Contains(key, "__") {
		return ""
	}
	var f *project.Field
	declaredPK := false
	for _, fd := range md.Fields {
		if fd.PrimaryKey {
			declaredPK = true
			if key == "pk" {
				f = fd
			}
		}
	}
	if f == nil && key != "pk" {
		f = md.Field(key)
	}
	if f == nil {
		if !declaredPK && (key == "pk" || key == "id") {
			return "int" // Django's implicit AutoField
		}
		return ""
	}
	if f.IsRelation() {
		return ""
	}
	cls := f.Class[strings.LastIndexByte(f.Class, '.')+1:]
	switch {
	case cls == "UUIDField":
		return "uuid"
	case strings.HasSuffix(cls, "AutoField") || strings.HasSuffix(cls, "IntegerField"):
		return "int"
	}
	return ""
}

// reportConverterMismatch reports a route whose path converter hands the
// view a value of another type than the column the view looks it up in:
// `<uuid:invoice_id>` and `Invoice.objects.get(id=invoice_id)` on an
// integer key (the lookup never matches: a 404 or a 500 on every request),
// or `<int:pk>` on a UUIDField. It reads the handlers' own lookups
// (`get`, `filter`, `exclude` on a queryset of a project model whose fields
// are all known, `get_object_or_404(Model, ...)`) keyed by the captured
// parameter, unless the handler rebinds it. One finding per route.
func reportConverterMismatch(p *analyzer.Pass, r *semantic.Route, handlers []*semantic.Func) bool {
	convs := routeConverters(r)
	for _, name := range slices.Sorted(maps.Keys(convs)) {
		conv := convs[name]
		if conv != "uuid" && conv != "int" {
			continue
		}
		for _, fn := range handlers {
			if fn.File == nil || !slices.Contains(fn.Params, name) || rebinds(fn.Node, name) {
				continue
			}
			for call := range pyast.FindEach(pyast.Body(fn.Node), "call") {
				c, _ := pyast.AsCall(call)
				method := c.MethodName()
				var md *project.Model
				switch {
				case (method == "get_object_or_404" || method == "get_list_or_404") && len(c.Positional) == 1:
					if fn.File.M.Graph != nil {
						md = fn.File.M.Graph.Lookup(fn.File.Unit, pyast.Dotted(c.Positional[0]))
					}
				case (method == "get" || method == "filter" || method == "exclude") && c.Func.Type() == "attribute":
					if q := fn.File.Eval(c.Receiver()); q != nil {
						md = q.Model
					}
				}
				if md == nil {
					continue
				}
				for _, key := range slices.Sorted(maps.Keys(c.Keywords)) {
					v := pyast.Unparen(c.Keywords[key])
					if v.Type() != "identifier" || v.Text() != name {
						continue
					}
					kind := keyKind(md, key)
					if kind == "" || kind == conv {
						continue
					}
					what := map[string]string{"int": "an integer", "uuid": "a UUID"}
					p.Report(analyzer.Diagnostic{
						Range: analyzer.RangeOf(r.Node),
						Message: fmt.Sprintf("`%s` hands `%s` to the view as %s, but `%s` looks it up in `%s.%s`, which holds %s: the lookup never matches, so every request to this URL fails (a 404, or a 500)",
							routeText(r), name, what[conv], pyast.OneLine(call, 60), md.Name, strings.TrimSuffix(key, "__exact"), what[kind]),
						Help:    fmt.Sprintf("capture it with the converter of the column (`<%s:%s>`), or look the row up by the column the URL carries", kind, name),
						Related: []analyzer.Related{{Path: fn.File.Unit.File.Rel, Range: analyzer.RangeOf(call), Message: "the lookup"}},
					})
					return true
				}
			}
		}
	}
	return false
}

// rebinds reports an assignment to name in fn's own body.
func rebinds(fn pyast.Node, name string) bool {
	for a := range pyast.FindEachShallow(pyast.Body(fn), "assignment", "augmented_assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" && l.Text() == name {
			return true
		}
	}
	return false
}
