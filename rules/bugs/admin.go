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

//go:embed admin.md
var adminDoc string

// AdminUnknownField reports ModelAdmin options naming fields the model
// does not have.
var AdminUnknownField = &analyzer.Rule{
	Code:              "BUG012",
	Name:              "admin-unknown-field",
	Doc:               adminDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runAdminUnknownField,
}

// adminOption says how an admin option names fields.
type adminOption struct {
	mode  semantic.PathMode
	check string // the system check that fails, or "" when the error comes at use
	attrs bool   // model and admin attributes are accepted (list_display, readonly_fields)
	rel   bool   // only foreign keys and many-to-many fields
	paths bool   // `__` paths are checked (list_filter, search_fields, ordering)
}

var adminOptions = map[string]adminOption{
	"list_display":        {mode: semantic.ExprPath, check: "admin.E108", attrs: true},
	"list_display_links":  {mode: semantic.ExprPath, check: "admin.E111", attrs: true},
	"readonly_fields":     {mode: semantic.ExprPath, check: "admin.E035", attrs: true},
	"list_filter":         {mode: semantic.FilterPath, check: "admin.E116", paths: true},
	"ordering":            {mode: semantic.ExprPath, check: "admin.E033", paths: true},
	"search_fields":       {mode: semantic.FilterPath, paths: true},
	"date_hierarchy":      {mode: semantic.ExprPath, check: "admin.E127", paths: true},
	"raw_id_fields":       {mode: semantic.ExprPath, check: "admin.E002", rel: true},
	"autocomplete_fields": {mode: semantic.ExprPath, check: "admin.E037", rel: true},
}

// runAdminUnknownField matches ModelAdmin and inline classes (semantic
// IsAdmin) whose model rubric knows in full, and reads the literal lists
// of list_display, list_display_links, readonly_fields, list_filter,
// ordering, search_fields, date_hierarchy, raw_id_fields and
// autocomplete_fields. Names in list_display and readonly_fields may also
// be methods or attributes of the model or of the admin (through its bases
// of the tree); an admin with a base from a library is judged on field
// paths only. Django's system checks reject most of these at startup
// (`manage.py check`, runserver, migrate); a wrong search_fields path
// raises FieldError on the first search.
func runAdminUnknownField(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	for _, c := range f.Classes {
		if !c.IsAdmin() {
			continue
		}
		md := sm.AdminModel(c)
		if md == nil || !sm.FieldsKnown(md) {
			continue
		}
		closed := classClosed(sm, c)
		for st := range pyast.EachStatement(pyast.Body(c.Node)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			opt := a.ChildByField("left").Text()
			spec, ok := adminOptions[opt]
			if !ok {
				continue
			}
			items := listItems(a.ChildByField("right"))
			if v := pyast.Unparen(a.ChildByField("right")); v.Type() == "string" {
				items = []pyast.Node{v}
			}
			for _, e := range items {
				name, ok := pyast.StringValue(e)
				if !ok {
					continue
				}
				checkAdminName(p, sm, c, md, opt, spec, name, e, closed)
			}
		}
	}
	return nil
}

// searchAnnotates returns the names the admin's get_queryset or
// get_search_results (its own or a base's of the tree) annotates the
// queryset with (`queryset.annotate(search_handle=Concat(...))`, `alias`):
// the admin searches that queryset, so search_fields may name them.
func searchAnnotates(c *semantic.Class) map[string]bool {
	names := map[string]bool{}
	for _, m := range []string{"get_queryset", "get_search_results"} {
		fn := c.Method(m)
		if fn == nil {
			continue
		}
		for n := range pyast.FindEach(fn.Node, "call") {
			call, ok := pyast.AsCall(n)
			if !ok {
				continue
			}
			if name := call.MethodName(); name != "annotate" && name != "alias" {
				continue
			}
			for k := range call.EachKeyword() {
				names[k] = true
			}
		}
	}
	return names
}

// classClosed reports an admin class whose bases are the tree's or
// Django's: its attributes are all known.
func classClosed(sm *semantic.Model, c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			if sm.LookupClass(b) == nil && !strings.HasPrefix(b, "django.contrib.admin") {
				return false
			}
		}
		if bindsDynamically(cc.Node) || cc.Methods["__getattr__"] != nil {
			return false
		}
	}
	return true
}

