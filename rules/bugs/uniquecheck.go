package bugs

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed uniquecheck.md
var uniqueCheckDoc string

// DuplicateCheckAfterUniqueValidator reports a duplicate check (`if
// M.objects.filter(key=...).exists()`) that runs after a ModelSerializer
// has validated the same unique field: DRF's UniqueValidator has already
// refused a repeat with 400, so the branch meant to answer it never runs.
var DuplicateCheckAfterUniqueValidator = &analyzer.Rule{
	Code:              "BUG028",
	Name:              "duplicate-check-after-unique-validator",
	Doc:               uniqueCheckDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.9.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runDuplicateCheckAfterUniqueValidator,
}

// uniqueBuilt returns the fields of ms that DRF validates as unique: built
// by DRF (not declared, not read-only, not in extra_kwargs), unique or the
// primary key on the model, and editable (a non-editable field is
// read-only and gets no validator). Nil when there are none.
func uniqueBuilt(sm *semantic.Model, ms *modelSerializer) map[string]*project.Field {
	var out map[string]*project.Field
	for _, name := range ms.order {
		fd := ms.model.Field(name)
		if !ms.built[name] || fd == nil || !(fd.Unique || fd.PrimaryKey) || fd.IsRelation() || strings.HasSuffix(fd.Class, "AutoField") {
			continue
		}
		call, _, ok := fieldCall(sm, ms.model, name)
		if !ok || nonEditable(call) != "" || !call.Keyword("validators").IsNil() {
			continue
		}
		if out == nil {
			out = map[string]*project.Field{}
		}
		out[name] = fd
	}
	return out
}

func runDuplicateCheckAfterUniqueValidator(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	cache := map[*semantic.Class]*modelSerializer{}
	serializer := func(c *semantic.Class) *modelSerializer {
		if ms, ok := cache[c]; ok {
			return ms
		}
		ms := asModelSerializer(sm, c)
		cache[c] = ms
		return ms
	}
	// Checks in the serializer's own validate() and validate_<field>():
	// DRF runs every field's validators first.
	for _, c := range f.Classes {
		ms := serializer(c)
		if ms == nil {
			continue
		}
		uniq := uniqueBuilt(sm, ms)
		if uniq == nil {
			continue
		}
		for _, name := range sortedMethodNames(c) {
			if name != "validate" && !strings.HasPrefix(name, "validate_") {
				continue
			}
			fn := c.Methods[name]
			for _, chk := range duplicateChecks(f, fn.Node, ms.model, uniq, pyast.Node{}) {
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(chk.call),
					Message: fmt.Sprintf("duplicate check on `%s` never sees a repeat: `%s` validates `%s.%s` (unique) with DRF's UniqueValidator, which runs before `%s()` and refuses a repeat with 400 (code `unique`)",
						chk.field, c.Name, ms.model.Name, chk.field, name),
					Help:    uniqueHelp(chk.field),
					Related: fieldRelated(uniq[chk.field]),
				})
			}
		}
	}
	// Checks in a function that validated the serializer first.
	for def := range pyast.FindEach(p.Unit.Tree.Root(), "function_definition") {
		fn := f.FuncOf(def)
		if fn == nil {
			continue
		}
		for a := range pyast.FindEachShallow(pyast.Body(def), "assignment") {
			l := a.ChildByField("left")
			right := pyast.Unparen(a.ChildByField("right"))
			c, ok := pyast.AsCall(right)
			if l.Type() != "identifier" || !ok {
				continue
			}
			if _, ok := c.Keywords["data"]; !ok {
				continue
			}
			sc := sm.BuiltSerializer(fn, right)
			if sc == nil {
				continue
			}
			ms := serializer(sc)
			if ms == nil {
				continue
			}
			uniq := uniqueBuilt(sm, ms)
			if uniq == nil {
				continue
			}
			for _, chk := range duplicateChecks(f, def, ms.model, uniq, a) {
				gate := validationGate(def, l.Text(), chk.call)
				if gate.IsNil() {
					continue
				}
				rel := append([]analyzer.Related{{Range: analyzer.RangeOf(gate), Message: "a repeat is refused here, with 400"}}, fieldRelated(uniq[chk.field])...)
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(chk.call),
					Message: fmt.Sprintf("duplicate check on `%s` never sees a repeat: `%s` validates `%s.%s` (unique) with DRF's UniqueValidator, so `%s` at line %d has already refused it with 400",
						chk.field, sc.Name, ms.model.Name, chk.field, pyast.OneLine(gate, 50), p.File.Position(gate.StartByte()).Line),
					Help:    uniqueHelp(chk.field),
					Related: rel,
				})
			}
		}
	}
	return nil
}

