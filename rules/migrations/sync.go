package migrations

import (
	_ "embed"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed sync.md
var syncDoc string

// MissingMigration reports models and fields of models.py that the app's
// migrations do not create, and the reverse.
var MissingMigration = &analyzer.Rule{
	Code:       "MIG015",
	Name:       "missing-migration",
	Doc:        syncDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	RunProject: runMissingMigration,
	FactsOnly:  true,
}

// runMissingMigration replays each app's migrations into a schema state
// (squashed migrations standing in for the ones they replace, state
// operations of SeparateDatabaseAndState applied) and compares it with the
// concrete models the model graph finds in the same app package: models
// and fields present on one side only. It compares names only, not field
// options. It skips apps whose graph it cannot read, apps where the model
// graph finds no model, models with an unresolved model base (fields it
// cannot see), abstract models, and fields that never reach a migration
// (generic foreign keys and relations). A model a custom operation touched
// is reported once as inconclusive, at low confidence, instead of guessed;
// a model of the migrations is reported deleted only when no class of its
// name exists anywhere in the tree.
func runMissingMigration(p *analyzer.ProjectPass) error {
	g := p.Project.Models
	if g == nil {
		return nil
	}
	mi := &p.Project.Migrations
	byPkg := modelsByApp(mi, g)
	// Any class the model graph saw, wherever it lives, may be the model a
	// migration created: only names found nowhere count as deleted.
	declared := map[string]bool{}
	for _, m := range g.All {
		declared[strings.ToLower(m.Name)] = true
	}
	reportUnmigrated(p, mi, g)
	// Models of the migrations that no model declares, by app: reported
	// below unless some class of the tree has the name.
	type goneModels struct {
		a      *project.MigrationApp
		newest *project.Migration
		names  []string
	}
	var deleted []goneModels
	translated := importsModule(p.Project, "modeltranslation")
	extended := p.Project.ExtendedModels
	for _, a := range graphApps(mi) {
		models := byPkg[a]
		if len(models) == 0 || len(a.Migrations) == 0 {
			continue
		}
		state := mi.StateOf(a)
		leaves := a.Leaves()
		newest := a.Migrations[len(a.Migrations)-1]
		if len(leaves) > 0 {
			newest = leaves[len(leaves)-1]
		}
		for _, m := range models {
			compareModel(p, a, state, m, translated, extended[m.Name])
		}
		if len(state.Unknown) > 0 {
			continue // a custom operation may have created or deleted any model
		}
		if libraryStarModels(p.Project, a.AppPackage) {
			continue // `from oscar.apps.basket.models import *`: the library declares the rest
		}
		var gone []string
		for key, ms := range state.Models {
			if !declared[key] && ms.Created != nil {
				gone = append(gone, ms.Name)
			}
		}
		if len(gone) > 0 {
			deleted = append(deleted, goneModels{a: a, newest: newest, names: gone})
		}
	}
	if len(deleted) == 0 {
		return nil
	}
	history, parler := importsModule(p.Project, "simple_history"), importsModule(p.Project, "parler")
	// The names a class of the tree may bind: each deleted model's, and
	// the model a generated one (Historical<Model>, <Model>Translation)
	// is built from.
	var wanted []string
	for _, d := range deleted {
		for _, name := range d.names {
			lower := strings.ToLower(name)
			wanted = append(wanted, lower)
			if generated, ok := strings.CutPrefix(lower, "historical"); history && ok {
				wanted = append(wanted, generated)
			}
			if generated, ok := strings.CutSuffix(lower, "translation"); parler && ok {
				wanted = append(wanted, generated)
			}
		}
	}
	classNames := topLevelClasses(p.Project, wanted)
	for _, d := range deleted {
		a, newest, gone := d.a, d.newest, d.names
		kept := gone[:0]
		for _, name := range gone {
			lower := strings.ToLower(name)
			// django-simple-history builds Historical<Model> for each
			// model it tracks: a model no class declares.
			if generated, ok := strings.CutPrefix(lower, "historical"); history && ok && (declared[generated] || classNames[generated]) {
				continue
			}
			// django-parler's TranslatedFields builds <Model>Translation.
			if generated, ok := strings.CutSuffix(lower, "translation"); parler && ok && (declared[generated] || classNames[generated]) {
				continue
			}
			if !classNames[lower] {
				kept = append(kept, name)
			}
		}
		gone = kept
		sort.Strings(gone)
		for _, name := range gone {
			p.Report(analyzer.Diagnostic{
				Path:  newest.Path,
				Range: rng(newest.ClassName),
				Message: fmt.Sprintf("model `%s` is in the migrations of `%s` but not in its models: `makemigrations` would write `migrations.DeleteModel(name=%q)`",
					name, a.Label, name),
				Help:       "run `python manage.py makemigrations " + a.Label + "` and commit the migration, or restore the model",
				Confidence: analyzer.Low,
			})
		}
	}
	return nil
}

// modelsByApp assigns each concrete Django model of the tree to its app:
// the app whose package is the module's path up to its `models` module or
// package ("shop.models", "shop.models.order" both belong to "shop"), or
// the app its Meta.app_label names. Classes outside a models module, and
// classes whose bases do not lead to a Django model (pydantic models,
// forms), are left out.
func modelsByApp(mi *project.MigrationIndex, g *project.Models) map[*project.MigrationApp][]*project.Model {
	byPkg := map[string]*project.MigrationApp{}
	for _, a := range mi.Apps {
		byPkg[a.AppPackage] = a
	}
	out := map[*project.MigrationApp][]*project.Model{}
	for _, m := range g.All {
		if m.Abstract || m.External || !djangoRooted(g, m, 0) {
			continue
		}
		pkg, ok := modelsPackage(m.Module)
		if !ok {
			continue
		}
		a := byPkg[pkg]
		if m.Meta.AppLabel != "" {
			a = mi.ByLabel[m.Meta.AppLabel]
		}
		if a != nil {
			out[a] = append(out[a], m)
		}
	}
	return out
}

// modelsPackage returns the module path before its first `models`
// component, and whether there is one.
func modelsPackage(module string) (string, bool) {
	parts := strings.Split(module, ".")
	for i, p := range parts {
		if p == "models" && i > 0 {
			return strings.Join(parts[:i], "."), true
		}
	}
	return "", false
}

// djangoRooted reports whether one of the model's bases, through the
// tree's classes, is a Django class (django.db.models.Model, AbstractUser...).
func djangoRooted(g *project.Models, m *project.Model, depth int) bool {
	if depth > 20 {
		return false
	}
	if c := g.LookupClassQual(m.Qual); c != nil {
		for _, b := range c.Bases {
			if strings.HasPrefix(b, "django.") {
				return true
			}
		}
	}
	for _, b := range m.Bases {
		if djangoRooted(g, b, depth+1) {
			return true
		}
	}
	return false
}

// externalAncestor reports a model with a base outside the tree, itself or
// through the tree's classes it derives from: a project's abstract class on
// a library's TimeStampedModel is no model of the graph (its bases lead to
// no Django class in the tree), yet its library base declares columns.
func externalAncestor(g *project.Models, m *project.Model) bool {
	for _, b := range m.Bases {
		if len(b.ExternalBases) > 0 {
			return true
		}
	}
	if len(m.ExternalBases) > 0 {
		return true
	}
	c := g.LookupClassQual(m.Qual)
	if c == nil {
		return false
	}
	seen := map[*project.ClassFacts]bool{c: true}
	queue := []*project.ClassFacts{c}
	for len(queue) > 0 && len(seen) < 50 {
		cur := queue[0]
		queue = queue[1:]
		for _, b := range cur.Bases {
			if strings.HasPrefix(b, "django.") || plainBase[b] {
				continue
			}
			bc := g.LookupClassQual(b)
			if bc == nil {
				return true
			}
			if !seen[bc] {
				seen[bc] = true
				queue = append(queue, bc)
			}
		}
	}
	return false
}

// plainBase are bases that declare no columns.
var plainBase = map[string]bool{"object": true, "abc.ABC": true, "ABC": true, "typing.Generic": true, "Generic": true}

// inheritedColumns returns the field names declared by the concrete models
// m inherits from (through abstract ones too): multi-table inheritance
// keeps them in the parents' tables.
func inheritedColumns(m *project.Model) map[string]bool {
	out := map[string]bool{}
	seen := map[*project.Model]bool{}
	stack := append([]*project.Model(nil), m.Bases...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if !b.Abstract {
			for _, f := range b.Fields {
				out[f.Name] = true
			}
		}
		stack = append(stack, b.Bases...)
	}
	return out
}

// compareModel reports the differences between one model and its
// replayed state.
func compareModel(p *analyzer.ProjectPass, a *project.MigrationApp, state *project.SchemaState, m *project.Model, translated, extended bool) {
	if !m.Complete || remade(m, 0) {
		return
	}
	key := strings.ToLower(m.Name)
	ms := state.Models[key]
	classAt := analyzer.Range{Start: m.Start, End: m.Start + len("class")}
	if ms == nil {
		if len(state.Unknown) > 0 {
			return
		}
		p.Report(analyzer.Diagnostic{
			Path:  m.Path,
			Range: classAt,
			Message: fmt.Sprintf("model `%s` is in no migration of `%s`: `makemigrations` would write `migrations.CreateModel(name=%q, ...)`",
				m.Name, a.Label, m.Name),
			Help: "run `python manage.py makemigrations " + a.Label + "` and commit the migration with the model",
		})
		return
	}
	if m.Proxy {
		return // a proxy's fields are its parent's
	}
	if m.Meta.Unmanaged {
		// managed = False: makemigrations writes the CreateModel but never
		// compares its fields again (a database view's columns are the
		// view's business).
		return
	}
	var added []*project.Field
	have := map[string]bool{}
	hasPK := false
	parents := inheritedColumns(m)
	for _, f := range m.Fields {
		if parents[f.Name] || f.Model != m && f.Model != nil && !f.Model.Abstract {
			continue // a multi-table parent's field lives in the parent's table
		}
		if f.PrimaryKey {
			hasPK = true
		}
		if !migrates(f) {
			continue
		}
		have[f.Name] = true
		// A field class outside Django may be no column at all (a money
		// composite, a descriptor): only Django's own are judged missing.
		if ms.Fields[f.Name] == nil && strings.HasPrefix(f.Class, "django.") {
			added = append(added, f)
		}
	}
	// A name the class (or a class it derives from) assigns may be a
	// field the graph does not read as one: a third-party class, a
	// project subclass, a wrapped field (`encrypt(JSONField())`); and
	// django-money's MoneyField adds `<name>_currency`.
	assigned := map[string]bool{}
	// A field class from a library may add companion columns named for
	// the field: django-markupfield's MarkupField `content` adds
	// `content_markup_type` and `_content_rendered`.
	var companions []string
	for _, at := range p.Project.Models.ClassAttrs(m) {
		assigned[at.Name] = true
		if strings.HasSuffix(at.Callee, "MoneyField") {
			assigned[at.Name+"_currency"] = true
		}
		if libraryField(p.Project.Models, at.Callee) || addsFields(p.Project.Models, at.Callee) {
			companions = append(companions, at.Name+"_", "_"+at.Name+"_")
		}
	}
	var removed []string
	for _, name := range ms.Order {
		if externalAncestor(p.Project.Models, m) {
			break // a base outside the tree (or a base's base) may declare any of them
		}
		if extended {
			break // code adds fields to the class at run time, under names it computes
		}
		if have[name] {
			continue
		}
		sf := ms.Fields[name]
		if name == "id" && !hasPK {
			continue // the implicit primary key
		}
		if sf != nil && sf.Kwargs["parent_link"] == "True" || strings.HasSuffix(name, "_ptr") {
			continue // multi-table inheritance's link to the parent
		}
		if m.Field(name) != nil || parents[name] {
			continue // declared, but by a multi-table parent: not ours to judge
		}
		if assigned[name] || slices.ContainsFunc(companions, func(pre string) bool { return strings.HasPrefix(name, pre) }) {
			continue
		}
		if translated && translationColumn(name, have) {
			continue
		}
		removed = append(removed, name)
	}
	if len(added) == 0 && len(removed) == 0 {
		return
	}
	if op := inconclusive(state, ms); op != nil {
		p.Report(analyzer.Diagnostic{
			Path:  m.Path,
			Range: classAt,
			Message: fmt.Sprintf("model `%s` differs from its migrations, but the custom operation `%s` makes the comparison inconclusive",
				m.Name, op.Kind),
			Help:       "check with `python manage.py makemigrations --check --dry-run " + a.Label + "`",
			Severity:   analyzer.Info,
			Confidence: analyzer.Low,
		})
		return
	}
	for _, f := range added {
		p.Report(analyzer.Diagnostic{
			Path:  f.Path,
			Range: analyzer.Range{Start: f.Start, End: f.End},
			Message: fmt.Sprintf("field `%s.%s` is in no migration: `makemigrations` would write `migrations.AddField(model_name=%q, name=%q, field=%s)`",
				m.Name, f.Name, key, f.Name, fieldSource(f)),
			Help: "run `python manage.py makemigrations " + a.Label + "` and commit the migration with the field",
		})
	}
	for _, name := range removed {
		p.Report(analyzer.Diagnostic{
			Path:  m.Path,
			Range: classAt,
			Message: fmt.Sprintf("field `%s.%s` is in the migrations but not in the model: `makemigrations` would write `migrations.RemoveField(model_name=%q, name=%q)`",
				m.Name, name, key, name),
			Help: "run `python manage.py makemigrations " + a.Label + "` and commit the migration, or restore the field",
		})
	}
}

// libraryField reports a field class a library defines: a qualified name
// ending in Field, outside Django and the tree.
func libraryField(g *project.Models, callee string) bool {
	if !strings.Contains(callee, ".") || strings.HasPrefix(callee, "django.") || g.LookupClassQual(callee) != nil {
		return false
	}
	return strings.HasSuffix(callee[strings.LastIndex(callee, ".")+1:], "Field")
}

// addsFields reports a field class of the tree that may add columns of
// its own when Django binds it to the model: it (or a class of the tree it
// derives from) defines `contribute_to_class`, the hook where a field adds
// a companion (`notes` adding `notes_html`), or derives from a library
// field class, which may (a project `MarkupField` subclass adding
// `_content_rendered`).
func addsFields(g *project.Models, callee string) bool {
	c := g.LookupClassQual(callee)
	if c == nil {
		return false
	}
	for _, k := range append([]*project.ClassFacts{c}, g.ClassBases(c)...) {
		if slices.Contains(k.Methods, "contribute_to_class") {
			return true
		}
		for _, b := range k.Bases {
			if libraryField(g, b) {
				return true
			}
		}
	}
	return false
}

// translationColumn reports a column django-modeltranslation adds for a
// field of the model in one language (`description_da`, `title_pt_br`,
// `name_zh_hans`): the field's name, then a language code. The library
// adds them at run time, for the models a translation.py registers, and
// makemigrations writes them.
func translationColumn(name string, fields map[string]bool) bool {
	for f := range fields {
		code, ok := strings.CutPrefix(name, f+"_")
		if !ok {
			continue
		}
		parts := strings.Split(code, "_")
		if len(parts) > 2 || len(parts[0]) < 2 || len(parts[0]) > 3 {
			continue
		}
		letters := true
		for _, r := range code {
			if (r < 'a' || r > 'z') && r != '_' {
				letters = false
			}
		}
		if letters {
			return true
		}
	}
	return false
}

// migrates reports whether a model field appears in migrations: generic
// foreign keys and generic relations never do.
func migrates(f *project.Field) bool {
	if f.Kind == project.GenericFK {
		return false
	}
	return !strings.HasSuffix(f.Class, "GenericRelation") && !strings.HasSuffix(f.Class, "GenericForeignKey")
}

// inconclusive returns the custom operation that touched the model, or any
// custom operation of the app that named no model.
func inconclusive(state *project.SchemaState, ms *project.ModelState) *project.Operation {
	if ms.Inconclusive != nil {
		return ms.Inconclusive
	}
	if len(state.Unknown) > 0 {
		return state.Unknown[0]
	}
	return nil
}

// fieldSource returns the field constructor call as written in models.py
// ("models.CharField(max_length=32)"), for the makemigrations hint.
func fieldSource(f *project.Field) string {
	if f.Source == "" {
		return "..."
	}
	return f.Source
}

// topLevelClasses returns the lower-cased names of every module-level class
// of the tree: a model whose bases the model graph could not resolve
// (a third-party base) is still a class of that name.
// importsModule reports whether a file of the tree imports module or one
// of its submodules.
func importsModule(ix *project.Index, module string) bool {
	for _, u := range ix.Units {
		if u.Imports == nil {
			continue
		}
		for _, m := range u.Imports.Modules {
			if m == module || strings.HasPrefix(m, module+".") {
				return true
			}
		}
	}
	return false
}

// topLevelClasses returns which of the names (lower-cased) the modules of
// the tree bind to a class at their top level: class statements, and names
// assigned a call's result (a model a factory builds), as the facts hold
// them (project.Facts.TopNames).
func topLevelClasses(ix *project.Index, names []string) map[string]bool {
	out := map[string]bool{}
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[strings.ToLower(n)] = true
	}
	for _, n := range ix.TopNames {
		if l := strings.ToLower(n); wanted[l] {
			out[l] = true
		}
	}
	return out
}

