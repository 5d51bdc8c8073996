package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed reverseone.md
var reverseOneDoc string

// ReverseOneToOnePerRow reports reverse one-to-one reads on the rows of a
// loop, which raise when a row has no related object.
var ReverseOneToOnePerRow = &analyzer.Rule{
	Code:              "BUG011",
	Name:              "missing-reverse-one-to-one",
	Doc:               reverseOneDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Low,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          []project.Analysis{semantic.Project, autoCreated},
	Run:               runReverseOneToOne,
}

// autoCreated are the models some code creates whenever their parent row
// is saved: in a post_save receiver, or in a save() override.
var autoCreated = &project.ProjectAnalysis[map[string]bool]{Name: "bugs.autoCreated", Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, u := range ix.Units {
		if u.Tree == nil || !bytes.Contains(u.File.Src(), []byte("post_save")) && !bytes.Contains(u.File.Src(), []byte("def save")) {
			continue
		}
		connected := semantic.PostSaveConnected(u.Tree.Root())
		for fn := range pyast.FindEach(u.Tree.Root(), "function_definition") {
			hook := pyast.DefName(fn) == "save" || connected[pyast.DefName(fn)]
			for _, d := range pyast.Decorators(fn) {
				if strings.Contains(d.Text(), "post_save") {
					hook = true
				}
			}
			if !hook {
				continue
			}
			for call := range pyast.FindEach(fn, "call") {
				switch string(pyast.CalleeName(call)) {
				case "create", "get_or_create", "update_or_create", "save":
					c, _ := pyast.AsCall(call)
					recv := pyast.Dotted(c.Receiver())
					out[lastName(strings.TrimSuffix(strings.TrimSuffix(recv, ".objects"), "._default_manager"))] = true
					if ctor, ok := pyast.AsCall(c.Receiver()); ok { // Profile(user=u).save()
						out[lastName(pyast.Dotted(ctor.Func))] = true
					}
					// config = GymConfig(); config.gym = instance; config.save()
					if r := c.Receiver(); r.Type() == "identifier" {
						for a := range pyast.FindEach(fn, "assignment") {
							if ctor, ok := pyast.AsCall(a.ChildByField("right")); ok && a.ChildByField("left").Text() == r.Text() {
								out[lastName(pyast.Dotted(ctor.Func))] = true
							}
						}
					}
				}
			}
		}
	}
	return out
}}

// runReverseOneToOne matches `row.name` where row is the variable of a
// loop over a queryset of a known model and name is a reverse one-to-one
// accessor of that model (`user.profile`): a row without the related
// object raises RelatedObjectDoesNotExist and stops the loop. It skips
// reads guarded by hasattr(), getattr() with a default, a try catching
// DoesNotExist, ObjectDoesNotExist, AttributeError or Exception; loops
// whose queryset filters on the
// relation (`profile__isnull=False`); and related models that a post_save
// receiver or a save() override of the tree creates.
func runReverseOneToOne(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	created := autoCreated.Get(p.Project)
	seen := map[string]bool{}
	for attr := range pyast.FindEach(p.Root, "attribute") {
		obj := attr.ChildByField("object")
		if obj.Type() != "identifier" {
			continue
		}
		md, loop := f.Instance(obj)
		if md == nil || loop == nil {
			continue
		}
		name := attr.ChildByField("attribute").Text()
		a := md.Attr(name)
		if a.Kind != project.AttrReverseOne || a.Target == nil || created[a.Target.Name] {
			continue
		}
		if guardedRead(attr, obj.Text(), name) || filtersOn(loop.Iter, f, name) {
			continue
		}
		key := fmt.Sprintf("%d:%s", loop.Node.StartByte(), name)
		if seen[key] {
			continue
		}
		seen[key] = true
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(attr),
			Message: fmt.Sprintf("`%s` raises `%s.DoesNotExist` for a `%s` without a `%s`: one such row stops the loop over `%s`",
				attr.Text(), a.Target.Name, md.Name, a.Target.Name, pyast.OneLine(loop.Iter, 60)),
			Help: fmt.Sprintf("read it with `getattr(%s, %q, None)` and handle None, or loop over rows that have one (`.filter(%s__isnull=False)`)",
				obj.Text(), name, a.Relation.QueryName),
		})
	}
	return nil
}

