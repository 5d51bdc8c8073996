package project

import (
	"path"
	"strings"
)

// Stack is a set of the frameworks a project is written against, as its
// imports show. A rule about one of them says so (analyzer.Rule.Stack),
// and the driver does not run it on a project none of whose files imports
// any of them: an ORM rule has nothing to find in a library that never
// imports Django, and reading every loop of it for querysets costs as much
// as finding them.
//
// The set is generous on purpose: a module only ever imported next to a
// framework (a Django app, a DRF add-on) counts as that framework, and a
// local package that happens to share such a name (`channels`) opens the
// gate for nothing worse than the time the rules take. What it must never
// do is miss a project that uses the framework.
type Stack uint8

const (
	// Django is Django and what is written for it: DRF, django-ninja,
	// Wagtail, the django-* and drf-* apps. A model in the model graph
	// counts too.
	Django Stack = 1 << iota
	// Celery is Celery (and kombu, its messaging layer).
	Celery
	// WebApp is the other web frameworks the endpoint and webhook rules
	// read: Flask, FastAPI, Starlette and the like.
	WebApp
)

// Any reports whether s shares a framework with q.
func (s Stack) Any(q Stack) bool { return s&q != 0 }

// String names the frameworks of s, "Django or Celery".
func (s Stack) String() string {
	var names []string
	for _, f := range []struct {
		s    Stack
		name string
	}{{Django, "Django"}, {Celery, "Celery"}, {WebApp, "Flask/FastAPI/Starlette"}} {
		if s.Any(f.s) {
			names = append(names, f.name)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// stackPackages are top-level packages that belong to a framework beyond
// those its prefixes name (stackPrefixes).
var stackPackages = map[string]Stack{
	// Django apps and tools imported under names of their own.
	"ninja": Django, "wagtail": Django, "allauth": Django, "channels": Django, "corsheaders": Django,
	"knox": Django, "djoser": Django, "oscar": Django, "cms": Django, "guardian": Django, "polymorphic": Django,
	"mptt": Django, "treebeard": Django, "taggit": Django, "simple_history": Django, "import_export": Django,
	"debug_toolbar": Django, "silk": Django, "crispy_forms": Django, "storages": Django, "model_utils": Django,
	"phonenumber_field": Django, "environ": Django, "pytest_django": Django, "graphene_django": Django,
	"strawberry_django": Django, "oauth2_provider": Django, "axes": Django, "constance": Django,
	"modeltranslation": Django, "reversion": Django, "auditlog": Django, "waffle": Django, "health_check": Django,
	"celery": Celery, "kombu": Celery,
	"flask": WebApp, "fastapi": WebApp, "starlette": WebApp, "quart": WebApp, "sanic": WebApp, "tornado": WebApp,
	"falcon": WebApp, "bottle": WebApp, "pyramid": WebApp, "litestar": WebApp, "werkzeug": WebApp,
	"aiohttp": WebApp, "connexion": WebApp, "chalice": WebApp,
}

// stackPrefixes name a framework by the start of a top-level package.
var stackPrefixes = []struct {
	prefix string
	s      Stack
}{{"django", Django}, {"rest_framework", Django}, {"drf_", Django}, {"dj_", Django}, {"flask_", WebApp}}

// StackOfModule returns the framework an imported module belongs to
// ("django.db.models": Django), or none. A relative import belongs to the
// project, so to none.
func StackOfModule(mod string) Stack {
	if mod == "" || mod[0] == '.' {
		return 0
	}
	head, _, _ := strings.Cut(mod, ".")
	if s, ok := stackPackages[head]; ok {
		return s
	}
	for _, p := range stackPrefixes {
		if strings.HasPrefix(head, p.prefix) {
			return p.s
		}
	}
	return 0
}

// Stack returns the frameworks the project is written against: those
// some file imports (test modules included), Django when the model graph
// holds a model or a file is a settings module or a migration, and every
// framework when the files given are not the whole project (openWorld).
// It reads the facts alone (every file's path and imports), so whatever
// is kept under the facts digest may depend on it.
func (ix *Index) Stack() Stack {
	s := ix.imported()
	if s == everyStack {
		return s
	}
	sh := ix.shared
	sh.openOnce.Do(func() { sh.open = ix.openWorld() })
	if sh.open {
		return everyStack
	}
	return s
}

// Runs reports whether a rule about the frameworks of want runs on the
// project (want zero: a rule about Python itself): Stack().Any(want),
// without looking for an open world when the imports already answer.
func (ix *Index) Runs(want Stack) bool {
	return want == 0 || ix.imported().Any(want) || ix.Stack().Any(want)
}

// everyStack is the set of every framework.
const everyStack = Django | Celery | WebApp

// imported is Stack without the open world, once per index.
func (ix *Index) imported() Stack {
	sh := ix.shared
	sh.importedOnce.Do(func() { sh.imported = ix.importedNow() })
	return sh.imported
}

func (ix *Index) importedNow() Stack {
	var s Stack
	if ix.Models != nil && len(ix.Models.All) > 0 {
		s |= Django
	}
	if ix.Settings != nil {
		for _, st := range ix.Settings.All {
			if st.InSettings {
				s |= Django // a settings module by its path or its names
				break
			}
		}
	}
	seen := map[string]bool{}
	for _, u := range ix.Units {
		if IsSettingsPath(u.File.Rel) || IsMigrationPath(u.File.Rel) {
			s |= Django
		}
		if u.Imports == nil {
			continue
		}
		for _, m := range u.Imports.Modules {
			head, _, _ := strings.Cut(m, ".")
			if seen[head] {
				continue
			}
			seen[head] = true
			s |= StackOfModule(head)
		}
	}
	return s
}

// appModules are the modules a Django app is made of, by name.
var appModules = map[string]bool{"models": true, "views": true, "serializers": true, "admin": true, "forms": true,
	"urls": true, "tasks": true, "signals": true, "apps": true, "managers": true, "viewsets": true, "querysets": true,
	"permissions": true, "receivers": true}

// openWorld reports that the project goes on beyond the files given, so
// that whatever framework it is written against may be imported there: a
// relative import of a module that is not among them (`from .models import
// Order` in a views.py checked on its own), or an absolute import of an
// app's module that is not (`from wallets.models import Wallet`).
func (ix *Index) openWorld() bool {
	known := make(map[string]bool, 2*len(ix.Units))
	for _, u := range ix.Units {
		for m := u.Module; m != "" && !known[m]; {
			known[m] = true
			i := strings.LastIndexByte(m, '.')
			if i < 0 {
				break
			}
			m = m[:i]
		}
	}
	for _, u := range ix.Units {
		if u.Imports == nil {
			continue
		}
		for _, m := range u.Imports.Modules {
			if strings.HasPrefix(m, ".") {
				if strings.TrimLeft(m, ".") != "" && !known[absolute(u, m)] {
					return true
				}
			} else if _, last, ok := cutLast(m); ok && appModules[last] && !known[m] {
				return true
			}
		}
		// `from . import views`: the names are the modules.
		for q := range u.Imports.Qualified() {
			mod, _, ok := cutLast(q)
			if ok && strings.HasPrefix(q, ".") && strings.TrimLeft(mod, ".") == "" && !known[absolute(u, q)] && !ix.hasInit(absolute(u, mod)) {
				return true
			}
		}
	}
	return false
}

// hasInit reports whether the package pkg's __init__ module is given (a
// name imported from it may be defined there).
func (ix *Index) hasInit(pkg string) bool {
	u := ix.ByModule[pkg]
	return u != nil && path.Base(u.File.Rel) == "__init__.py"
}

// cutLast splits a dotted name at its last dot.
func cutLast(q string) (head, last string, ok bool) {
	i := strings.LastIndexByte(q, '.')
	if i < 0 {
		return "", q, false
	}
	return q[:i+1], q[i+1:], true
}
