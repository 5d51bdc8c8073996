package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// ObjectPermissionDecides reports a DRF detail write (update,
// partial_update or destroy, the framework's own action) whose object the
// caller must be allowed to change: a project permission class in force
// defines has_object_permission, which, past the safe methods, does not
// answer True alone and reads the caller (`return
// obj.is_editable(request.user)`), and the view's get_object (DRF's, or an
// override through the project bases) runs check_object_permissions. An
// anonymous caller then passes has_permission and is refused on the
// object.
func (m *Model) ObjectPermissionDecides(e *Endpoint) bool {
	if e == nil || e.Class == nil || !e.Auth.ObjectPermission || e.Handler != nil {
		return false
	}
	switch e.Action {
	case "update", "partial_update", "destroy":
	default:
		return false
	}
	if g := e.Class.Method("get_object"); g != nil && !strings.Contains(pyast.Body(g.Node).Text(), "check_object_permissions") {
		return false
	}
	for _, p := range e.Auth.Permissions {
		name := strings.TrimPrefix(p, "custom:")
		if _, builtin := builtinPerms[lastName(name)]; builtin {
			continue
		}
		c := m.permissionClass(e, name)
		if c == nil {
			continue
		}
		hop := c.Method("has_object_permission")
		if hop == nil || bodyLevel(hop) == levelPublic {
			continue
		}
		txt := pyast.Body(hop.Node).Text()
		if strings.Contains(txt, "request.user") || strings.Contains(txt, "request.auth") || judgesCallerVia(hop) {
			return true
		}
	}
	return false
}

// judgesCallerVia reports a has_object_permission handing its request to a
// function of the project that reads the caller from it (`return
// has_admin_permission(obj.collection, request)`, whose body asks
// `request.user == obj.owner`): the helper judges the caller as the
// method's own body would.
func judgesCallerVia(hop *Func) bool {
	if len(hop.Params) < 2 {
		return false
	}
	req := hop.Params[1]
	for n := range pyast.FindEach(pyast.Body(hop.Node), "call") {
		call, ok := pyast.AsCall(n)
		if !ok {
			continue
		}
		for i, a := range call.Positional {
			if a.Text() != req {
				continue
			}
			g, bound := hop.File.Callee(call.Node)
			if g == nil {
				break
			}
			if bound {
				i++ // self or cls
			}
			if i >= len(g.Params) {
				break
			}
			body := pyast.Body(g.Node).Text()
			if p := g.Params[i]; strings.Contains(body, p+".user") || strings.Contains(body, p+".auth") {
				return true
			}
			break
		}
	}
	return false
}

// permissionClass finds the permission class a view names: through the
// imports of the view's file or of the project base declaring
// permission_classes, else the one project class of that name.
func (m *Model) permissionClass(e *Endpoint, name string) *Class {
	if c := m.classNamed(e.Class.File, name); c != nil {
		return c
	}
	if _, decl := e.Class.Attr("permission_classes"); decl != nil {
		if c := m.classNamed(decl.File, name); c != nil {
			return c
		}
	}
	var found *Class
	for _, f := range m.ordered {
		if c := f.topClasses[name]; c != nil {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}
