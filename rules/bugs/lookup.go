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

//go:embed lookup.md
var lookupDoc string

// UnknownField reports ORM calls naming fields the model does not have.
var UnknownField = &analyzer.Rule{
	Code:              "BUG001",
	Name:              "unknown-field-lookup",
	Doc:               lookupDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runUnknownField,
}

// pathArgs says, for each ORM method, how its arguments name fields.
type pathArgs struct {
	kwargs     semantic.PathMode // mode of keyword names (when checked)
	checkKw    bool
	positional semantic.PathMode // mode of positional strings (when checked)
	checkPos   bool
	exprs      bool   // scan arguments for F(), Q(), When() and aggregates
	skip       string // a keyword that is not a field ("defaults")
	verb       string // what Django raises
}

var ormMethods = map[string]pathArgs{
	"filter":           {kwargs: semantic.FilterPath, checkKw: true, exprs: true, verb: "`FieldError`"},
	"exclude":          {kwargs: semantic.FilterPath, checkKw: true, exprs: true, verb: "`FieldError`"},
	"get":              {kwargs: semantic.FilterPath, checkKw: true, exprs: true, verb: "`FieldError`"},
	"get_or_create":    {kwargs: semantic.FilterPath, checkKw: true, exprs: true, skip: "defaults", verb: "`FieldError`"},
	"update_or_create": {kwargs: semantic.FilterPath, checkKw: true, exprs: true, skip: "defaults", verb: "`FieldError`"},
	"order_by":         {positional: semantic.ExprPath, checkPos: true, exprs: true, verb: "`FieldError`"},
	"values":           {positional: semantic.ExprPath, checkPos: true, exprs: true, verb: "`FieldError`"},
	"values_list":      {positional: semantic.ExprPath, checkPos: true, exprs: true, skip: "flat", verb: "`FieldError`"},
	"distinct":         {positional: semantic.ExprPath, checkPos: true, verb: "`FieldError`"},
	"only":             {positional: semantic.ExprPath, checkPos: true, verb: "`FieldDoesNotExist`"},
	"defer":            {positional: semantic.ExprPath, checkPos: true, verb: "`FieldDoesNotExist`"},
	"latest":           {positional: semantic.ExprPath, checkPos: true, verb: "`FieldError`"},
	"earliest":         {positional: semantic.ExprPath, checkPos: true, verb: "`FieldError`"},
	"select_related":   {positional: semantic.SelectPath, checkPos: true, verb: "`FieldError`"},
	"prefetch_related": {positional: semantic.PrefetchPath, checkPos: true, verb: "`AttributeError`"},
	"annotate":         {exprs: true, verb: "`FieldError`"},
	"alias":            {exprs: true, verb: "`FieldError`"},
	"aggregate":        {exprs: true, verb: "`FieldError`"},
	"update":           {kwargs: semantic.UpdatePath, checkKw: true, exprs: true, verb: "`FieldDoesNotExist`"},
	"create":           {kwargs: semantic.CreatePath, checkKw: true, verb: "`TypeError`"},
}

// runUnknownField matches ORM calls on a queryset or manager of a model
// whose fields the tree fully defines (semantic.FieldsKnown: no base from a
// library, nothing added at run time), reached with certainty (not through
// a parameter whose callers pass it), and whose chain adds no names rubric
// cannot read (a custom manager or method that annotates, extra(),
// **kwargs). It checks filter/exclude/get keywords (with `__` paths and
// lookups), Q() and When() keywords, F() and aggregate arguments,
// order_by/values/values_list/only/defer/latest/distinct fields,
// select_related relations, prefetch_related attributes, update() and
// create() keywords, and `save(update_fields=[...])` on a row of a known
// model. Annotations and aliases of the chain count as names. Keyword
// names built at run time (**kwargs) and non-literal strings are not read.
func runUnknownField(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil || p.Project.Models == nil {
		return nil
	}
	c := &lookupCheck{p: p, sm: sm, f: f}
	for call := range pyast.FindEach(p.Root, "call") {
		if call.ChildByField("function").Type() != "attribute" {
			continue
		}
		h, _ := pyast.AsCallHead(call)
		method := h.MethodName()
		if _, orm := ormMethods[method]; !orm && method != "save" {
			continue
		}
		cl, _ := pyast.AsCall(call)
		if method == "save" {
			c.saveFields(cl)
			continue
		}
		spec, ok := ormMethods[method]
		if !ok {
			continue
		}
		if (method == "select_related" || method == "prefetch_related") && !loadsRows(call) {
			continue
		}
		q := f.Eval(cl.Receiver())
		if q == nil || q.Model == nil || q.Certainty != semantic.Certain || q.NamesOpen || !sm.FieldsKnown(q.Model) ||
			sm.ManagerOverrides(q.Model, method) ||
			historical(cl.Receiver()) {
			continue
		}
		c.call(cl, method, spec, q)
	}
	return nil
}

