package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// A Fault is one injected defect: where it is, what was changed, and the
// rule that must report it on that line.
type Fault struct {
	Kind   string `json:"kind"`
	Path   string `json:"path"`
	Line   int    `json:"line"`
	Code   string `json:"code"`
	Change string `json:"change"`
	// Name is the name a removed import bound: rubric may report it at an
	// earlier use than Line (an evaluated annotation), which counts too.
	Name string `json:"name,omitempty"`
}

// file is one parsed Python file of the tree.
type file struct {
	rel  string
	src  []byte
	tree *pyast.Tree
}

// edit replaces [start, end) of a file's source.
type edit struct {
	start, end int
	text       string
}

// site is a place a fault can be injected: the edit and what to expect.
type site struct {
	fault Fault
	edit  edit
}

// kinds are the fault kinds, each with the rule that must catch it.
var kinds = []struct {
	name, code string
	find       func(t *treeFacts, f *file) []site
}{
	// Rarer kinds first: a file holds one fault, and imports are everywhere.
	{"serializer-field", "BUG002", serializerSites},
	{"admin-field", "BUG012", adminSites},
	{"dropped-await", "BUG004", awaitSites},
	{"field-lookup", "BUG001", lookupSites},
	{"removed-import", "BUG005", importSites},
}

// treeFacts is what the injector reads of the whole tree, syntactically
// and on its own (it does not ask rubric which models it knows).
type treeFacts struct {
	// fields are the field names of each plain model class (bases are
	// models.Model or other plain model classes of the tree), by class
	// name; a name defined twice is dropped.
	fields map[string]map[string]bool
}

// fieldCall reports a class-body call that declares a Django field.
func fieldCall(c pyast.Call) bool {
	d := pyast.Dotted(c.Func)
	last := d[strings.LastIndex(d, ".")+1:]
	return strings.HasSuffix(last, "Field") || strings.HasSuffix(last, "ForeignKey")
}

func collectFacts(files []*file) *treeFacts {
	type cls struct {
		bases  []string
		fields []string
	}
	classes := map[string]*cls{}
	dup := map[string]bool{}
	for _, f := range files {
		for _, def := range pyast.FindAll(f.tree.Root(), "class_definition") {
			name := pyast.DefName(def)
			c := &cls{}
			for _, b := range def.ChildByField("superclasses").NamedChildren() {
				if b.Type() != "keyword_argument" {
					c.bases = append(c.bases, pyast.Dotted(b))
				}
			}
			for _, st := range pyast.Statements(pyast.Body(def)) {
				a := st.NamedChild(0)
				if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
					continue
				}
				if call, ok := pyast.AsCall(a.ChildByField("right")); ok && fieldCall(call) {
					c.fields = append(c.fields, a.ChildByField("left").Text())
				}
			}
			if _, seen := classes[name]; seen {
				dup[name] = true
			}
			classes[name] = c
		}
	}
	facts := &treeFacts{fields: map[string]map[string]bool{}}
	var plain func(name string, depth int) (map[string]bool, bool)
	plain = func(name string, depth int) (map[string]bool, bool) {
		c := classes[name]
		if c == nil || dup[name] || depth > 8 || len(c.bases) == 0 {
			return nil, false
		}
		out := map[string]bool{}
		for _, b := range c.bases {
			if b == "models.Model" || b == "Model" {
				continue
			}
			inherited, ok := plain(b[strings.LastIndex(b, ".")+1:], depth+1)
			if !ok {
				return nil, false
			}
			for k := range inherited {
				out[k] = true
			}
		}
		for _, fd := range c.fields {
			out[fd] = true
		}
		return out, true
	}
	for name := range classes {
		if fs, ok := plain(name, 0); ok && len(fs) > 0 {
			facts.fields[name] = fs
		}
	}
	return facts
}

// typo misspells a name: two letters swapped after the first, or one
// doubled for short names; "" when no misspelling stays clear of taken.
func typo(name string, taken map[string]bool) string {
	cands := []string{}
	for i := 1; i+1 < len(name); i++ {
		if name[i] != name[i+1] && name[i] != '_' && name[i+1] != '_' {
			b := []byte(name)
			b[i], b[i+1] = b[i+1], b[i]
			cands = append(cands, string(b))
		}
	}
	cands = append(cands, name+name[len(name)-1:])
	for _, c := range cands {
		if !taken[c] {
			return c
		}
	}
	return ""
}

func line(f *file, at int) int { return bytes.Count(f.src[:at], []byte("\n")) + 1 }

