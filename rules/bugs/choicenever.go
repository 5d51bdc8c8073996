package bugs

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed choicenever.md
var choiceNeverSetDoc string

// ChoiceNeverSet reports a choice of a model field that the code selects
// or compares rows by and that nothing in the project ever stores.
var ChoiceNeverSet = &analyzer.Rule{
	Code:       "BUG058",
	Name:       "choice-never-set",
	Doc:        choiceNeverSetDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.22.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, neverSetChoices},
	Run:        runChoiceNeverSet,
}

// choiceField is a model field whose choices are a literal list of
// string values.
type choiceField struct {
	model  *project.Model
	class  string // the model class as written
	field  string
	values map[string]bool
	// choices is the list the values come from: occurrences inside it
	// are the declaration, not a use.
	choices pyast.Node
	def     string
}

// neverSetFinding is one choice read and never stored, located at its
// first read (path order).
type neverSetFinding struct {
	cf    *choiceField
	value string
	reads []pyast.Node // those in the first read's file
	total int
}

// choiceRead is a string literal read as a field's choice, in its unit.
type choiceRead struct {
	unit *project.Unit
	node pyast.Node
}

// readMethods select rows by their keyword arguments.
var readMethods = map[string]bool{"filter": true, "exclude": true, "get": true, "Q": true,
	"get_object_or_404": true, "get_list_or_404": true}

// storeMethods store their keyword arguments (or whatever a ** splat holds).
var storeMethods = map[string]bool{"create": true, "update": true, "get_or_create": true, "update_or_create": true,
	"bulk_create": true, "bulk_update": true, "save": true}

// neverSetChoices finds, across the product code, the string choices of
// model fields that some filter or comparison reads and nothing stores:
// every occurrence of the value as a string literal, outside the choices
// list, is a read (the value of a filter/exclude/get/Q keyword on that
// field, or an operand of ==, !=, in compared with `.field`), and nothing
// can store it any other way (see fieldOpen). Empty when the project sets
// attributes by name (setattr) or creates rows from a ** splat rubric
// cannot place.
var neverSetChoices = &project.ProjectAnalysis[map[*project.Unit][]*neverSetFinding]{Name: "bugs.neverSetChoices", Run: func(ix *project.Index) map[*project.Unit][]*neverSetFinding {
	var files []*semantic.File
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Unit.RootRel < files[j].Unit.RootRel })
	var fields []*choiceField
	for _, f := range files {
		fields = append(fields, choiceFieldsIn(f)...)
	}
	if len(fields) == 0 {
		return nil
	}
	byValue := map[string]bool{}
	names := map[string]bool{}
	for _, cf := range fields {
		names[cf.field] = true
		for v := range cf.values {
			byValue[v] = true
		}
	}
	open := map[string]bool{} // field names something may set to any value
	openModels := map[*project.Model]bool{}
	other := map[string]bool{} // values used otherwise than read
	reads := map[*choiceField]map[string][]choiceRead{}
	for _, f := range files {
		if !scanWrites(f, names, open, openModels) {
			return nil
		}
		scanLiterals(f, fields, byValue, other, reads)
	}
	out := map[*project.Unit][]*neverSetFinding{}
	for _, cf := range fields {
		if open[cf.field] || openModels[cf.model] {
			continue
		}
		var vals []string
		for v := range reads[cf] {
			vals = append(vals, v)
		}
		sort.Strings(vals)
		for _, v := range vals {
			if other[v] || v == cf.def {
				continue
			}
			rs := reads[cf][v]
			var nodes []pyast.Node
			for _, r := range rs {
				if r.unit == rs[0].unit {
					nodes = append(nodes, r.node)
				}
			}
			out[rs[0].unit] = append(out[rs[0].unit], &neverSetFinding{cf: cf, value: v, reads: nodes, total: len(rs)})
		}
	}
	return out
}}

// choiceFieldsIn returns the fields of the file's model classes declared
// with a literal list of string choices.
func choiceFieldsIn(f *semantic.File) []*choiceField {
	if f.M.Graph == nil {
		return nil
	}
	root := f.Unit.Tree.Root()
	var out []*choiceField
	for cls := range pyast.FindEach(root, "class_definition") {
		name := cls.ChildByField("name").Text()
		md := f.M.Graph.Lookup(f.Unit, name)
		if md == nil {
			continue
		}
		for field, c := range fieldCalls(cls) {
			ch := pyast.Unparen(c.Keyword("choices"))
			if ch.Type() == "identifier" {
				if v := classConstant(cls, ch.Text()); !v.IsNil() {
					ch = pyast.Unparen(v)
				} else if v := moduleConstant(root, ch.Text()); !v.IsNil() {
					ch = pyast.Unparen(v)
				}
			}
			values, ok := stringChoices(root, cls, ch)
			if !ok {
				continue
			}
			cf := &choiceField{model: md, class: name, field: field, values: values, choices: ch}
			if d, ok := pyast.StringValue(pyast.Unparen(c.Keyword("default"))); ok {
				cf.def = d
			} else if !c.Keyword("default").IsNil() {
				continue // a default rubric cannot read may be any choice
			}
			out = append(out, cf)
		}
	}
	return out
}

