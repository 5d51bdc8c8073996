// Package project holds what rubric knows about the analysed tree as a
// whole. Phase one of a run extracts Facts from every file in parallel;
// Build merges them, in path order, into the read-only Index that phase two
// hands to every rule.
//
// Index.Models is the Django model graph (models.go extracts, graph.go
// resolves): Models.Lookup(unit, "Order") / ByQual / ByLabel("shop.Order")
// find a model; Model.Field, Model.Attr (column, forward relation, reverse
// accessor, manager), Model.Follow("a__b") and Model.Indexed / UniqueBy
// answer what rules ask; Models.LookupClass and ClassBases expose the other
// classes of the tree (serializers, views) as ClassFacts.
package project

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// Unit is one parsed Python file.
type Unit struct {
	File    *source.File
	Tree    *pyast.Tree
	Imports *pyast.Imports
	// RootRel is the path relative to the analysed root that contained the
	// file, '/'-separated; Module is its dotted module name ("app.views").
	RootRel string
	Module  string
	// Package is the dotted package containing the module.
	Package string
	// ModelAliases are module-level names bound to a model by label
	// (`Product = get_model("catalogue", "Product")`, `User =
	// get_user_model()`), set in phase one.
	ModelAliases map[string]string

	res results // analyses of this file (see FileAnalysis)
}

func (u *Unit) cell(key any) *resultCell { return u.res.cell(key) }

// NewUnit prepares a unit; rootRel is the file's path relative to the
// directory the user asked to analyse.
func NewUnit(f *source.File, t *pyast.Tree, rootRel string) *Unit {
	u := &Unit{File: f, Tree: t, RootRel: rootRel}
	if t != nil {
		u.Imports = pyast.CollectImports(t.Root())
	}
	u.Module, u.Package = ModuleName(rootRel)
	return u
}

// ModuleName derives the dotted module and package names from a
// '/'-separated path: "shop/orders/views.py" is module "shop.orders.views"
// in package "shop.orders"; "shop/__init__.py" is module and package "shop".
func ModuleName(rel string) (module, pkg string) {
	rel = strings.TrimSuffix(rel, ".py")
	dir, base := path.Split(rel)
	dir = strings.Trim(dir, "/")
	pkg = strings.ReplaceAll(dir, "/", ".")
	if base == "__init__" {
		return pkg, pkg
	}
	if pkg == "" {
		return base, ""
	}
	return pkg + "." + base, pkg
}

// Facts are what phase one extracts from one file. Each kind of fact has
// its own extractor (see Extract); all are plain data.
type Facts struct {
	Unit       *Unit
	Models     *ModelFacts
	Migrations MigrationFacts
	Settings   []Setting
	// SettingsModule is set on a settings module (IsSettingsPath, or a
	// module assigning INSTALLED_APPS, ROOT_URLCONF, MIDDLEWARE or
	// DATABASES), and SettingsStars are the modules it star-imports at its
	// top level, relative imports resolved (`from .api import *`).
	SettingsModule bool     `json:",omitempty"`
	SettingsStars  []string `json:",omitempty"`
	Atomic         *AtomicCalls
	// TopNames are the names the module binds at its top level to a class
	// statement or to a call's result (a model a factory builds:
	// `TaskLogEntry = define_log_model(Task)`), in order.
	TopNames []string `json:",omitempty"`
	// StarImports are the modules the module star-imports at its top
	// level (`from oscar.apps.basket.models import *`), as written.
	StarImports []string `json:",omitempty"`
	// ExtendedModels are the model class names the module adds fields
	// to at run time: `field.contribute_to_class(Model, name)` (the model
	// is the first argument) and `Model.add_to_class(name, field)` (the
	// receiver), last name as written.
	ExtendedModels []string `json:",omitempty"`
	// DefinesTests is set when the module defines a test: a top-level
	// function named test*, or a method named test* of a top-level class
	// (pytest's and unittest's conventions).
	DefinesTests bool `json:",omitempty"`
	// FirstLineEnd is the byte offset of the end of the module's first
	// line, kept for a tests.py that defines no test (a startapp stub,
	// where ARC005 anchors its finding); 0 for any other module.
	FirstLineEnd int `json:",omitempty"`
	// Breaker is set when the module shows a circuit breaker
	// (BreakerImport, BreakerSites): NET005 then knows
	// the project has one from the facts, without reading every file.
	Breaker bool `json:",omitempty"`
}

