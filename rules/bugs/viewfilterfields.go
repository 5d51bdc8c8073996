package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed viewfilterfields.md
var viewFilterFieldsDoc string

// ViewUnknownFilterField reports a DRF view's search_fields,
// ordering_fields or filterset_fields naming a field its model does not
// have, when the view uses the filter backend that reads the list.
var ViewUnknownFilterField = &analyzer.Rule{
	Code:              "BUG077",
	Name:              "view-unknown-filter-field",
	Doc:               viewFilterFieldsDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.29.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          []project.Analysis{semantic.Project, semantic.Endpoints},
	Run:               runViewUnknownFilterField,
}

// filterLists are the view attributes read by a filter backend, the
// backend (its class name) and what a name there becomes.
var filterLists = []struct{ attr, backend, does string }{
	{"search_fields", "SearchFilter", "any search builds a lookup on it and Django raises `FieldError`, a 500"},
	{"ordering_fields", "OrderingFilter", "ordering by it raises `FieldError`, a 500"},
	{"filterset_fields", "DjangoFilterBackend", "django-filter refuses to build the filterset: every request to the view fails"},
}

// runViewUnknownFilterField reads the DRF views of the file whose model
// rubric knows (the endpoint inventory's) and whose queryset is not
// annotated (queryset attribute and get_queryset read as text), and the
// string literals of their search_fields, ordering_fields and
// filterset_fields (a list, a tuple or a dict's keys), their own or a
// project base's: a name (without SearchFilter's ^ = @ $ prefixes or
// ordering's -) whose lookup path the model does not resolve is reported,
// when the view's filter_backends (its own, a base's, or
// REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS) name the backend reading it.
func runViewUnknownFilterField(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	sf := sm.File(p.Unit)
	if sf == nil {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	seen := map[*semantic.Class]bool{}
	for _, e := range inv.ViewsIn(sf) {
		c := e.Class
		if c == nil || seen[c] || c.File != sf || e.Model == nil {
			continue
		}
		seen[c] = true
		if annotatedQueryset(c) {
			continue
		}
		backends := filterBackends(p.Project, c)
		for _, fl := range filterLists {
			v, decl := c.Attr(fl.attr)
			if v.IsNil() || decl == nil || decl.File != sf || !backends[fl.backend] {
				continue
			}
			for _, s := range listedNames(v) {
				name, _ := pyast.StringValue(s)
				path := strings.TrimLeft(name, "^=@$-")
				if path == "" || path == "__all__" {
					continue
				}
				err := sm.CheckPath(e.Model, path, semantic.FilterPath, nil)
				if err == nil || err.Problem != semantic.NoSuchName {
					continue
				}
				where := fmt.Sprintf("`%s`", err.Model.Name)
				if strings.Contains(path, "__") {
					where = fmt.Sprintf("in `%s`, `%s`", path, err.Model.Name)
				}
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(s),
					Message: fmt.Sprintf("`%s` of `%s` names `%s`, but %s has no field or relation `%s`: %s",
						fl.attr, c.Name, name, where, err.Name, fl.does),
					Help: didYouMean(err.Suggest, err.Known, fmt.Sprintf("`%s` has", err.Model.Name)),
				})
			}
		}
	}
	return nil
}

// annotatedQueryset reports a view whose queryset attribute or
// get_queryset adds names to the rows (annotate, alias, extra): the lists
// may name those.
func annotatedQueryset(c *semantic.Class) bool {
	var texts []string
	if v, _ := c.Attr("queryset"); !v.IsNil() {
		texts = append(texts, v.Text())
	}
	if fn := c.Method("get_queryset"); fn != nil {
		texts = append(texts, fn.Node.Text())
	}
	for _, t := range texts {
		if strings.Contains(t, "annotate(") || strings.Contains(t, "alias(") || strings.Contains(t, "extra(") {
			return true
		}
	}
	return false
}

// filterBackends returns the class names of the filter backends c uses:
// its filter_backends (own or a project base's) as written, else
// REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS.
func filterBackends(ix *project.Index, c *semantic.Class) map[string]bool {
	out := map[string]bool{}
	if v, _ := c.Attr("filter_backends"); !v.IsNil() {
		for _, e := range listElements(v) {
			d := pyast.Dotted(pyast.Unparen(e))
			out[d[strings.LastIndex(d, ".")+1:]] = true
		}
		return out
	}
	if ix.Settings == nil {
		return out
	}
	classes, _, _ := ix.Settings.RESTDefault("DEFAULT_FILTER_BACKENDS")
	for _, q := range classes {
		out[q[strings.LastIndex(q, ".")+1:]] = true
	}
	return out
}

// listElements returns the elements of a list or tuple literal.
func listElements(v pyast.Node) []pyast.Node {
	v = pyast.Unparen(v)
	if v.Type() != "list" && v.Type() != "tuple" {
		return nil
	}
	return v.NamedChildren()
}

// listedNames returns the string literals of a list or tuple literal, or
// the keys of a dict literal.
func listedNames(v pyast.Node) []pyast.Node {
	v = pyast.Unparen(v)
	var out []pyast.Node
	if v.Type() == "dictionary" {
		for pair := range v.Named() {
			if pair.Type() == "pair" {
				if k := pair.ChildByField("key"); k.Type() == "string" {
					out = append(out, k)
				}
			}
		}
		return out
	}
	for _, e := range listElements(v) {
		if e.Type() == "string" {
			out = append(out, e)
		}
	}
	return out
}