// reportUnmigrated reports each app package whose concrete, managed models
// no migration of the tree creates because the app has no migration at
// all (no migrations package, or one holding only __init__.py): `migrate`
// creates no table for them, and the first query fails. One finding per
// app, at its first model. Skipped: models in test paths (the test runner
// creates tables for apps without migrations), proxy, abstract and
// unmanaged models, apps that INSTALLED_APPS does not list (when some list
// of it is readable; without one, the finding has low confidence), and
// every app when MIGRATION_MODULES moves migrations elsewhere.
func reportUnmigrated(p *analyzer.ProjectPass, mi *project.MigrationIndex, g *project.Models) {
	st := p.Project.Settings
	if len(st.Get("MIGRATION_MODULES")) > 0 {
		return
	}
	migrated := map[string]bool{}
	for _, a := range mi.Apps {
		if len(a.Migrations) > 0 {
			migrated[a.AppPackage] = true
			migrated["label:"+a.Label] = true
		}
	}
	installed, known := installedApps(st)
	byPkg := map[string][]*project.Model{}
	for _, m := range g.All {
		if m.Abstract || m.Proxy || m.Meta.Unmanaged || m.External || project.IsTestPath(m.Path) || !djangoRooted(g, m, 0) || remade(m, 0) {
			continue
		}
		pkg, ok := modelsPackage(m.Module)
		if !ok {
			continue
		}
		pkg = containingApp(pkg, func(p string) bool { return migrated[p] || installedExactly(installed, p) })
		if migrated[pkg] || m.Meta.AppLabel != "" && migrated["label:"+m.Meta.AppLabel] {
			continue
		}
		if (known || len(installed) > 0) && !installedAs(installed, pkg, m.Meta.AppLabel) {
			continue
		}
		byPkg[pkg] = append(byPkg[pkg], m)
	}
	pkgs := make([]string, 0, len(byPkg))
	for pkg := range byPkg {
		pkgs = append(pkgs, pkg)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		models := byPkg[pkg]
		sort.Slice(models, func(i, j int) bool {
			if models[i].Path != models[j].Path {
				return models[i].Path < models[j].Path
			}
			return models[i].Start < models[j].Start
		})
		first := models[0]
		label := pkg[strings.LastIndex(pkg, ".")+1:]
		if first.Meta.AppLabel != "" {
			label = first.Meta.AppLabel
		}
		names := make([]string, 0, len(models))
		for _, m := range models {
			names = append(names, "`"+m.Name+"`")
		}
		if len(names) > 4 {
			names = append(names[:3], fmt.Sprintf("%d more", len(models)-3))
		}
		d := analyzer.Diagnostic{
			Path:  first.Path,
			Range: analyzer.Range{Start: first.Start, End: first.Start + len("class")},
			Message: fmt.Sprintf("app `%s` defines %s but has no migrations: `migrate` creates no table for %s, and the first query fails",
				label, strings.Join(names, ", "), map[bool]string{true: "it", false: "them"}[len(models) == 1]),
			Help: fmt.Sprintf("run `python manage.py makemigrations %s` and commit the `%s` package with its migrations", label,
				path.Join(path.Dir(first.Path), "migrations")),
		}
		if !known {
			d.Confidence = analyzer.Low
		}
		p.Report(d)
	}
}

