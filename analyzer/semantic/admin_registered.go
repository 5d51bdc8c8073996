package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// RegisteredAdminModel returns the model Django's own admin registers
// class c for, when c is not known as an admin by its bases (IsAdmin):
// `@admin.register(M)` or `admin.site.register(M, C)` with `admin` being
// django.contrib.admin. Django's register refuses anything but a ModelAdmin
// subclass, so c is one whatever it derives from: a library's admin outside
// the tree (edx-rbac's UserRoleAssignmentAdmin, say), whose name says
// nothing. A project's own AdminSite or register helper does not count
// here (IsAdmin's bases decide those). nil when c is not registered so, or
// when the model is not the tree's.
func (m *Model) RegisteredAdminModel(c *Class) *project.Model {
	if m.Graph == nil || c == nil || c.File == nil || c.File.Unit == nil || c.File.Unit.Tree == nil {
		return nil
	}
	u := c.File.Unit
	for _, d := range pyast.Decorators(c.Node) {
		dc, isCall := pyast.AsCall(d)
		if isCall && len(dc.Positional) > 0 && djangoAdminRegister(u.Qualify(pyast.Dotted(dc.Func))) {
			return m.Graph.Lookup(u, pyast.Dotted(dc.Positional[0]))
		}
	}
	for call := range pyast.FindEachShallow(u.Tree.Root(), "call") {
		cc, _ := pyast.AsCall(call)
		if len(cc.Positional) < 2 || pyast.Dotted(cc.Positional[1]) != c.Name {
			continue
		}
		if djangoAdminRegister(u.Qualify(pyast.Dotted(cc.Func))) {
			return m.Graph.Lookup(u, pyast.Dotted(cc.Positional[0]))
		}
	}
	if r, ok := m.adminRegs[c]; ok && r.django {
		return r.model
	}
	return nil
}

// adminReg is a registration `site.register(M, C)` of an admin class made
// in another module: the model (nil when not the tree's, or when modules
// disagree), and whether the site is Django's default one.
type adminReg struct {
	model  *project.Model
	django bool
}

// collectAdminRegistrations reads the module-level `X.register(M, C)`
// calls whose admin class C is defined in another module of the project
// (an admin package defining one admin per module and registering them
// all in its __init__: `from .profile import ProfileAdmin`, then
// `admin.site.register(Profile, ProfileAdmin)`). C is resolved through
// the module's imports; a class registered for different models by
// different calls keeps no model. Runs once every class is known.
func (m *Model) collectAdminRegistrations() {
	if m.Graph == nil {
		return
	}
	for _, f := range m.ordered {
		u := f.Unit
		for call := range pyast.FindEachShallow(u.Tree.Root(), "call") {
			cc, _ := pyast.AsCall(call)
			fn := pyast.Dotted(cc.Func)
			if !strings.HasSuffix(fn, ".register") || len(cc.Positional) < 2 || pyast.Dotted(cc.Positional[1]) == "" {
				continue
			}
			c := m.classByName(f, cc.Positional[1])
			if c == nil || c.File == f {
				continue
			}
			md := m.Graph.Lookup(u, pyast.Dotted(cc.Positional[0]))
			r := adminReg{model: md, django: djangoAdminRegister(u.Qualify(fn))}
			if prev, seen := m.adminRegs[c]; seen {
				if prev.model != md {
					r.model = nil
				}
				r.django = r.django && prev.django
			}
			if m.adminRegs == nil {
				m.adminRegs = map[*Class]adminReg{}
			}
			m.adminRegs[c] = r
		}
	}
}

// djangoAdminRegister reports the qualified names of Django's default admin
// site's register (the decorator and the site method).
func djangoAdminRegister(q string) bool {
	switch q {
	case "django.contrib.admin.register", "django.contrib.admin.decorators.register",
		"django.contrib.admin.site.register", "django.contrib.admin.sites.site.register",
		// django.contrib.gis.admin re-exports the admin's register and site.
		"django.contrib.gis.admin.register", "django.contrib.gis.admin.site.register":
		return true
	}
	return false
}