// Extract computes the facts of one unit. It runs in parallel across files,
// so it may read only the unit.
func Extract(u *Unit) *Facts {
	f := &Facts{Unit: u}
	f.Models = extractModels(u)
	f.Migrations = ExtractMigrationFacts(u)
	f.Settings, f.SettingsModule = extractSettings(u)
	if f.SettingsModule {
		f.SettingsStars = settingsStars(u)
	}
	f.Atomic = extractAtomicCalls(u)
	f.TopNames, f.StarImports = topNames(u)
	f.DefinesTests = definesTests(u)
	f.ExtendedModels = extendedModels(u)
	if !f.DefinesTests && path.Base(u.Rel()) == "tests.py" {
		f.FirstLineEnd = firstLineEnd(u.File.Src())
	}
	f.Breaker = BreakerImport(u.Imports) != "" || len(BreakerSites(u.Tree)) > 0
	return f
}

// firstLineEnd is the byte offset of the end of src's first line.
func firstLineEnd(src []byte) int {
	if i := bytes.IndexByte(src, '\n'); i >= 0 {
		return i
	}
	return len(src)
}

// definesTests reports what Facts.DefinesTests holds for u.
func definesTests(u *Unit) bool {
	if u.Tree == nil {
		return false
	}
	isTest := func(def pyast.Node) bool {
		if def.Type() == "decorated_definition" {
			def = def.ChildByField("definition")
		}
		return def.Type() == "function_definition" && strings.HasPrefix(pyast.DefName(def), "test")
	}
	for st := range pyast.EachStatement(u.Tree.Root()) {
		if isTest(st) {
			return true
		}
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() != "class_definition" {
			continue
		}
		for m := range pyast.EachStatement(st.ChildByField("body")) {
			if isTest(m) {
				return true
			}
		}
	}
	return false
}