// containingApp returns the app a models package belongs to, as Django's
// apps.get_containing_app_config reads it: the longest dotted prefix of the
// package (the package itself first) that isApp accepts, or the package
// itself when none does. Models in `mailing/db/models.py` belong to the app
// `mailing` when `mailing.db` is no app of its own: their table is created
// by `mailing`'s migrations.
func containingApp(pkg string, isApp func(string) bool) string {
	for p := pkg; p != ""; {
		if isApp(p) {
			return p
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return pkg
}

// installedExactly reports whether INSTALLED_APPS names the package itself,
// or an AppConfig inside it (`pkg.apps.PkgConfig`).
func installedExactly(installed []string, pkg string) bool {
	for _, it := range installed {
		if it == pkg || strings.HasPrefix(it, pkg+".apps.") {
			return true
		}
	}
	return false
}

// installedApps returns the INSTALLED_APPS entries of the settings, and
// whether rubric could read them all (one list literal of strings). When
// there are several assignments (`INSTALLED_APPS += [...]`, a computed
// tail), it returns the entries of every readable one, not known: an app
// is then judged only when one of them names it.
func installedApps(st *project.Settings) ([]string, bool) {
	all := st.Get("INSTALLED_APPS")
	if len(all) == 1 && all[0].Value == project.ValueList && len(all[0].Items) > 0 {
		return all[0].Items, true
	}
	var items []string
	for _, a := range all {
		items = append(items, a.Items...)
	}
	return items, false
}

// installedAs reports whether INSTALLED_APPS lists the app package pkg
// (dotted), by its package or its AppConfig ("shop", "shop.apps.ShopConfig",
// "project.shop" for a package "shop" run from inside "project").
func installedAs(installed []string, pkg, label string) bool {
	for _, it := range installed {
		if i := strings.Index(it, ".apps."); i >= 0 {
			it = it[:i]
		}
		if it == pkg || strings.HasSuffix(it, "."+pkg) || strings.HasSuffix(pkg, "."+it) || label != "" && it[strings.LastIndex(it, ".")+1:] == label {
			return true
		}
	}
	return false
}

// remade reports a model whose class, or a model class it derives from,
// names a metaclass (`class BaseCart(models.Model,
// metaclass=deferred.ForeignKeyBuilder)`): the metaclass may rewrite the
// model's Meta (django-shop's sets the app label to the merchant's app),
// so which app's migrations hold it, and with which fields, is not read.
func remade(m *project.Model, depth int) bool {
	if m == nil || depth > 10 {
		return false
	}
	if m.NamesMetaclass() {
		return true
	}
	for _, b := range m.Bases {
		if remade(b, depth+1) {
			return true
		}
	}
	return false
}

// libraryStarModels reports an app whose models module (models.py or a
// module of a models package) star-imports a module from outside the tree:
// an app forked from a library's (django-oscar's `from
// oscar.apps.basket.models import *` at the end of models.py) takes the
// library's models it does not override, which the model graph cannot see.
func libraryStarModels(ix *project.Index, appPackage string) bool {
	inTree := func(mod string) bool {
		for _, u := range ix.Units {
			if u.Module == mod || strings.HasPrefix(u.Module, mod+".") {
				return true
			}
		}
		return false
	}
	for module, stars := range ix.StarImports {
		if module != appPackage+".models" && !strings.HasPrefix(module, appPackage+".models.") {
			continue
		}
		for _, mod := range stars {
			if !inTree(mod) {
				return true
			}
		}
	}
	return false
}
