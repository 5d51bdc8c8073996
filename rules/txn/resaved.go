package txn

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// editedSomewhere reports whether some path of the project may save an
// existing row of md again, the premise of TXN007's finding: the admin
// (a registration or an inline of md that does not deny change), an
// endpoint that updates md (DRF's update or partial_update on a view of
// md, or a write of md other than a create or a delete), or product code
// outside the endpoints saving a row it loaded from md's manager. It
// answers true whenever it cannot tell: a registration whose admin class
// is not the project's, a write it cannot name, a tree with no URLconf
// (a fragment).
func editedSomewhere(sm *semantic.Model, inv *semantic.Inventory, md *project.Model) bool {
	if inv == nil || !inv.HasURLConf || md == nil {
		return true // a fragment: its views and admin are not all here
	}
	return adminEdits(sm, md) || endpointEdits(inv, md) || codeResaves(sm, inv, md)
}

// adminEdits reports an admin that lets staff change a row of md: a
// `register(md)` without an admin class, a registration whose class is
// not a project class denying change (`has_change_permission` returning
// False), or an inline of md that does not deny it.
func adminEdits(sm *semantic.Model, md *project.Model) bool {
	classes := map[string][]*semantic.Class{}
	for _, f := range sm.Files() {
		for _, c := range f.Classes {
			classes[c.Name] = append(classes[c.Name], c)
		}
	}
	denies := func(c *semantic.Class) bool {
		fn := c.Method("has_change_permission")
		if fn == nil {
			return false
		}
		stmts := pyast.Statements(pyast.Body(fn.Node))
		return len(stmts) == 1 && stmts[0].Type() == "return_statement" && pyast.Unparen(stmts[0].NamedChild(0)).Type() == "false"
	}
	for _, f := range sm.Files() {
		u := f.Unit
		if u == nil || u.Tree == nil {
			continue
		}
		for _, c := range f.Classes {
			if !c.IsAdmin() {
				continue
			}
			if v, _ := c.Attr("model"); !v.IsNil() && sm.Graph.Lookup(u, pyast.Dotted(v)) == md && !denies(c) {
				return true // an inline of md
			}
		}
		for n := range pyast.FindEach(u.Tree.Root(), "call") {
			call, _ := pyast.AsCall(n)
			if call.MethodName() != "register" && pyast.Dotted(call.Func) != "register" || len(call.Positional) == 0 {
				continue
			}
			if sm.Graph.Lookup(u, pyast.Dotted(call.Positional[0])) != md {
				continue
			}
			var admin []*semantic.Class
			switch {
			case n.Parent().Type() == "decorator":
				if def := n.Parent().Parent(); def.Type() == "decorated_definition" {
					if cls := def.ChildByField("definition"); cls.Type() == "class_definition" {
						admin = classes[pyast.DefName(cls)]
					}
				}
			case len(call.Positional) > 1:
				name := pyast.Dotted(call.Positional[1])
				admin = classes[name[strings.LastIndex(name, ".")+1:]]
			}
			if len(admin) != 1 || !denies(admin[0]) {
				return true
			}
		}
	}
	return false
}

// endpointEdits reports an endpoint that may save an existing row of md:
// DRF's update or partial_update on a view of md, or, on any endpoint but
// a create or a destroy, a write of md that is not a create, a
// get_or_create or a delete.
func endpointEdits(inv *semantic.Inventory, md *project.Model) bool {
	if inv == nil {
		return true
	}
	for _, e := range inv.Endpoints {
		if e.Model == md && (e.Action == "update" || e.Action == "partial_update") {
			return true
		}
		for _, x := range e.Does.Effects {
			if x.Kind != semantic.WriteRows || x.Model != md.Name {
				continue
			}
			if e.Action == "create" || e.Action == "destroy" {
				continue
			}
			last := x.Name[strings.LastIndex(x.Name, ".")+1:]
			switch last {
			case "create", "acreate", "bulk_create", "get_or_create", "aget_or_create", "delete", "adelete":
				continue
			}
			return true
		}
	}
	return false
}

// codeResaves reports product code, outside migrations, that saves a row
// it bound from a lookup of md (`row = Md.objects.get(...)`, a chain on
// md's manager, `get_object_or_404(Md, ...)`), then calls `row.save()`.
func codeResaves(sm *semantic.Model, inv *semantic.Inventory, md *project.Model) bool {
	for _, f := range sm.Files() {
		u := f.Unit
		if u == nil || u.Tree == nil || strings.Contains("/"+u.Rel(), "/migrations/") {
			continue
		}
		for _, fn := range f.Funcs {
			body := pyast.Body(fn.Node)
			if body.IsNil() {
				continue
			}
			for a := range pyast.FindEach(body, "assignment") {
				left := a.ChildByField("left")
				if left.Type() != "identifier" || !loadsRowOf(sm, u, pyast.Unparen(a.ChildByField("right")), md) {
					continue
				}
				if semantic.SavedAfter(fn.Node, left.Text(), a.EndByte()) {
					return true
				}
			}
		}
	}
	return false
}

// loadsRowOf reports an expression that loads an existing row of md: a
// call chain starting at `Md.objects` (or any manager of Md) ending in
// get, first, last, latest or earliest, or `get_object_or_404(Md, ...)`.
func loadsRowOf(sm *semantic.Model, u *project.Unit, n pyast.Node, md *project.Model) bool {
	call, ok := pyast.AsCall(n)
	if !ok {
		return false
	}
	name := pyast.Dotted(call.Func)
	if strings.HasSuffix(name, "get_object_or_404") && len(call.Positional) > 0 {
		return sm.Graph.Lookup(u, pyast.Dotted(call.Positional[0])) == md
	}
	switch call.MethodName() {
	case "get", "first", "last", "latest", "earliest", "aget", "afirst", "alast":
	default:
		return false
	}
	recv := pyast.Unparen(call.Receiver())
	for {
		c, ok := pyast.AsCall(recv)
		if !ok {
			break
		}
		recv = pyast.Unparen(c.Receiver())
	}
	d := pyast.Dotted(recv)
	i := strings.LastIndex(d, ".")
	return i > 0 && sm.Graph.Lookup(u, d[:i]) == md
}
