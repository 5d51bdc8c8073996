package design

import (
	_ "embed"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed undeclared.md
var undeclaredDoc string

// UndeclaredDependency reports a third-party package the product code
// imports (or the settings name: an installed app, a middleware, a
// database engine) that no dependency file of the project declares.
var UndeclaredDependency = &analyzer.Rule{
	Code:       "ARC007",
	Name:       "undeclared-dependency",
	Doc:        undeclaredDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.16.0",
	RunProject: runUndeclaredDependency,
}

// depUse is one place the code needs a distribution: the import name (or
// the settings string) and where.
type depUse struct {
	name     string // the import name, or the engine string
	dists    []string
	path     string
	rel      string
	r        analyzer.Range
	settings bool
	what     string // "imported", "in INSTALLED_APPS", "as the database engine"...
}

// dbEngineDists are the drivers Django's database backends import.
var dbEngineDists = map[string][]string{
	"django.db.backends.mysql":               {"mysqlclient", "pymysql", "mysql-python"},
	"django.db.backends.postgresql":          {"psycopg2", "psycopg2-binary", "psycopg", "psycopg-binary", "psycopg2cffi"},
	"django.db.backends.postgresql_psycopg2": {"psycopg2", "psycopg2-binary", "psycopg2cffi"},
	"django.contrib.gis.db.backends.postgis": {"psycopg2", "psycopg2-binary", "psycopg", "psycopg-binary", "psycopg2cffi"},
	"mysql.connector.django":                 {"mysql-connector-python"},
}

// runUndeclaredDependency reads the dependency files at the project's root
// (project.Declared) and every import of product code and settings string
// naming a module; a distribution rubric knows (importDists) that nothing
// declared installs, directly or as a requirement of a declared
// distribution (distRequires), is reported once, at its first use in a
// settings module or else in path order.
func runUndeclaredDependency(p *analyzer.ProjectPass) error {
	ix := p.Project
	decl := ix.Declared()
	if len(decl.Files) == 0 || decl.Opaque || !completeList(decl.Names, decl.Locked) {
		return nil
	}
	installed := installedClosure(decl)
	local := localTopNames(ix)
	var uses []depUse
	for _, u := range ix.Units {
		if u.File == nil || u.Tree == nil {
			continue
		}
		roles := semantic.RolesOf(u)
		if roles.Any(semantic.Test | semantic.Migration | semantic.Script | semantic.DevData) {
			continue
		}
		uses = append(uses, importUses(u, local, installed)...)
		if roles.Has(semantic.Settings) {
			uses = append(uses, settingsUses(u, local, installed)...)
		}
	}
	byDist := map[string][]depUse{}
	var order []string
	for _, use := range uses {
		ok := false
		for _, d := range use.dists {
			if installed[project.NormalizeDist(d)] {
				ok = true
				break
			}
		}
		if ok {
			continue
		}
		key := use.dists[0]
		if _, seen := byDist[key]; !seen {
			order = append(order, key)
		}
		byDist[key] = append(byDist[key], use)
	}
	files := "`" + decl.Files[0] + "`"
	if n := len(decl.Files) - 1; n > 0 {
		files += fmt.Sprintf(" (and %d more dependency files)", n)
	}
	for _, key := range order {
		us := byDist[key]
		sort.SliceStable(us, func(i, j int) bool {
			if us[i].settings != us[j].settings {
				return us[i].settings
			}
			if us[i].rel != us[j].rel {
				return us[i].rel < us[j].rel
			}
			return us[i].r.Start < us[j].r.Start
		})
		first := us[0]
		var related []analyzer.Related
		seenFile := map[string]bool{first.path: true}
		for _, o := range us[1:] {
			if seenFile[o.path] || len(related) == 3 {
				continue
			}
			seenFile[o.path] = true
			related = append(related, analyzer.Related{Path: o.path, Range: o.r, Message: "`" + o.name + "` " + o.what + " here too"})
		}
		dist := first.dists[0]
		if len(first.dists) > 1 {
			dist += "` or `" + first.dists[1]
		}
		p.Report(analyzer.Diagnostic{
			Path:  first.path,
			Range: first.r,
			Message: fmt.Sprintf("`%s` is %s, but %s declares no `%s`: an install that follows the project's own dependency list fails here with ModuleNotFoundError",
				first.name, first.what, files, dist),
			Help:    fmt.Sprintf("add `%s` (pinned) to %s, or remove the use", first.dists[0], "`"+decl.Files[0]+"`"),
			Related: related,
		})
	}
	return nil
}

// installedClosure returns the distributions the declared ones install:
// the declared names and, transitively, what distRequires says they
// require.
func installedClosure(decl project.Declared) map[string]bool {
	out := map[string]bool{}
	var queue []string
	for n := range decl.Names {
		queue = append(queue, n)
	}
	for n := range decl.Extras {
		queue = append(queue, n)
	}
	for len(queue) > 0 {
		n := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if out[n] {
			continue
		}
		out[n] = true
		for _, r := range distRequires[n] {
			queue = append(queue, project.NormalizeDist(r))
		}
	}
	return out
}

// localTopNames are the top-level names the project's own files provide:
// a module or package at the analysed root or beside a manage.py, and
// any package or module whose directory is not itself a package (a
// source root such as src/ or a project run from its own directory).
func localTopNames(ix *project.Index) map[string]bool {
	pkgDirs := map[string]bool{}
	for _, u := range ix.Units {
		if rel := u.Rel(); path.Base(rel) == "__init__.py" {
			pkgDirs[path.Dir(rel)] = true
		}
	}
	out := map[string]bool{}
	for _, u := range ix.Units {
		rel := u.Rel()
		parts := strings.Split(rel, "/")
		// Every prefix directory that is a package whose parent is not
		// one is a top-level package of some source root; a module in a
		// directory that is not a package is a top-level module.
		for i := 0; i < len(parts)-1; i++ {
			dir := strings.Join(parts[:i+1], "/")
			parent := strings.Join(parts[:i], "/")
			if pkgDirs[dir] && (i == 0 || !pkgDirs[parent]) {
				out[parts[i]] = true
			}
		}
		dir := path.Dir(rel)
		if !pkgDirs[dir] {
			out[strings.TrimSuffix(parts[len(parts)-1], ".py")] = true
		}
		// A directory without __init__.py beside manage.py is a
		// namespace package Django imports all the same.
		if path.Base(rel) == "manage.py" {
			root := path.Dir(rel)
			for _, o := range ix.Units {
				orel := o.Rel()
				if root != "." && !strings.HasPrefix(orel, root+"/") {
					continue
				}
				sub := strings.TrimPrefix(orel, root+"/")
				if root == "." {
					sub = orel
				}
				out[strings.Split(sub, "/")[0]] = true
			}
		}
	}
	return out
}

// guarded reports a node inside a try or an if (an import that may fail
// on purpose, or a use only some configurations make), at any depth.
func guarded(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "try_statement", "if_statement", "conditional_expression":
			return true
		case "with_statement":
			// with suppress(ImportError): an optional import.
			for clause := range a.Named() {
				if clause.Type() != "with_clause" {
					continue
				}
				for c := range pyast.FindEach(clause, "call") {
					if strings.HasSuffix(c.ChildByField("function").Text(), "suppress") {
						return true
					}
				}
			}
		}
	}
	return false
}