func uniqueHelp(field string) string {
	return fmt.Sprintf("to answer a repeat as a duplicate (200 with the stored result), turn the field's validator off (`extra_kwargs = {%q: {\"validators\": []}}`) and keep this check, with the unique constraint behind it; if 400 is the intended answer, drop the check", field)
}

func fieldRelated(fd *project.Field) []analyzer.Related {
	if fd == nil || fd.Path == "" {
		return nil
	}
	return []analyzer.Related{{Path: fd.Path, Range: analyzer.Range{Start: fd.Start, End: fd.End}, Message: "unique here"}}
}

func sortedMethodNames(c *semantic.Class) []string {
	out := make([]string, 0, len(c.Methods))
	for name := range c.Methods {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

type dupCheck struct {
	call  pyast.Node // the exists()/first()/count() call
	field string
}

// duplicateChecks returns the calls in fn's body (after `after`, when
// given) that test for a row of md by one of the unique fields:
// `md.objects.filter(field=...).exists()` (or `.first()`, `.count()`)
// in the condition of an if statement.
func duplicateChecks(f *semantic.File, fn pyast.Node, md *project.Model, uniq map[string]*project.Field, after pyast.Node) []dupCheck {
	var out []dupCheck
	for st := range pyast.FindEachShallow(pyast.Body(fn), "if_statement", "elif_clause") {
		if !after.IsNil() && st.StartByte() < after.EndByte() {
			continue
		}
		for call := range pyast.FindEach(st.ChildByField("condition"), "call") {
			c, _ := pyast.AsCall(call)
			switch c.MethodName() {
			case "exists", "first", "count":
			default:
				continue
			}
			if c.Func.Type() != "attribute" {
				continue
			}
			q := f.Eval(c.Receiver())
			if q == nil || q.Model != md {
				continue
			}
			if field := filteredUnique(c.Receiver(), md, uniq); field != "" {
				out = append(out, dupCheck{call: call, field: field})
			}
		}
	}
	return out
}

// filteredUnique returns the unique field a filter of the chain tests by
// equality (`field=`, `field__exact=`, `pk=` for the primary key), or "".
func filteredUnique(chain pyast.Node, md *project.Model, uniq map[string]*project.Field) string {
	for cur := pyast.Unparen(chain); ; {
		c, ok := pyast.AsCall(cur)
		if !ok {
			return ""
		}
		if c.MethodName() == "filter" && c.Func.Type() == "attribute" {
			keys := make([]string, 0, len(c.Keywords))
			for k := range c.EachKeyword() {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				name := strings.TrimSuffix(k, "__exact")
				if fd := uniq[name]; fd != nil {
					return name
				}
				if name == "pk" {
					for _, n := range sortedFieldNames(uniq) {
						if uniq[n].PrimaryKey {
							return n
						}
					}
				}
			}
		}
		if c.Func.Type() != "attribute" {
			return ""
		}
		cur = pyast.Unparen(c.Receiver())
	}
}

// validationGate returns the call of `name.is_valid(...)` that stops a
// request with invalid data before check runs: a statement
// `name.is_valid(raise_exception=True)`, or `if not name.is_valid(...):`
// whose body returns or raises, in a block that holds check after it; or
// `if name.is_valid(...):` whose body holds check. The zero Node when
// none does.
func validationGate(fn pyast.Node, name string, check pyast.Node) pyast.Node {
	for call := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		c, _ := pyast.AsCall(call)
		if c.MethodName() != "is_valid" || c.Func.Type() != "attribute" || pyast.Dotted(c.Receiver()) != name || call.StartByte() > check.StartByte() {
			continue
		}
		par := call.Parent()
		switch {
		case par.Type() == "expression_statement":
			if c.Keyword("raise_exception").Text() == "True" && encloses(par.Parent(), check) {
				return call
			}
		case par.Type() == "not_operator" && par.Parent().Type() == "if_statement" && par.Parent().ChildByField("condition").Equal(par):
			st := par.Parent()
			if stops(st.ChildByField("consequence")) && st.ChildByField("alternative").IsNil() && encloses(st.Parent(), check) {
				return call
			}
		case par.Type() == "if_statement" && par.ChildByField("condition").Equal(call):
			if encloses(par.ChildByField("consequence"), check) {
				return call
			}
		}
	}
	return pyast.Node{}
}

// encloses reports whether n holds m.
func encloses(n, m pyast.Node) bool {
	return !n.IsNil() && n.StartByte() <= m.StartByte() && m.EndByte() <= n.EndByte()
}

// stops reports a block whose last statement returns or raises.
func stops(block pyast.Node) bool {
	var last pyast.Node
	for st := range pyast.EachStatement(block) {
		last = st
	}
	return !last.IsNil() && (last.Type() == "return_statement" || last.Type() == "raise_statement")
}

func sortedFieldNames(m map[string]*project.Field) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