// bindsDynamically reports a class body that binds names it does not
// spell: `locals()[name] = ...` or `vars()[name] = ...` (a mixin defining
// one display method per field in a loop), or a method that sets an
// attribute of the instance or class under a computed name
// (`setattr(self, f"display_{field}", ...)` in `__init__`): Django's
// checks read the registered instance, which then has those names.
func bindsDynamically(cls pyast.Node) bool {
	for n := range pyast.FindEach(pyast.Body(cls), "call") {
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "identifier" || c.Func.Text() != "setattr" || len(c.Positional) < 2 {
			continue
		}
		fn := pyast.Ancestor(n, "function_definition", "class_definition")
		if fn.Type() != "function_definition" || !pyast.Ancestor(fn, "class_definition").Equal(cls) {
			continue
		}
		if t := pyast.Unparen(c.Positional[0]); t.Type() != "identifier" || t.Text() != "self" && t.Text() != "cls" {
			continue
		}
		if _, literal := pyast.StringValue(c.Positional[1]); !literal {
			return true
		}
	}
	for a := range pyast.FindEach(pyast.Body(cls), "assignment") {
		if !pyast.Ancestor(a, "function_definition", "class_definition").Equal(cls) {
			continue
		}
		l := a.ChildByField("left")
		if l.Type() != "subscript" {
			continue
		}
		if c, ok := pyast.AsCall(l.ChildByField("value")); ok && len(c.Positional) == 0 {
			switch c.Func.Text() {
			case "locals", "vars":
				return true
			}
		}
	}
	return false
}

func checkAdminName(p *analyzer.Pass, sm *semantic.Model, c *semantic.Class, md *project.Model, opt string, spec adminOption, name string, at pyast.Node, closed bool) {
	path := strings.TrimLeft(name, "-^=@")
	if path == "" || path == "?" || path == "__str__" {
		return
	}
	if strings.Contains(path, "__") && !spec.paths {
		return // list_display lookups (Django 5.1) and the like are not read
	}
	if spec.attrs {
		if !closed || c.Method(path) != nil {
			return
		}
		if v, _ := c.Attr(path); !v.IsNil() {
			return
		}
		if !strings.Contains(path, "__") && sm.HasAttribute(md, path) || md.ReverseRelation(path) != nil || md.FKColumn(path) != nil {
			return
		}
		if strings.HasPrefix(path, "get_") {
			return // get_FOO_display and friends
		}
	}
	if opt == "search_fields" && searchAnnotates(c)[strings.Split(path, "__")[0]] {
		return // the admin searches a queryset it annotates with that name
	}
	e := sm.CheckPath(md, path, spec.mode, nil)
	if opt == "search_fields" && e == nil {
		// The admin appends a text lookup (icontains, istartswith,
		// iexact): a relation at the end of the path rejects it.
		if steps, ok := md.Follow(path); ok && len(steps) == len(strings.Split(path, "__")) {
			switch last := steps[len(steps)-1]; last.Kind {
			case project.AttrForward, project.AttrManyToMany, project.AttrReverseMany, project.AttrReverseOne:
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(at),
					Message: fmt.Sprintf("`%s` in `%s.search_fields` is a relation: the admin searches it with a text lookup (`%s__icontains`), and the first search raises `FieldError`",
						path, c.Name, path),
					Help: fmt.Sprintf("search a text field of the related model: `%s__<field>` (e.g. `%s__name`)", path, path),
				})
			}
		}
		return
	}
	if spec.rel && e == nil {
		if f := md.Field(path); f != nil && !f.IsRelation() {
			e = &semantic.PathError{Problem: semantic.NotRelation, Name: path, Model: md}
		}
	}
	if e == nil {
		return
	}
	where := fmt.Sprintf("`%s`", e.Model.Name)
	if e.Model != md {
		where = fmt.Sprintf("`%s` (in `%s`)", e.Model.Name, path)
		name = e.Name
	}
	what := "is not a field of " + where
	switch {
	case e.Problem == semantic.NotRelation:
		what = "is not a foreign key or many-to-many field of " + where
	case spec.attrs:
		what = fmt.Sprintf("is neither a field nor an attribute of %s or of `%s`", where, c.Name)
	}
	consequence := "Django's system check " + spec.check + " fails, and with it `manage.py check`, runserver and migrate"
	if spec.check == "" {
		consequence = "the first search raises `FieldError`"
	}
	d := analyzer.Diagnostic{
		Range:   analyzer.RangeOf(at),
		Message: fmt.Sprintf("`%s` in `%s.%s` %s: %s", name, c.Name, opt, what, consequence),
		Help:    didYouMean(e.Suggest, e.Known, fmt.Sprintf("`%s` has", e.Model.Name)),
	}
	if e.Problem == semantic.NotRelation && d.Help == "" {
		d.Help = fmt.Sprintf("`%s` takes foreign keys and many-to-many fields only: drop `%s`", opt, name)
	}
	if e.Suggest != "" {
		if edit, ok := replacePart(at, path, e.Part, e.Suggest); ok {
			d.Fixes = []analyzer.Fix{{Message: fmt.Sprintf("use `%s`", e.Suggest), Edits: []analyzer.TextEdit{edit}, Applicability: analyzer.DisplayOnly}}
		}
	}
	p.Report(d)
}