// stringChoices reads a literal list or tuple of choices whose values are
// all non-empty strings (choiceValues, named groups included).
func stringChoices(root, cls, ch pyast.Node) (map[string]bool, bool) {
	if !ch.Is("list", "tuple") {
		return nil, false
	}
	values, ok := choiceValues(root, cls, ch, nil, 0)
	if !ok || len(values) == 0 {
		return nil, false
	}
	out := map[string]bool{}
	for _, v := range values {
		s, err := strconv.Unquote(v) // literalValue renders strings with %q
		if err != nil || s == "" || !strings.HasPrefix(v, `"`) {
			return nil, false
		}
		out[s] = true
	}
	return out, true
}

// scanWrites marks the field names something in f may set to a value
// rubric cannot read (an assignment or a keyword of a call that stores,
// from anything but a string literal), and the models a form, a
// serializer or the admin edits. It returns false when f sets attributes
// by computed name or stores a ** splat on rows rubric cannot place.
func scanWrites(f *semantic.File, names, open map[string]bool, openModels map[*project.Model]bool) bool {
	root := f.Unit.Tree.Root()
	for n := range pyast.FindEach(root, "assignment", "augmented_assignment", "call", "class_definition") {
		switch n.Type() {
		case "assignment", "augmented_assignment":
			left := pyast.Unparen(n.ChildByField("left"))
			if left.Type() == "attribute" && names[left.ChildByField("attribute").Text()] {
				if _, ok := pyast.StringValue(pyast.Unparen(n.ChildByField("right"))); !ok {
					open[left.ChildByField("attribute").Text()] = true
				}
			}
		case "call":
			c, ok := pyast.AsCall(n)
			if !ok {
				continue
			}
			method := c.MethodName()
			callee := string(pyast.CalleeName(n))
			if callee == "setattr" {
				if _, ok := pyast.StringValue(c.Arg(1, "")); !ok {
					return false
				}
			}
			if callee == "register" {
				for _, a := range c.Positional {
					for id := range pyast.FindEach(a, "identifier", "attribute") {
						if md := f.M.Graph.Lookup(f.Unit, pyast.Dotted(id)); md != nil {
							openModels[md] = true
						}
					}
				}
			}
			if readMethods[method] || readMethods[callee] {
				continue
			}
			if storeMethods[method] || f.M.Graph.Lookup(f.Unit, pyast.Dotted(c.Func)) != nil {
				for k, v := range c.EachKeyword() {
					if names[k] {
						if _, ok := pyast.StringValue(pyast.Unparen(v)); !ok {
							open[k] = true
						}
					}
				}
				if c.StarKwargs {
					md := f.M.Graph.Lookup(f.Unit, pyast.Dotted(c.Func))
					if md == nil && !c.Receiver().IsNil() {
						if q := f.Eval(c.Receiver()); q != nil {
							md = q.Model
						}
					}
					if md == nil {
						return false
					}
					openModels[md] = true
				}
			}
		case "class_definition":
			if md, fs := metaModelFields(f, n); md != nil {
				for _, name := range fs {
					if name == "*" {
						openModels[md] = true
					} else {
						open[name] = true
					}
				}
			}
		}
	}
	return true
}

// metaModelFields reads a form's or serializer's inner `class Meta` with
// `model = M`: the fields it can write ("*" for all of them: "__all__" or
// an exclude list), read-only fields left out.
func metaModelFields(f *semantic.File, cls pyast.Node) (*project.Model, []string) {
	var meta pyast.Node
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.Type() == "class_definition" && st.ChildByField("name").Text() == "Meta" {
			meta = st
		}
	}
	if meta.IsNil() {
		return nil, nil
	}
	var md *project.Model
	var fields, exclude, readOnly pyast.Node
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" {
			continue
		}
		switch a.ChildByField("left").Text() {
		case "model":
			md = f.M.Graph.Lookup(f.Unit, pyast.Dotted(a.ChildByField("right")))
			if md == nil {
				return nil, nil
			}
		case "fields":
			fields = pyast.Unparen(a.ChildByField("right"))
		case "exclude":
			exclude = a.ChildByField("right")
		case "read_only_fields":
			readOnly = a.ChildByField("right")
		}
	}
	if md == nil {
		return nil, nil
	}
	ro := map[string]bool{}
	for s := range pyast.FindEach(readOnly, "string") {
		if v, ok := pyast.StringValue(s); ok {
			ro[v] = true
		}
	}
	if !exclude.IsNil() {
		return md, []string{"*"}
	}
	if v, ok := pyast.StringValue(fields); ok && v == "__all__" {
		if len(ro) > 0 {
			var out []string
			for _, fd := range md.Fields {
				if !ro[fd.Name] {
					out = append(out, fd.Name)
				}
			}
			return md, out
		}
		return md, []string{"*"}
	}
	if !fields.Is("list", "tuple") {
		return md, []string{"*"}
	}
	var out []string
	for s := range pyast.FindEach(fields, "string") {
		if v, ok := pyast.StringValue(s); ok && !ro[v] {
			out = append(out, v)
		}
	}
	return md, out
}