// lookupSites: `Model.objects.filter(field=...)` (get, exclude) on a plain
// model of the tree, the keyword's first part misspelled.
func lookupSites(t *treeFacts, f *file) []site {
	var out []site
	for _, call := range pyast.FindAll(f.tree.Root(), "call") {
		c, _ := pyast.AsCall(call)
		switch c.MethodName() {
		case "filter", "get", "exclude":
		default:
			continue
		}
		recv := pyast.Dotted(c.Receiver())
		model, ok := strings.CutSuffix(recv, ".objects")
		if !ok {
			continue
		}
		fields := t.fields[model[strings.LastIndex(model, ".")+1:]]
		for _, kw := range sortedNames(c.Keywords) {
			first := strings.SplitN(kw, "__", 2)[0]
			if !fields[first] {
				continue
			}
			bad := typo(first, fields)
			if bad == "" {
				continue
			}
			name := c.KeywordArg(kw).ChildByField("name")
			out = append(out, site{
				fault: Fault{Kind: "field-lookup", Path: f.rel, Line: line(f, name.StartByte()), Code: "BUG001",
					Change: fmt.Sprintf("%s.%s(%s=...) -> %s", model, c.MethodName(), first, bad)},
				edit: edit{name.StartByte(), name.StartByte() + len(first), bad},
			})
			break
		}
	}
	return out
}

// importSites: a module-level `from m import Name` (one name, no alias)
// whose name the file reads and binds nowhere else; the import is
// commented out, so line numbers stay.
func importSites(t *treeFacts, f *file) []site {
	root := f.tree.Root()
	if len(pyast.FindAll(root, "wildcard_import")) > 0 || bytes.Contains(f.src, []byte("exec(")) ||
		bytes.Contains(f.src, []byte("globals()")) || bytes.Contains(f.src, []byte("TYPE_CHECKING")) {
		return nil
	}
	var out []site
	for _, st := range pyast.Statements(root) {
		if st.Type() != "import_from_statement" || strings.Contains(st.Text(), "\n") {
			continue
		}
		names := st.ChildrenByField("name")
		if len(names) != 1 || names[0].Type() != "dotted_name" || strings.Contains(names[0].Text(), ".") {
			continue
		}
		name := names[0].Text()
		var uses []pyast.Node
		binds := 0
		for _, id := range pyast.FindAll(root, "identifier") {
			if id.Text() != name || st.Contains(id) {
				continue
			}
			switch p := id.Parent(); {
			case p.Type() == "attribute" && id.Field() == "attribute", p.Type() == "keyword_argument" && id.Field() == "name":
			case id.Field() == "name" || id.Field() == "left" || p.Is("dotted_name", "aliased_import", "parameters",
				"lambda_parameters", "typed_parameter", "as_pattern_target", "global_statement", "nonlocal_statement"):
				binds++
			case !pyast.Ancestor(id, "type").IsNil() || !pyast.Ancestor(id, "string").IsNil():
			default:
				uses = append(uses, id)
			}
		}
		if binds > 0 || len(uses) == 0 || definesModels(uses) {
			continue
		}
		out = append(out, site{
			fault: Fault{Kind: "removed-import", Path: f.rel, Line: line(f, uses[0].StartByte()), Code: "BUG005",
				Change: fmt.Sprintf("removed `%s`", st.Text()), Name: name},
			edit: edit{st.StartByte(), st.EndByte(), "# " + strings.Repeat("-", len(st.Text())-2)},
		})
	}
	return out
}

// definesModels reports a name the file uses to declare classes (a base
// class, or `models.CharField(...)` in a class body): removing its import
// would break the model graph of the whole project, not just this line.
func definesModels(uses []pyast.Node) bool {
	for _, id := range uses {
		for p := id.Parent(); !p.IsNil(); p = p.Parent() {
			if p.Type() == "class_definition" {
				return true
			}
			if p.Type() == "function_definition" {
				break
			}
		}
	}
	return false
}

// awaitSites: `await f(...)` as a statement, where f is an `async def` of
// the same file (a top-level function, or a method called on self); the
// await is removed.
func awaitSites(t *treeFacts, f *file) []site {
	root := f.tree.Root()
	async := map[string]bool{}
	for _, def := range pyast.FindAll(root, "function_definition") {
		if def.FirstChild().Type() == "async" && len(pyast.Decorators(def)) == 0 {
			async[pyast.DefName(def)] = true
		}
	}
	var out []site
	for _, st := range pyast.FindAll(root, "expression_statement") {
		aw := st.NamedChild(0)
		if aw.Type() != "await" {
			continue
		}
		call, ok := pyast.AsCall(aw.NamedChild(0))
		if !ok {
			continue
		}
		name := pyast.Dotted(call.Func)
		if !async[name] && !(strings.HasPrefix(name, "self.") && async[strings.TrimPrefix(name, "self.")]) {
			continue
		}
		out = append(out, site{
			fault: Fault{Kind: "dropped-await", Path: f.rel, Line: line(f, aw.StartByte()), Code: "BUG004",
				Change: fmt.Sprintf("await %s(...) -> %s(...)", name, name)},
			edit: edit{aw.StartByte(), call.Node.StartByte(), ""},
		})
	}
	return out
}

