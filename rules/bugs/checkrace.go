package bugs

import (
	_ "embed"
	"fmt"
	"iter"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed checkrace.md
var checkRaceDoc string

// DuplicateCheckRace reports a duplicate check on a unique field that
// leaves (`if M.objects.filter(key=k).exists(): return ...`) followed by
// `M.objects.create(key=k, ...)`, with nothing that makes the pair atomic:
// two concurrent repeats both pass the check, and the second insert fails
// on the unique constraint.
var DuplicateCheckRace = &analyzer.Rule{
	Code:              "BUG039",
	Name:              "duplicate-check-race",
	Doc:               checkRaceDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.13.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runDuplicateCheckRace,
}

// runDuplicateCheckRace matches, in functions outside management
// commands, an `if` whose condition calls exists() on a queryset of a
// known model filtered by equality on a unique field, whose branch leaves
// (return or raise), and a later `M.objects.create(field=value)` (the same
// value, or `**data` where the value is read from data). Silent when the
// function locks before the check (select_for_update, a `with` whose
// context names a lock), when the insert is inside a try whose except
// catches IntegrityError (or Exception, DatabaseError), and for
// get_or_create and update_or_create (atomic enough).
func runDuplicateCheckRace(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil || strings.Contains(p.Unit.Rel(), "/management/commands/") {
		return nil
	}
	for def := range pyast.FindEach(p.Root, "function_definition") {
		for st := range pyast.FindEachShallow(pyast.Body(def), "if_statement") {
			exits, otherwise := leaves(st.ChildByField("consequence")), elseBlock(st)
			if !exits && otherwise.IsNil() || locksBefore(def, st) {
				continue
			}
			for _, uc := range uniqueChecks(f, st) {
				call, field, value := uc.call, uc.field, uc.value
				var create pyast.Node
				if !otherwise.IsNil() {
					create = racingInsertIn(f, def, otherwise, uc.model, field, value)
				}
				if create.IsNil() && exits {
					create = racingInsert(f, def, st, uc.model, field, value)
				}
				if create.IsNil() {
					continue
				}
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(call),
					Message: fmt.Sprintf("the duplicate check on `%s.%s` and `%s(...)` (line %d) are two statements: two concurrent repeats both pass the check, and the second insert fails on the unique constraint with `IntegrityError` (a 500, not the answer the check gives a repeat)",
						uc.model.Name, field, pyast.Dotted(create.ChildByField("function")), p.File.Position(create.StartByte()).Line),
					Help:    fmt.Sprintf("insert first and catch `IntegrityError` as the repeat it is (answer it like the check does), or use `get_or_create(%s=...)`", field),
					Related: []analyzer.Related{{Range: analyzer.RangeOf(create), Message: "the insert a concurrent repeat also reaches"}},
				})
				break
			}
		}
	}
	return nil
}

// racingInsert returns a `M.objects.create(...)` after st in def that
// writes value to field (`field=value`, or `**data` with value read from
// data), not inside a try that catches IntegrityError.
func racingInsert(f *semantic.File, def, st pyast.Node, md *project.Model, field string, value pyast.Node) pyast.Node {
	return firstRacing(f, def, createsAfter(f, def, st, md), field, value)
}

// racingInsertIn is racingInsert for the inserts in block: the else of the
// check (`if exists(): answer the repeat, else: insert`).
func racingInsertIn(f *semantic.File, def, block pyast.Node, md *project.Model, field string, value pyast.Node) pyast.Node {
	return firstRacing(f, def, insertsIn(f, block, block.StartByte(), md), field, value)
}

// elseBlock returns the body of st's else clause, if it has one.
func elseBlock(st pyast.Node) pyast.Node {
	for ch := range st.Named() {
		if ch.Type() == "else_clause" {
			return ch.ChildByField("body")
		}
	}
	return pyast.Node{}
}

func firstRacing(f *semantic.File, def pyast.Node, inserts iter.Seq2[pyast.Node, pyast.Call], field string, value pyast.Node) pyast.Node {
	for call, c := range inserts {
		if !writesValue(f, call, c, field, value) || insertCaught(call, def) {
			continue
		}
		return call
	}
	return pyast.Node{}
}

// writesValue reports a create call writing value to field: the keyword
// with the same text, or a `**data` splat where value is read from data
// (`data["key"]`, `data.get("key")`, or a local name bound to that).
func writesValue(f *semantic.File, call pyast.Node, c pyast.Call, field string, value pyast.Node) bool {
	if arg := c.Keyword(field); !arg.IsNil() {
		return pyast.Unparen(arg).Text() == pyast.Unparen(value).Text()
	}
	value = pyast.Unparen(value)
	if value.Type() == "identifier" {
		if rhs := f.Binding(value, value.Text(), value.StartByte()); !rhs.IsNil() {
			value = pyast.Unparen(rhs)
		}
	}
	obj, key, ok := pyast.KeyedRead(value)
	if !ok {
		return false
	}
	if k, isStr := pyast.StringValue(key); !isStr || k != field {
		return false
	}
	for a := range c.Node.ChildByField("arguments").Named() {
		if a.Type() == "dictionary_splat" {
			if inner := a.NamedChild(0); !inner.IsNil() && inner.Text() == obj.Text() {
				return true
			}
		}
	}
	return false
}

// insertCaught reports a call inside the body of a try (in def) with an
// except naming IntegrityError, DatabaseError or Exception, or a bare
// except.
func insertCaught(call, def pyast.Node) bool {
	for child, a := call, call.Parent(); !a.IsNil() && !a.Equal(def); child, a = a, a.Parent() {
		if a.Type() != "try_statement" || !a.ChildByField("body").Equal(child) {
			continue
		}
		for h := range a.Named() {
			if h.Type() != "except_clause" {
				continue
			}
			types := exceptType(h)
			if types.IsNil() {
				return true // bare except
			}
			for _, w := range []string{"IntegrityError", "DatabaseError", "Exception"} {
				if strings.Contains(types.Text(), w) {
					return true
				}
			}
		}
	}
	return false
}

// locksBefore reports a lock the function takes before the check st:
// select_for_update() earlier in the body, or a `with` holding st whose
// context names a lock (`with cache.lock(key):`, `with advisory_lock(...)`).
func locksBefore(def, st pyast.Node) bool {
	for call := range pyast.FindEach(pyast.Body(def), "call") {
		if call.StartByte() < st.StartByte() && string(pyast.CalleeName(call)) == "select_for_update" {
			return true
		}
	}
	for w := range pyast.FindEach(pyast.Body(def), "with_statement") {
		if w.StartByte() <= st.StartByte() && st.EndByte() <= w.EndByte() {
			for item := range pyast.FindEach(w, "with_item") {
				if item.StartByte() < st.StartByte() && strings.Contains(strings.ToLower(item.Text()), "lock") {
					return true
				}
			}
		}
	}
	return false
}
