package bugs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unsavedwrite.md
var unsavedWriteDoc string

// UnsavedWrite reports a field of a row the function loaded assigned (an
// F() expression above all) when the row is never saved, nor used at all,
// afterwards: the change is lost.
var UnsavedWrite = &analyzer.Rule{
	Code:       "BUG018",
	Name:       "row-change-never-saved",
	Doc:        unsavedWriteDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   requires,
	Run:        runUnsavedWrite,
}

// runUnsavedWrite matches `row.field = value` where row is a local name of
// the enclosing function, bound only by assignments of calls that load a
// row of a project model (`Model.objects.get(...)`, `.first()`,
// `get_object_or_404`...), and row is not mentioned again in the function
// after the assignment (in a loop, anywhere else in the loop): no save(),
// no call it is passed to, no return. The object dies with the function,
// and the assignment with it. An F() expression can only be written by a
// save, so that case is certain; other values are reported at medium
// confidence (a dead store, most often a forgotten save). Parameters,
// self, attributes of other objects and rows from caches are left alone:
// someone else may hold the object and save it.
func runUnsavedWrite(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for a := range pyast.FindEach(p.Root, "assignment", "augmented_assignment") {
		left := a.ChildByField("left")
		if left.Type() != "attribute" || a.Parent().Type() != "expression_statement" {
			continue
		}
		obj := left.ChildByField("object")
		if obj.Type() != "identifier" {
			continue
		}
		name := obj.Text()
		if name == "self" || name == "cls" {
			continue
		}
		def := pyast.EnclosingFunction(a)
		if def.IsNil() {
			continue
		}
		if !loadedRowLocal(f, def, a, name) {
			continue
		}
		field := left.ChildByField("attribute").Text()
		refresh := discardedByRefresh(def, a, name, field)
		if refresh.IsNil() && mentionedAfter(def, a, name) {
			continue
		}
		md, _ := f.Instance(obj)
		if md == nil || md.External {
			continue
		}
		right := a.ChildByField("right")
		if k := md.Attr(field).Kind; k != project.AttrColumn && k != project.AttrForward {
			// A property's setter, a descriptor or a plain attribute: not
			// a column save() would write (ralph's CloudHost.ip_addresses
			// setter writes the addresses itself).
			continue
		}
		d := analyzer.Diagnostic{Range: analyzer.RangeOf(a)}
		verb := "set"
		if a.Type() == "augmented_assignment" {
			verb = "changed"
		}
		if !refresh.IsNil() {
			// The next thing done with the row reloads it from the
			// database: the change is overwritten, certain whatever the
			// value.
			d.Message = fmt.Sprintf("`%s.%s` is %s and then `%s.refresh_from_db()` reloads it before any save: the change is discarded",
				name, field, verb, name)
			d.Help = fmt.Sprintf("save it first (`%s.save(update_fields=[\"%s\"])`), or update the row directly (`%s.objects.filter(pk=%s.pk).update(%s=...)`)",
				name, field, md.Name, name, field)
			d.Related = []analyzer.Related{{Range: analyzer.RangeOf(refresh), Message: "reloaded here"}}
			p.Report(d)
			continue
		}
		if hasFCall(p, right) {
			d.Message = fmt.Sprintf("`%s.%s` is set to `%s` but `%s` is never saved afterwards: the F() expression is only written by save(), so the change is lost",
				name, field, pyast.OneLine(right, 40), name)
			d.Help = fmt.Sprintf("save it (`%s.save(update_fields=[\"%s\"])`) or update the row directly (`%s.objects.filter(pk=%s.pk).update(%s=...)`)",
				name, field, md.Name, name, field)
		} else {
			d.Message = fmt.Sprintf("`%s.%s` is %s but `%s`, a `%s` row loaded here, is never saved nor used afterwards: the change is lost",
				name, field, verb, name, md.Name)
			d.Help = fmt.Sprintf("call `%s.save(update_fields=[\"%s\"])`, or drop the assignment", name, field)
			d.Confidence = analyzer.Medium
		}
		p.Report(d)
	}
	reportUnsavedSerializerUpdates(p, f)
	return nil
}

// ormKeywordTakers are the manager and queryset methods that take a row
// as a keyword value (a relation's value or a lookup): handing the
// instance to one of them saves nothing of it.
var ormKeywordTakers = map[string]bool{"create": true, "get_or_create": true, "update_or_create": true,
	"filter": true, "exclude": true, "get": true}