// serializerSites: a field name in the Meta.fields list of a
// ModelSerializer whose Meta.model is a plain model, misspelled.
func serializerSites(t *treeFacts, f *file) []site {
	var out []site
	for _, cls := range pyast.FindAll(f.tree.Root(), "class_definition") {
		if !strings.Contains(cls.ChildByField("superclasses").Text(), "ModelSerializer") {
			continue
		}
		out = append(out, metaListSite(t, f, cls, "model", "fields", "serializer-field", "BUG002")...)
	}
	return out
}

// adminSites: a field name in the list_display of a ModelAdmin registered
// for a plain model, misspelled.
func adminSites(t *treeFacts, f *file) []site {
	registered := map[string]string{} // admin class -> model
	for _, call := range pyast.FindAll(f.tree.Root(), "call") {
		c, _ := pyast.AsCall(call)
		if c.MethodName() == "register" && len(c.Positional) == 2 {
			registered[pyast.Dotted(c.Positional[1])] = pyast.Dotted(c.Positional[0])
		}
	}
	var out []site
	for _, cls := range pyast.FindAll(f.tree.Root(), "class_definition") {
		model := registered[pyast.DefName(cls)]
		for _, d := range pyast.Decorators(cls) {
			if c, ok := pyast.AsCall(d); ok && c.MethodName() == "register" && len(c.Positional) == 1 {
				model = pyast.Dotted(c.Positional[0])
			}
		}
		fields := t.fields[model[strings.LastIndex(model, ".")+1:]]
		if fields == nil {
			continue
		}
		for _, st := range pyast.Statements(pyast.Body(cls)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "list_display" {
				continue
			}
			if s, ok := listNameSite(f, a.ChildByField("right"), fields, "admin-field", "BUG012", model+" list_display"); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// metaListSite finds, in a class's Meta, the list option `list` of the
// model named by `model`, and misspells one of its field names.
func metaListSite(t *treeFacts, f *file, cls pyast.Node, model, list, kind, code string) []site {
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() != "class_definition" || pyast.DefName(st) != "Meta" {
			continue
		}
		var fields map[string]bool
		var values pyast.Node
		for _, m := range pyast.Statements(pyast.Body(st)) {
			a := m.NamedChild(0)
			if m.Type() != "expression_statement" || a.Type() != "assignment" {
				continue
			}
			switch a.ChildByField("left").Text() {
			case model:
				d := pyast.Dotted(a.ChildByField("right"))
				fields = t.fields[d[strings.LastIndex(d, ".")+1:]]
			case list:
				values = a.ChildByField("right")
			}
		}
		if fields == nil || values.IsNil() {
			return nil
		}
		if s, ok := listNameSite(f, values, fields, kind, code, pyast.DefName(cls)+" Meta."+list); ok {
			return []site{s}
		}
	}
	return nil
}

// listNameSite misspells the first field name of a list literal.
func listNameSite(f *file, list pyast.Node, fields map[string]bool, kind, code, where string) (site, bool) {
	list = pyast.Unparen(list)
	if !list.Is("list", "tuple") {
		return site{}, false
	}
	for _, e := range list.NamedChildren() {
		s, ok := pyast.StringValue(e)
		if !ok || !fields[s] {
			continue
		}
		bad := typo(s, fields)
		if bad == "" {
			continue
		}
		start := e.StartByte() + strings.Index(e.Text(), s)
		return site{
			fault: Fault{Kind: kind, Path: f.rel, Line: line(f, start), Code: code, Change: fmt.Sprintf("%s: %s -> %s", where, s, bad)},
			edit:  edit{start, start + len(s), bad},
		}, true
	}
	return site{}, false
}

func sortedNames(m map[string]pyast.Node) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// plan picks at most per faults of each kind, one per file across all
// kinds (so that faults do not interact), spread evenly over the tree's
// candidates in path order.
func plan(files []*file, per int) ([]Fault, map[string][]edit) {
	facts := collectFacts(files)
	used := map[string]bool{}
	edits := map[string][]edit{}
	var faults []Fault
	for _, k := range kinds {
		var cands []site
		for _, f := range files {
			if s := k.find(facts, f); len(s) > 0 {
				cands = append(cands, s[0])
			}
		}
		step := 1
		if per > 0 && len(cands) > per {
			step = len(cands) / per
		}
		n := 0
		for i := 0; i < len(cands) && (per <= 0 || n < per); i += step {
			s := cands[i]
			if used[s.fault.Path] {
				continue
			}
			used[s.fault.Path] = true
			edits[s.fault.Path] = append(edits[s.fault.Path], s.edit)
			faults = append(faults, s.fault)
			n++
		}
	}
	return faults, edits
}

// apply returns a source with its edits applied (they do not overlap).
func apply(src []byte, edits []edit) []byte {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		out = append(out[:e.start:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out
}