type lookupCheck struct {
	p  *analyzer.Pass
	sm *semantic.Model
	f  *semantic.File
}

// call checks one ORM call on queryset q.
func (c *lookupCheck) call(cl pyast.Call, method string, spec pathArgs, q *semantic.QS) {
	names := append([]string(nil), q.Annotated...)
	for k := range cl.EachKeyword() {
		if method == "annotate" || method == "alias" || method == "values" {
			names = append(names, k) // a sibling annotation may be referenced by F()
		}
	}
	if method == "prefetch_related" {
		names = append(names, q.Prefetch...)
		for _, a := range cl.Positional {
			if pc, ok := pyast.AsCall(a); ok {
				if to, ok := pyast.StringValue(pc.Keyword("to_attr")); ok {
					names = append(names, to)
				}
			}
		}
	}
	if spec.checkKw {
		for _, kw := range sortedKeys(cl.Keywords) {
			if kw == spec.skip || kw == "create_defaults" && spec.skip == "defaults" {
				continue
			}
			name := cl.KeywordArg(kw).ChildByField("name")
			c.path(q.Model, kw, spec.kwargs, names, name, method, spec.verb)
		}
	}
	if spec.checkPos {
		for _, a := range cl.Positional {
			s, ok := pyast.StringValue(a)
			if !ok {
				if pc, isCall := pyast.AsCall(a); isCall && method == "prefetch_related" && strings.HasSuffix(pyast.Dotted(pc.Func), "Prefetch") {
					if s, ok := pyast.StringValue(pc.Arg(0, "lookup")); ok {
						c.path(q.Model, s, semantic.PrefetchPath, names, pc.Arg(0, "lookup"), method, spec.verb)
					}
				}
				continue
			}
			if spec.positional == semantic.ExprPath {
				if s == "?" || strings.Contains(s, ".") {
					continue // random order; "table.column" of extra()
				}
				s = strings.TrimLeft(s, "-+")
			}
			c.path(q.Model, s, spec.positional, names, a, method, spec.verb)
		}
	}
	if spec.exprs {
		for _, a := range cl.Positional {
			c.expr(a, q.Model, names, method, 0)
		}
		for _, kw := range sortedKeys(cl.Keywords) {
			if kw == spec.skip {
				continue
			}
			c.expr(cl.Keywords[kw], q.Model, names, method, 0)
		}
	}
}

// loadsRows reports whether the chain a select_related() or
// prefetch_related() call is part of may still load model rows: Django
// ignores both when the chain goes on to values(), count(), exists(),
// aggregate(), update() or delete().
func loadsRows(call pyast.Node) bool {
	for cur := call; ; {
		attr := cur.Parent()
		if attr.Type() != "attribute" || !attr.ChildByField("object").Equal(cur) {
			return true
		}
		next := attr.Parent()
		if next.Type() != "call" {
			return true
		}
		switch attr.ChildByField("attribute").Text() {
		case "values", "values_list", "count", "exists", "aggregate", "update", "delete", "in_bulk", "contains":
			return false
		}
		cur = next
	}
}

// saveFields checks `row.save(update_fields=[...])`.
func (c *lookupCheck) saveFields(cl pyast.Call) {
	list := pyast.Unparen(cl.Keyword("update_fields"))
	if !list.Is("list", "tuple", "set") {
		return
	}
	md, _, cert := c.f.InstanceCertainty(cl.Receiver())
	if md == nil || cert != semantic.Certain || !c.sm.FieldsKnown(md) {
		return
	}
	handled := saveHandles(c.sm, md)
	for e := range list.Named() {
		if s, ok := pyast.StringValue(e); ok && !handled[s] {
			c.path(md, s, semantic.UpdatePath, nil, e, cl.MethodName(), "`ValueError`")
		}
	}
}

// saveHandles returns the strings a save() override of the model (or of a
// project base) names in its body: an override that asks `"ssn_suffix" in
// update_fields` rewrites that name (to the column a property setter
// fills) before Django sees it.
func saveHandles(sm *semantic.Model, md *project.Model) map[string]bool {
	cls := sm.LookupClass(md.Qual)
	if cls == nil {
		return nil
	}
	fn := cls.Method("save")
	if fn == nil || !slices.Contains(fn.Params, "update_fields") && !strings.Contains(pyast.Body(fn.Node).Text(), "update_fields") {
		return nil
	}
	out := map[string]bool{}
	for n := range pyast.FindEach(pyast.Body(fn.Node), "string") {
		if v, ok := pyast.StringValue(n); ok {
			out[v] = true
		}
	}
	return out
}