// importUses returns the file's imports of known distributions.
func importUses(u *project.Unit, local, installed map[string]bool) []depUse {
	// The unit's imports, kept with its record, name every module its
	// import statements do: a file that imports no module of importDists
	// that nothing declared installs is not read (every product tree was
	// loaded from the reuse cache at every edit run, a tenth of an edit
	// run on saleor, to find uses the caller then drops).
	if u.Imports != nil && !slices.ContainsFunc(u.Imports.Modules, func(m string) bool {
		top, _, _ := strings.Cut(m, ".")
		dists, known := importDists[top]
		return known && !local[top] && !slices.ContainsFunc(dists, func(d string) bool { return installed[project.NormalizeDist(d)] })
	}) {
		return nil
	}
	var out []depUse
	// names are a from-import's imported names, nil for a plain import.
	add := func(n pyast.Node, mod string, names []string) {
		top, _, _ := strings.Cut(mod, ".")
		dists, ok := importDists[top]
		if !ok || local[top] || guarded(n) {
			return
		}
		if alt, ok := sameModuleDists[top]; ok && mod == top && !slices.ContainsFunc(names, func(x string) bool { return !alt.names[x] }) {
			dists = append(slices.Clip(dists), alt.dists...)
		}
		out = append(out, depUse{name: mod, dists: dists, path: u.File.Rel, rel: u.Rel(), r: analyzer.RangeOf(n), what: "imported"})
	}
	for st := range pyast.FindEach(u.Tree.Root(), "import_statement", "import_from_statement") {
		if !st.IsNamed() {
			continue
		}
		if st.Type() == "import_from_statement" {
			m := st.ChildByField("module_name")
			if m.Type() == "dotted_name" {
				names := []string{"*"}
				if ns := st.ChildrenByField("name"); len(ns) > 0 {
					names = names[:0]
					for _, c := range ns {
						if c.Type() == "aliased_import" {
							c = c.ChildByField("name")
						}
						names = append(names, c.Text())
					}
				}
				add(st, m.Text(), names)
			}
			continue
		}
		for _, c := range st.ChildrenByField("name") {
			if c.Type() == "aliased_import" {
				c = c.ChildByField("name")
			}
			add(st, c.Text(), nil)
		}
	}
	return out
}