// scanLiterals classifies every string literal of f equal to a choice
// value: a read of a field (recorded) or any other use (the value marked).
func scanLiterals(f *semantic.File, fields []*choiceField, byValue, other map[string]bool, reads map[*choiceField]map[string][]choiceRead) {
	for s := range pyast.FindEach(f.Unit.Tree.Root(), "string") {
		v, ok := pyast.StringValue(s)
		if !ok || !byValue[v] || pyast.IsFString(s) {
			continue
		}
		inChoices := false
		for _, cf := range fields {
			if cf.choices.Tree() == s.Tree() && cf.choices.StartByte() <= s.StartByte() && s.EndByte() <= cf.choices.EndByte() {
				inChoices = true
			}
		}
		if inChoices {
			continue
		}
		field, ok := readField(s)
		if !ok {
			other[v] = true
			continue
		}
		var match *choiceField
		for _, cf := range fields {
			if cf.field == field && cf.values[v] {
				if match != nil {
					match = nil // two models share the name and value: unplaced
					other[v] = true
					break
				}
				match = cf
			}
		}
		if match == nil {
			other[v] = true
			continue
		}
		if reads[match] == nil {
			reads[match] = map[string][]choiceRead{}
		}
		reads[match][v] = append(reads[match][v], choiceRead{f.Unit, s})
	}
}

// readField returns the field a string literal is compared with: the
// value (or an element of the list, tuple or set that is the value) of a
// filter, exclude, get or Q keyword naming the field (`status`,
// `status__in`, `subscription__status`), or an operand of ==, !=, in or
// not in beside an attribute (`sub.status == "active"`).
func readField(s pyast.Node) (string, bool) {
	n := s
	if p := n.Parent(); p.Is("list", "tuple", "set") {
		n = p
	}
	p := n.Parent()
	switch p.Type() {
	case "keyword_argument":
		if !p.ChildByField("value").Equal(n) {
			return "", false
		}
		call := p.Parent().Parent()
		if call.Type() != "call" {
			return "", false
		}
		c, _ := pyast.AsCallHead(call)
		if !readMethods[c.MethodName()] && !readMethods[string(pyast.CalleeName(call))] {
			return "", false
		}
		parts := strings.Split(p.ChildByField("name").Text(), "__")
		last := parts[len(parts)-1]
		if len(parts) > 1 && lookupSuffix[last] {
			parts = parts[:len(parts)-1]
		}
		return parts[len(parts)-1], true
	case "comparison_operator":
		for i := range p.NamedChildCount() {
			o := pyast.Unparen(p.NamedChild(i))
			if o.Type() == "attribute" {
				return o.ChildByField("attribute").Text(), true
			}
		}
	}
	return "", false
}

// lookupSuffix are the lookups a string choice is compared by.
var lookupSuffix = map[string]bool{"in": true, "exact": true, "iexact": true}

// runChoiceNeverSet reports, in the file of its first read, each choice
// neverSetChoices found.
func runChoiceNeverSet(p *analyzer.Pass) error {
	for _, nf := range neverSetChoices.Get(p.Project)[p.Unit] {
		first := nf.reads[0]
		var rel []analyzer.Related
		for _, r := range nf.reads[1:] {
			rel = append(rel, analyzer.Related{Range: analyzer.RangeOf(r), Message: "read here too"})
		}
		more := ""
		switch k := nf.total - 1; {
		case k == 1:
			more = " (and in 1 more place)"
		case k > 1:
			more = fmt.Sprintf(" (and in %d more places)", k)
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(first),
			Message: fmt.Sprintf("`%s.%s` is compared with %q here%s, but nothing in the project ever sets it to %q (no assignment, create, update or default, no form, serializer or admin that could): no row is ever in that state, so this test always goes the same way",
				nf.cf.class, nf.cf.field, nf.value, more, nf.value),
			Help:    fmt.Sprintf("write the transition that moves a row to %q (the payment, activation or completion step), or drop the choice and the code that waits for it", nf.value),
			Related: rel,
		})
	}
	return nil
}