// exprFuncs are the query expressions whose string arguments name fields:
// all positional strings for these, the first one for other functions of
// django.db.models (Sum("amount"), Lower("name")...).
var exprAllStrings = map[string]bool{"Coalesce": true, "Concat": true, "Greatest": true, "Least": true}

// keyTransforms are the JSON key transforms, whose first argument is a
// key inside the JSON value and whose second names the field.
var keyTransforms = map[string]bool{"KeyTransform": true, "KeyTextTransform": true}

// exprOpaque are expressions whose arguments belong to another query or
// are not field names.
var exprOpaque = map[string]bool{"Subquery": true, "Exists": true, "OuterRef": true, "Value": true, "RawSQL": true,
	"Prefetch": true, "Func": true, "Window": true, "ExpressionWrapper": false, "Cast": false}

// expr scans a query expression for F(), Q(), When() and function
// arguments naming fields of md.
func (c *lookupCheck) expr(n pyast.Node, md *project.Model, names []string, method string, depth int) {
	if depth > 12 || n.IsNil() {
		return
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "binary_operator", "boolean_operator", "unary_operator", "not_operator", "list", "tuple", "comparison_operator":
		for k := range n.Named() {
			c.expr(k, md, names, method, depth+1)
		}
		return
	case "call":
	default:
		return
	}
	cl, _ := pyast.AsCall(n)
	if cl.Func.Type() == "attribute" {
		switch cl.MethodName() {
		case "desc", "asc", "bitand", "bitor", "bitxor", "bitleftshift", "bitrightshift":
			c.expr(cl.Receiver(), md, names, method, depth+1)
			return
		}
	}
	q, ok := c.p.Imports.Resolve(cl.Func)
	if !ok || !(strings.HasPrefix(q, "django.db.models.") || strings.HasPrefix(q, "django.contrib.postgres.")) {
		return
	}
	name := q[strings.LastIndex(q, ".")+1:]
	if exprOpaque[name] {
		return
	}
	switch name {
	case "F":
		if len(cl.Positional) == 1 {
			if s, ok := pyast.StringValue(cl.Positional[0]); ok {
				c.path(md, s, semantic.ExprPath, names, cl.Positional[0], method, "`FieldError`")
			}
		}
		return
	case "Q", "When":
		for _, kw := range sortedKeys(cl.Keywords) {
			if kw == "then" || kw == "_connector" || kw == "_negated" {
				continue
			}
			c.path(md, kw, semantic.FilterPath, names, cl.KeywordArg(kw).ChildByField("name"), method, "`FieldError`")
		}
		for _, a := range cl.Positional {
			c.expr(a, md, names, method, depth+1)
		}
		if t := cl.Keyword("then"); !t.IsNil() {
			c.expr(t, md, names, method, depth+1)
		}
		return
	}
	field := 0 // the positional string that names a field
	if keyTransforms[name] {
		field = 1 // KeyTextTransform("key", "data"): a JSON key, then the field
	}
	for i, a := range cl.Positional {
		if s, ok := pyast.StringValue(a); ok {
			if s != "*" && (i == field || exprAllStrings[name]) {
				c.path(md, s, semantic.ExprPath, names, a, method, "`FieldError`")
			}
			continue
		}
		c.expr(a, md, names, method, depth+1)
	}
	for _, kw := range sortedKeys(cl.Keywords) {
		switch kw {
		case "filter", "default", "then", "condition":
			c.expr(cl.Keywords[kw], md, names, method, depth+1)
		}
	}
}

// hasattrGuarded reports a lookup under an `if` whose test asks
// `hasattr(..., "name")` of its first name: code shared by several models
// (`if hasattr(self.model, "group"): items.filter(group__in=...)`) that
// only runs the lookup on the models that have it.
func hasattrGuarded(at pyast.Node, name string) bool {
	for n := at.Parent(); !n.IsNil() && !n.Is("function_definition", "class_definition"); n = n.Parent() {
		if n.Type() != "if_statement" {
			continue
		}
		for call := range pyast.FindEach(n.ChildByField("condition"), "call") {
			cl, _ := pyast.AsCall(call)
			if pyast.Dotted(cl.Func) != "hasattr" || len(cl.Positional) < 2 {
				continue
			}
			if s, ok := pyast.StringValue(cl.Positional[1]); ok && s == name {
				return true
			}
		}
	}
	return false
}