// guardedRead reports a read protected against a missing related object.
func guardedRead(attr pyast.Node, obj, name string) bool {
	fn := pyast.Ancestor(attr, "function_definition")
	if fn.IsNil() {
		fn = attr
	}
	for call := range pyast.FindEach(fn, "call") {
		c, _ := pyast.AsCall(call)
		if (c.MethodName() == "hasattr" || c.MethodName() == "getattr") && len(c.Positional) >= 2 && c.Positional[0].Text() == obj {
			if s, ok := pyast.StringValue(c.Positional[1]); ok && s == name {
				return true
			}
		}
	}
	// A condition on the same row naming the relation (`if
	// finding.has_jira_issue:`, `if order.receipt_id`): the read is
	// guarded by the model's own test.
	for n := attr.Parent(); !n.IsNil() && !n.Equal(fn); n = n.Parent() {
		var cond, guarded pyast.Node
		switch n.Type() {
		case "if_statement", "elif_clause":
			cond, guarded = n.ChildByField("condition"), n.ChildByField("consequence")
		case "while_statement":
			cond, guarded = n.ChildByField("condition"), n.ChildByField("body")
		case "conditional_expression": // read if cond else other
			cond, guarded = n.NamedChild(1), n.NamedChild(0)
		}
		if cond.IsNil() || !guarded.Contains(attr) {
			continue
		}
		for a := range pyast.FindEach(cond, "attribute") {
			if a.ChildByField("object").Text() == obj && a.ChildByField("attribute").Text() != name &&
				strings.Contains(a.ChildByField("attribute").Text(), name) {
				return true
			}
		}
	}
	for t := pyast.Ancestor(attr, "try_statement"); !t.IsNil(); t = pyast.Ancestor(t, "try_statement") {
		if !t.ChildByField("body").Contains(attr) {
			continue
		}
		for h := range t.Named() {
			if h.Type() != "except_clause" {
				continue
			}
			typ := exceptType(h)
			if typ.IsNil() {
				return true
			}
			for _, e := range flatTypes(typ) {
				d := pyast.Dotted(e)
				last := d[strings.LastIndex(d, ".")+1:]
				switch {
				case strings.HasSuffix(last, "DoesNotExist"), last == "AttributeError", last == "Exception", last == "BaseException":
					return true
				}
			}
		}
	}
	return false
}

// filtersOn reports a loop iterable (or the binding of the name its chain
// starts from: `users`, `users.all()`, `users.order_by("id")`) whose text
// filters on the relation: `profile__isnull=False`, `exclude(profile=None)`,
// `filter(profile__to_be_deleted=True)` (a join through the relation keeps
// only rows that have one).
func filtersOn(iter pyast.Node, f *semantic.File, name string) bool {
	texts := []string{iter.Text()}
	if root := chainRoot(iter); root.Type() == "identifier" {
		for _, b := range f.Bindings(root, root.Text()) {
			texts = append(texts, b.Text())
		}
	}
	for _, t := range texts {
		if strings.Contains(t, name+"__") || strings.Contains(t, name+"=None") {
			return true
		}
	}
	return false
}

// chainRoot returns the expression a chain of calls and attributes starts
// from: `users` for `users.all().order_by("id")`.
func chainRoot(n pyast.Node) pyast.Node {
	for {
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
		case "attribute":
			n = n.ChildByField("object")
		case "parenthesized_expression":
			n = pyast.Unparen(n)
		default:
			return n
		}
	}
}