// reportUnsavedSerializerUpdates matches the update() of a DRF serializer
// class (with a Meta.model rubric reads) that sets a column of its
// instance and never saves it: DRF's save() calls update() and saves
// nothing itself, so the change is lost, while the response, built from
// the object in memory, shows it. The instance must be used only by
// reading its attributes, setting its columns, returning it, or as a
// keyword value of an ORM call (`Line.objects.create(order=instance)`);
// any other use (a method call, an argument, super().update(), a save or
// queryset update reached through it, a nested function) may save it.
func reportUnsavedSerializerUpdates(p *analyzer.Pass, f *semantic.File) {
	sm := f.M
	for _, c := range f.Classes {
		fn := c.Methods["update"]
		if fn == nil || len(fn.Params) < 3 || !c.DerivesFrom(drfDictSerializers...) {
			continue
		}
		md := sm.SerializerModel(c)
		if md == nil || md.External {
			continue
		}
		if first := unsavedInstanceWrite(fn, fn.Params[1], md); !first.IsNil() {
			left := first.ChildByField("left")
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(first),
				Message: fmt.Sprintf("`%s.update()` sets `%s` but never saves `%s`: DRF's `save()` only calls `update()`, so the change is lost (the response, built from the object in memory, still shows it)",
					c.Name, left.Text(), fn.Params[1]),
				Help: fmt.Sprintf("call `%s.save()` before returning it (or `super().update(%s, validated_data)`)", fn.Params[1], fn.Params[1]),
			})
		}
	}
}

// unsavedInstanceWrite returns the first assignment to a column of md on
// inst in fn's body when nothing else in the body may save inst, else
// the nil node.
func unsavedInstanceWrite(fn *semantic.Func, inst string, md *project.Model) pyast.Node {
	body := pyast.Body(fn.Node)
	var first pyast.Node
	for id := range pyast.FindEach(body, "identifier") {
		if id.Text() != inst {
			continue
		}
		if !pyast.EnclosingFunction(id).Equal(fn.Node) {
			return pyast.Node{} // a nested function or lambda may save it
		}
		for up := id.Parent(); !up.Equal(body); up = up.Parent() {
			if c, ok := pyast.AsCall(up); ok {
				switch c.MethodName() {
				case "save", "update", "bulk_update", "save_base", "refresh_from_db", "delete":
					return pyast.Node{}
				}
			}
		}
		parent := id.Parent()
		switch parent.Type() {
		case "attribute":
			if !parent.ChildByField("object").Equal(id) {
				return pyast.Node{}
			}
			grand := parent.Parent()
			if c, ok := pyast.AsCall(grand); ok && c.Func.Equal(parent) {
				return pyast.Node{} // a method of the row: it may save it
			}
			if (grand.Type() == "assignment" || grand.Type() == "augmented_assignment") && grand.ChildByField("left").Equal(parent) {
				k := md.Attr(parent.ChildByField("attribute").Text()).Kind
				if (k == project.AttrColumn || k == project.AttrForward) && first.IsNil() {
					first = grand
				}
			}
		case "return_statement":
		case "keyword_argument":
			c, ok := pyast.AsCall(parent.Parent().Parent())
			if !ok || !ormKeywordTakers[c.MethodName()] || !parent.ChildByField("value").Equal(id) {
				return pyast.Node{}
			}
		default:
			return pyast.Node{}
		}
	}
	return first
}

// loadedRowLocal reports whether name is a local of def (not a parameter,
// global or nonlocal) whose every binding in def is an assignment of a
// call: a row this function loaded or made.
func loadedRowLocal(f *semantic.File, def, at pyast.Node, name string) bool {
	for _, p := range pyast.ParamNames(def) {
		if p == name {
			return false
		}
	}
	for g := range pyast.FindEachShallow(pyast.Body(def), "global_statement", "nonlocal_statement") {
		for id := range g.Named() {
			if id.Text() == name {
				return false
			}
		}
	}
	// Other bindings (a loop target, `with ... as`, unpacking) may hold
	// anything: only plain assignments are followed.
	for id := range pyast.FindEach(pyast.Body(def), "identifier") {
		if id.Text() != name {
			continue
		}
		switch pt := id.Parent().Type(); pt {
		case "pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target", "for_in_clause", "named_expression":
			return false
		case "for_statement":
			if id.Parent().ChildByField("left").Equal(id) {
				return false
			}
		}
	}
	binds := f.Bindings(at, name)
	if len(binds) == 0 {
		return false
	}
	for _, r := range binds {
		r = pyast.Unparen(r)
		if r.Type() != "call" {
			return false
		}
		c, _ := pyast.AsCall(r)
		switch c.MethodName() {
		case "get", "first", "last", "earliest", "latest", "get_object", "create":
		default:
			if pyast.Dotted(c.Func) != "get_object_or_404" {
				return false
			}
		}
	}
	return true
}