// path checks one lookup path and reports what Django rejects.
func (c *lookupCheck) path(md *project.Model, path string, mode semantic.PathMode, names []string, at pyast.Node, method, verb string) {
	e := c.sm.CheckPath(md, path, mode, names)
	if e == nil || hasattrGuarded(at, strings.SplitN(path, "__", 2)[0]) {
		return
	}
	call := "`." + method + "()`"
	if method == "save" {
		call = "`.save(update_fields=...)`"
	}
	where := fmt.Sprintf("`%s`", e.Model.Name)
	if strings.Contains(path, "__") {
		where = fmt.Sprintf("in `%s`, `%s`", path, e.Model.Name)
	}
	var msg, help string
	switch e.Problem {
	case semantic.NoSuchName:
		what := "no field"
		switch mode {
		case semantic.PrefetchPath:
			what = "no relation or attribute"
		case semantic.FilterPath, semantic.ExprPath:
			what = "no field or relation"
		}
		msg = fmt.Sprintf("%s has %s `%s`: %s raises %s", where, what, e.Name, call, verb)
		help = didYouMean(e.Suggest, e.Known, fmt.Sprintf("`%s` has", e.Model.Name))
	case semantic.NotRelation:
		msg = fmt.Sprintf("%s: `%s` is a column, not a relation: %s raises `FieldError`", where, e.Name, call)
		help = didYouMean(e.Suggest, e.Known, "the relations it can follow are")
		if e.Suggest == "" {
			help = "drop it from `select_related()`: columns are loaded with the row anyway"
		}
	case semantic.ManyInSelect:
		msg = fmt.Sprintf("%s: `%s` is a to-many relation: %s raises `FieldError`", where, e.Name, call)
		help = fmt.Sprintf("load it with `prefetch_related(%q)`", path)
	case semantic.NotPrefetchable:
		msg = fmt.Sprintf("%s: `%s` is a column, not a relation: %s raises `ValueError`", where, e.Name, call)
		help = didYouMean(e.Suggest, e.Known, "the relations it can prefetch are")
		if e.Suggest == "" {
			help = "drop it: columns are loaded with the row"
		}
	case semantic.BadLookup:
		msg = fmt.Sprintf("`%s`: `%s` is not a lookup Django knows: %s raises `FieldError`", path, e.Name, call)
		help = didYouMean(e.Suggest, nil, "")
	}
	d := analyzer.Diagnostic{Range: analyzer.RangeOf(at), Message: msg, Help: help}
	if e.Suggest != "" {
		if edit, ok := replacePart(at, path, e.Part, e.Suggest); ok {
			d.Fixes = []analyzer.Fix{{Message: fmt.Sprintf("use `%s`", e.Suggest), Edits: []analyzer.TextEdit{edit},
				Applicability: analyzer.DisplayOnly}}
		}
	}
	c.p.Report(d)
}

// replacePart replaces part i of the path written at node `at` (a keyword
// name or a string literal) with repl.
func replacePart(at pyast.Node, path string, i int, repl string) (analyzer.TextEdit, bool) {
	text := at.Text()
	off := strings.Index(text, path)
	if off < 0 {
		return analyzer.TextEdit{}, false
	}
	parts := strings.Split(path, "__")
	for k := 0; k < i; k++ {
		off += len(parts[k]) + 2
	}
	start := at.StartByte() + off
	return analyzer.TextEdit{Range: analyzer.Range{Start: start, End: start + len(parts[i])}, NewText: repl}, true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// historical reports whether a chain starts at a name bound, in its
// function, to `apps.get_model(...)` where `apps` is a parameter of that
// function: the `(apps, schema_editor)` of a data migration's RunPython,
// whose models are historical, with the fields of the migration state
// rather than today's (a field renamed since is still there). Migrations
// outside a `migrations` package (a `db_migrations` folder) are
// recognised this way, and so are the querysets and rows a function reaches
// from such a model (`vrfs = VRF.objects.all()`, `for ifc in qs:`).
// Django's global registry (`django.apps.apps`) returns today's models,
// which are judged.
func historical(recv pyast.Node) bool { return historicalAt(recv, 0) }

func historicalAt(recv pyast.Node, depth int) bool {
	root := recv
	for root.Is("call", "attribute", "subscript") {
		switch root.Type() {
		case "call":
			root = root.ChildByField("function")
		case "subscript":
			root = root.ChildByField("value")
		default:
			root = root.ChildByField("object")
		}
	}
	fn := pyast.Ancestor(recv, "function_definition")
	if root.Type() != "identifier" || fn.IsNil() || depth > 4 {
		return false
	}
	params := pyast.ParamNames(fn)
	for a := range pyast.FindEach(fn, "assignment", "for_statement") {
		if a.StartByte() >= root.StartByte() {
			break
		}
		if a.ChildByField("left").Text() != root.Text() {
			continue
		}
		right := a.ChildByField("right")
		c, ok := pyast.AsCall(right)
		if a.Type() == "assignment" && ok && c.MethodName() == "get_model" && c.Func.Type() == "attribute" && containsStr(params, pyast.Dotted(c.Receiver())) {
			return true
		}
		// A queryset or a row reached from a historical model
		// (`vrfs = VRF.objects.all()`, `for ifc in ip_interfaces:`).
		if historicalAt(pyast.Unparen(right), depth+1) {
			return true
		}
	}
	return false
}