// extendedModels returns what Facts.ExtendedModels holds for u: nothing
// for tests and migrations, whose classes are not the product's.
func extendedModels(u *Unit) []string {
	if u.Tree == nil || IsTestPath(u.Rel()) || IsMigration(u.Rel()) {
		return nil
	}
	var out []string
	for call := range pyast.FindEach(u.Tree.Root(), "call") {
		c, ok := pyast.AsCall(call)
		if !ok || c.Func.Type() != "attribute" {
			continue
		}
		var model pyast.Node
		switch c.MethodName() {
		case "contribute_to_class":
			model = c.Arg(0, "cls")
		case "add_to_class":
			model = c.Receiver()
		default:
			continue
		}
		if d := pyast.Dotted(pyast.Unparen(model)); d != "" {
			if name := d[strings.LastIndex(d, ".")+1:]; !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// topNames returns what Facts.TopNames and Facts.StarImports hold for u.
func topNames(u *Unit) (out, stars []string) {
	if u.Tree == nil {
		return nil, nil
	}
	for st := range pyast.EachStatement(u.Tree.Root()) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		switch st.Type() {
		case "class_definition":
			out = append(out, pyast.DefName(st))
		case "expression_statement":
			if a := st.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" &&
				a.ChildByField("right").Type() == "call" {
				out = append(out, a.ChildByField("left").Text())
			}
		case "import_from_statement":
			if mod := st.ChildByField("module_name"); mod.Type() == "dotted_name" {
				for ch := range st.Named() {
					if ch.Type() == "wildcard_import" {
						stars = append(stars, mod.Text())
						break
					}
				}
			}
		}
	}
	return out, stars
}

// Index is the project-wide knowledge, read-only once built.
type Index struct {
	// Units are every parsed file, sorted by display path.
	Units    []*Unit
	ByModule map[string]*Unit
	ByPath   map[string]*Unit
	// Models is the Django model graph.
	Models *Models
	// Migrations are the decoded migration modules, grouped by app.
	Migrations MigrationIndex
	// Settings are the settings rules consult (settings.go).
	Settings *Settings
	// CalledInAtomic are the function names some non-test file calls
	// inside an atomic block, directly or through other functions
	// (atomic.go).
	CalledInAtomic map[string]bool
	// ExtendedModels are the model names some module's Facts.ExtendedModels
	// holds.
	ExtendedModels map[string]bool
	// TopNames are every module's Facts.TopNames, in unit order.
	TopNames []string
	// StarImports are the modules' Facts.StarImports, by module.
	StarImports map[string][]string
	// DefinesTests holds the display paths of the modules whose
	// Facts.DefinesTests is set.
	DefinesTests map[string]bool
	// FirstLineEnds holds Facts.FirstLineEnd by display path, where it is
	// set.
	FirstLineEnds map[string]int
	// Breakers are the display paths of the modules whose Facts.Breaker is
	// set, in unit order.
	Breakers []string

	// shared is what every view of the index shares (see WithoutAnalyses).
	shared *indexShared
	// noAnalyses marks a view that refuses every project analysis.
	noAnalyses bool
	// reads, on a recording view (see Recording), is told of the other
	// files whose own analyses a run on self read.
	reads *Reads
	self  *Unit
}

// Reads is what a recording view of the index saw a rule's run on one file
// read of other files beyond the project analyses and the facts.
type Reads struct {
	// Units are the other files whose file analyses (FileAnalysis) the run
	// read, directly or through another file analysis, in order of first
	// read.
	Units []*Unit
	// Of are the same reads with the analysis read on each file, in
	// order of first read: Analysis is nil where a file analysis's build
	// read the file (its bytes count, not one analysis of it).
	Of []ReadOf
	// Projects are the project analyses the run read, directly or through
	// a file analysis.
	Projects []Analysis
}

// ReadOf is one file analysis of another file a run read.
type ReadOf struct {
	Unit     *Unit
	Analysis Analysis
}

func (r *Reads) add(u *Unit) {
	if !slices.Contains(r.Units, u) {
		r.Units = append(r.Units, u)
	}
}

// Merge adds o's reads to r's.
func (r *Reads) Merge(o *Reads) {
	for _, u := range o.Units {
		r.add(u)
	}
	for _, ro := range o.Of {
		r.addOf(ro.Unit, ro.Analysis)
	}
	for _, a := range o.Projects {
		r.addProject(a)
	}
}

func (r *Reads) addProject(a Analysis) {
	if !slices.Contains(r.Projects, a) {
		r.Projects = append(r.Projects, a)
	}
}

func (r *Reads) addOf(u *Unit, a Analysis) {
	if !slices.Contains(r.Of, ReadOf{u, a}) {
		r.Of = append(r.Of, ReadOf{u, a})
	}
}

// Recording returns a view of ix that records in r the other files whose
// file analyses are read through it by a run on self (see Reads). The
// project analyses read through it are built from the files the index
// keeps for analyses (see KeepForAnalyses), so what a run may read of
// the others is those files, the facts, and the files r lists.
func (ix *Index) Recording(self *Unit, r *Reads) *Index {
	if ix == nil {
		return nil
	}
	v := *ix
	v.reads, v.self = r, self
	return &v
}

// KeepForAnalyses makes the project analyses of ix see only the files keep
// accepts: every other file is in their index without a tree or a source.
// Call it before any analysis is built. The driver keeps product code
// (tests are left out), so that no project analysis depends on a test
// module, and an edit to one does not run again the rules that read the
// analyses on other files (see the analyzer's reuse.go).
// The view is made when the first analysis is built: a run that builds
// none (an edit to a test module) does not pay for it.
func (ix *Index) KeepForAnalyses(keep func(*Unit) bool) {
	ix.shared.keep = keep
}

// forAnalyses is the view of ix a project analysis is built from.
func (ix *Index) forAnalyses() *Index {
	if keep := ix.shared.keep; keep != nil {
		ix.shared.analysesOnce.Do(func() {
			ix.shared.analyses = ix.Without(func(u *Unit) bool { return !keep(u) })
		})
		return ix.shared.analyses
	}
	if ix.reads == nil && !ix.noAnalyses {
		return ix
	}
	v := *ix
	v.reads, v.self, v.noAnalyses = nil, nil, false
	return &v
}

// Without returns a view of ix in which the files omit accepts are there
// without a tree or a source: a rule or an analysis that reads one through
// the view finds nothing in it. The view shares ix's analyses and records
// nothing.
func (ix *Index) Without(omit func(*Unit) bool) *Index {
	v := *ix
	v.reads, v.self = nil, nil
	// as maps each unit to itself or its bare copy: omit is asked once a
	// unit.
	as := make(map[*Unit]*Unit, len(ix.Units))
	strip := func(u *Unit) *Unit {
		if u == nil {
			return nil
		}
		if b, ok := as[u]; ok {
			return b
		}
		b := u
		if omit(u) {
			b = &Unit{Imports: u.Imports, RootRel: u.RootRel, Module: u.Module, Package: u.Package, ModelAliases: u.ModelAliases}
			if u.File != nil {
				b.File = &source.File{Path: u.File.Path, Rel: u.File.Rel, Encoding: u.File.Encoding}
			}
		}
		as[u] = b
		return b
	}
	v.Units = make([]*Unit, len(ix.Units))
	for i, u := range ix.Units {
		v.Units[i] = strip(u)
	}
	v.ByModule = make(map[string]*Unit, len(ix.ByModule))
	for k, u := range ix.ByModule {
		v.ByModule[k] = strip(u)
	}
	v.ByPath = make(map[string]*Unit, len(ix.ByPath))
	for k, u := range ix.ByPath {
		v.ByPath[k] = strip(u)
	}
	return &v
}

// indexShared is the index's lazily computed state.
type indexShared struct {
	djangoOnce    sync.Once
	django        DjangoVersion
	depsOnce      sync.Once
	deps          Declared
	dotenvOnce    sync.Once
	dotenv        []DotenvFile
	artefactsOnce sync.Once
	artefacts     []Artefact
	serveOnce     sync.Once
	serve         []ServeCommand
	importedOnce  sync.Once
	imported      Stack // Index.imported
	openOnce      sync.Once
	open          bool // Index.openWorld
	// listed holds walkOutside's lists, for Declared, Dotenv and
	// Artefacts read without the caller's Outside (one walk for all).
	listedOnce sync.Once
	listed     outsideList

	res results // project analyses (see ProjectAnalysis)
	// analyses is the view project analyses are built from, if not the
	// index itself: the files keep accepts (KeepForAnalyses), made once.
	keep         func(*Unit) bool
	analysesOnce sync.Once
	analyses     *Index
}

func (ix *Index) cell(key any) *resultCell {
	if ix.noAnalyses {
		panic(fmt.Sprintf("project analysis %v read where the rule declared it reads none", analysisName(key)))
	}
	return ix.shared.res.cell(key)
}

// analysisName names an Analysis key for a message.
func analysisName(key any) string {
	if a, ok := key.(Analysis); ok {
		return a.AnalysisName()
	}
	return fmt.Sprintf("%T", key)
}

// WithoutAnalyses returns a view of ix that panics when a project
// analysis is read through it. The driver hands it, under test, to every
// rule that declares no shared analysis, and to a rule on a file where it
// declares it reads none (Rule.LocalOn), so a rule that does read one
// fails its fixtures.
func (ix *Index) WithoutAnalyses() *Index {
	v := *ix
	v.noAnalyses = true
	return &v
}

// Build merges facts (given in path order) into the index.
func Build(facts []*Facts) *Index {
	ix := &Index{ByModule: map[string]*Unit{}, ByPath: map[string]*Unit{}, shared: &indexShared{}}
	for _, f := range facts {
		u := f.Unit
		ix.Units = append(ix.Units, u)
		ix.ByPath[u.File.Rel] = u
		if _, dup := ix.ByModule[u.Module]; !dup {
			ix.ByModule[u.Module] = u
		}
		ix.Migrations.Add(f.Migrations)
		ix.TopNames = append(ix.TopNames, f.TopNames...)
		for _, name := range f.ExtendedModels {
			if ix.ExtendedModels == nil {
				ix.ExtendedModels = map[string]bool{}
			}
			ix.ExtendedModels[name] = true
		}
		if f.DefinesTests {
			if ix.DefinesTests == nil {
				ix.DefinesTests = map[string]bool{}
			}
			ix.DefinesTests[u.File.Rel] = true
		}
		if f.Breaker {
			ix.Breakers = append(ix.Breakers, u.File.Rel)
		}
		if f.FirstLineEnd > 0 {
			if ix.FirstLineEnds == nil {
				ix.FirstLineEnds = map[string]int{}
			}
			ix.FirstLineEnds[u.File.Rel] = f.FirstLineEnd
		}
		if len(f.StarImports) > 0 {
			if ix.StarImports == nil {
				ix.StarImports = map[string][]string{}
			}
			ix.StarImports[u.Module] = append(ix.StarImports[u.Module], f.StarImports...)
		}
	}
	ix.Settings = buildSettings(facts)
	ix.Models = buildModels(facts, ix.Settings)
	ix.Migrations.Finish()
	ix.CalledInAtomic = buildCalledInAtomic(facts)
	return ix
}