// settingReaders name, for the settings whose dotted paths get imported,
// the distribution that reads them ("" for Django itself): a path under a
// setting nothing installed reads (CHANNEL_LAYERS without channels) is
// never imported.
var settingReaders = map[string]string{
	"INSTALLED_APPS": "", "MIDDLEWARE": "", "AUTHENTICATION_BACKENDS": "", "CACHES": "", "DATABASES": "",
	"TEMPLATES": "", "PASSWORD_HASHERS": "", "EMAIL_BACKEND": "", "DEFAULT_FILE_STORAGE": "",
	"STATICFILES_STORAGE": "", "STORAGES": "", "SESSION_ENGINE": "",
	"REST_FRAMEWORK": "djangorestframework", "SIMPLE_JWT": "djangorestframework-simplejwt",
	"CHANNEL_LAYERS": "channels", "SWAGGER_SETTINGS": "drf-yasg", "SPECTACULAR_SETTINGS": "drf-spectacular",
}

// settingsUses returns the strings of a settings module that make Django
// (or an installed package that reads the setting, settingReaders) import a
// module: INSTALLED_APPS and MIDDLEWARE entries, dotted paths whose first
// name is a known distribution's, and the database engine's driver.
func settingsUses(u *project.Unit, local, installed map[string]bool) []depUse {
	var out []depUse
	for s := range pyast.FindEach(u.Tree.Root(), "string") {
		v, ok := pyast.StringValue(s)
		if !ok || v == "" || guarded(s) || strings.ContainsAny(v, " /:") {
			continue
		}
		setting := settingOf(s)
		reader, read := settingReaders[setting]
		if !read || reader != "" && !installed[reader] {
			continue
		}
		if dists, ok := dbEngineDists[v]; ok && setting == "DATABASES" {
			out = append(out, depUse{name: v, dists: dists, path: u.File.Rel, rel: u.Rel(), r: analyzer.RangeOf(s), settings: true, what: "the database engine (Django imports its driver at start-up)"})
			continue
		}
		top, _, dotted := strings.Cut(v, ".")
		dists, known := importDists[top]
		if !known || local[top] || !isIdentPath(v) {
			continue
		}
		what := "named in `" + setting + "`"
		switch {
		case inListOf(s, "INSTALLED_APPS"):
			what = "in INSTALLED_APPS"
		case !dotted:
			continue
		}
		out = append(out, depUse{name: v, dists: dists, path: u.File.Rel, rel: u.Rel(), r: analyzer.RangeOf(s), settings: true, what: what})
	}
	return out
}

// settingOf returns the module-level name a string is assigned under
// (`DATABASES = {...}`, `DATABASES["default"]["ENGINE"] = ...`,
// `INSTALLED_APPS += [...]`), or "".
func settingOf(s pyast.Node) string {
	for a := s.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "assignment", "augmented_assignment":
			if st := a.Parent(); st.IsNil() || st.Type() != "expression_statement" || st.Parent().Type() != "module" {
				return ""
			}
			left := a.ChildByField("left")
			for left.Type() == "subscript" || left.Type() == "attribute" {
				left = left.ChildByField("value")
				if left.IsNil() {
					return ""
				}
			}
			if left.Type() == "identifier" {
				return left.Text()
			}
			return ""
		case "function_definition", "class_definition", "call", "lambda":
			return ""
		}
	}
	return ""
}

func isIdentPath(v string) bool {
	for _, part := range strings.Split(v, ".") {
		if part == "" {
			return false
		}
		for i, c := range part {
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}

// inListOf reports a string that is an element of a list or tuple
// assigned (or added) to the module-level name.
func inListOf(s pyast.Node, name string) bool {
	p := s.Parent()
	if p.IsNil() || p.Type() != "list" && p.Type() != "tuple" {
		return false
	}
	for a := p.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "assignment", "augmented_assignment":
			return a.ChildByField("left").Text() == name
		case "binary_operator", "parenthesized_expression", "list", "tuple":
			continue
		default:
			return false
		}
	}
	return false
}