// mentionedAfter reports whether name appears in def after the
// assignment a, or anywhere else in a loop of def around a (the next
// iteration may save it), or in a nested function.
func mentionedAfter(def, a pyast.Node, name string) bool {
	from := a.EndByte()
	region := def
	for l := a.Parent(); !l.IsNil() && !l.Equal(def); l = l.Parent() {
		if l.Type() == "for_statement" || l.Type() == "while_statement" {
			region = l
		}
	}
	left := a.ChildByField("left")
	until := exitAfter(def, a)
	for id := range pyast.FindEach(pyast.Body(def), "identifier") {
		if id.Text() != name || left.Contains(id) {
			continue
		}
		if id.StartByte() >= from && id.StartByte() < until || region.Contains(id) && !region.Equal(def) {
			return true
		}
		if fn := pyast.EnclosingFunction(id); !fn.Equal(def) {
			return true
		}
	}
	return false
}

// discardedByRefresh returns the `name.refresh_from_db()` call that is
// the next use of name after the assignment a, when that reload is
// certain to follow it: a statement of a's own block or of a block around
// it, reached before any return or raise of a's block, with no loop around
// a inside def and no mention of name in a nested function. A reload
// limited by `fields=` to other fields keeps the change, and is not one.
// Otherwise the zero Node.
func discardedByRefresh(def, a pyast.Node, name, field string) pyast.Node {
	var none pyast.Node
	for l := a.Parent(); !l.IsNil() && !l.Equal(def); l = l.Parent() {
		if l.Type() == "for_statement" || l.Type() == "while_statement" {
			return none
		}
	}
	left := a.ChildByField("left")
	until := exitAfter(def, a)
	var first pyast.Node
	for id := range pyast.FindEach(pyast.Body(def), "identifier") {
		if id.Text() != name || left.Contains(id) {
			continue
		}
		if fn := pyast.EnclosingFunction(id); !fn.Equal(def) {
			return none
		}
		if id.StartByte() >= a.EndByte() && id.StartByte() < until && (first.IsNil() || id.StartByte() < first.StartByte()) {
			first = id
		}
	}
	if first.IsNil() {
		return none
	}
	attr := first.Parent()
	if attr.Type() != "attribute" || !attr.ChildByField("object").Equal(first) || attr.ChildByField("attribute").Text() != "refresh_from_db" {
		return none
	}
	call := attr.Parent()
	c, ok := pyast.AsCall(call)
	if !ok || !c.Func.Equal(attr) || call.Parent().Type() != "expression_statement" {
		return none
	}
	if fields := c.KeywordArg("fields"); !fields.IsNil() {
		named := false
		for s := range pyast.FindEach(fields, "string") {
			if v, ok := pyast.StringValue(s); ok && v == field {
				named = true
			}
		}
		if !named {
			return none
		}
	}
	if len(c.Positional) > 0 || c.StarArgs || c.StarKwargs {
		return none
	}
	// The reload's block holds the assignment: it runs after it on
	// every path that goes on.
	if block := call.Parent().Parent(); !block.Contains(a) {
		return none
	}
	return call
}

// exitAfter returns the end of the first return or raise statement that
// follows the assignment a in its own block: code after it, outside that
// block, is not reached from a (`row.status = X; return Response(...)` in
// an error branch, with the row used only on the success path below).
// Without one, or under a try with a finally clause that may run code
// after the exit, it returns the end of def.
func exitAfter(def, a pyast.Node) int {
	stmt := a.Parent()
	block := stmt.Parent()
	for l := stmt; !l.IsNil() && !l.Equal(def); l = l.Parent() {
		if l.Type() == "try_statement" {
			for c := range l.Named() {
				if c.Type() == "finally_clause" {
					return def.EndByte()
				}
			}
		}
	}
	for s := range pyast.EachStatement(block) {
		if s.StartByte() <= stmt.StartByte() {
			continue
		}
		switch s.Type() {
		case "return_statement", "raise_statement":
			return s.EndByte()
		}
	}
	return def.EndByte()
}

// hasFCall reports whether the expression calls django.db.models.F.
func hasFCall(p *analyzer.Pass, n pyast.Node) bool {
	for call := range pyast.FindEach(n, "call") {
		c, _ := pyast.AsCall(call)
		if q, ok := p.Imports.Resolve(c.Func); ok && (q == "django.db.models.F" || q == "django.db.models.expressions.F") {
			return true
		}
	}
	if n.Type() == "call" {
		c, _ := pyast.AsCall(n)
		if q, ok := p.Imports.Resolve(c.Func); ok && (q == "django.db.models.F" || q == "django.db.models.expressions.F") {
			return true
		}
	}
	return false
}
