package bugs

import (
	_ "embed"
	"fmt"
	"iter"
	"sort"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed fallthrough.md
var fallThroughDoc string

// DuplicateCheckFallsThrough reports a duplicate check on a unique field
// (`if M.objects.filter(key=k).exists():`) whose branch neither returns
// nor raises, followed in the same function by `M.objects.create(key=k)`:
// every repeat the check sees goes on to the insert, which the unique
// constraint refuses with IntegrityError.
var DuplicateCheckFallsThrough = &analyzer.Rule{
	Code:              "BUG032",
	Name:              "duplicate-check-falls-through",
	Doc:               fallThroughDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.10.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runDuplicateCheckFallsThrough,
}

func runDuplicateCheckFallsThrough(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil {
		return nil
	}
	for def := range pyast.FindEach(p.Root, "function_definition") {
		for st := range pyast.FindEachShallow(pyast.Body(def), "if_statement") {
			if !st.ChildByField("alternative").IsNil() || leaves(st.ChildByField("consequence")) {
				continue
			}
			for _, uc := range uniqueChecks(f, st) {
				field, value := uc.field, uc.value
				create := insertAfter(f, def, st, uc.model, field, value)
				if create.IsNil() {
					continue
				}
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(st.ChildByField("condition")),
					Message: fmt.Sprintf("the duplicate check on `%s` does not stop: its branch neither returns nor raises, so a repeated `%s` goes on to `%s` (line %d), which the unique constraint refuses with `IntegrityError` (a 500 instead of the answer the check meant)",
						field, pyast.OneLine(value, 30), pyast.OneLine(create.ChildByField("function"), 40)+"(...)", p.File.Position(create.StartByte()).Line),
					Help:    "leave the branch: `return` the answer for a repeat (or raise), so the insert runs only for a new key",
					Related: []analyzer.Related{{Range: analyzer.RangeOf(create), Message: "the insert a repeat still reaches"}},
				})
				break
			}
		}
	}
	return nil
}

// uniqueCheck is an exists() call in an if's condition, on a queryset of
// a known model filtered by equality on a unique field.
type uniqueCheck struct {
	call  pyast.Node
	model *project.Model
	field string
	value pyast.Node // the value the filter tests
}

// uniqueChecks returns the duplicate checks of st's condition, in order:
// exists() (not under `not`) on a queryset rubric reads fully (no custom
// method, nothing opaque or combined) filtered by equality on a unique
// field (uniqueFilter).
func uniqueChecks(f *semantic.File, st pyast.Node) []uniqueCheck {
	var out []uniqueCheck
	cond := st.ChildByField("condition")
	if id := pyast.Unparen(cond); id.Type() == "identifier" && f.BindingCount(id, id.Text()) == 1 {
		// `taken = M.objects.filter(key=k).exists()` then `if taken:`.
		if rhs := f.Binding(id, id.Text(), id.StartByte()); !rhs.IsNil() {
			cond = rhs
		}
	}
	for call := range pyast.FindEach(cond, "call") {
		c, _ := pyast.AsCall(call)
		if c.MethodName() != "exists" || c.Func.Type() != "attribute" || negated(call, st) {
			continue
		}
		q := f.Eval(c.Receiver())
		if q == nil || q.Model == nil || q.Custom || q.Opaque || q.Combined {
			continue
		}
		if field, value := uniqueFilter(c.Receiver(), q.Model); field != "" {
			out = append(out, uniqueCheck{call: call, model: q.Model, field: field, value: value})
		}
	}
	return out
}

// leaves reports a block holding a return, raise, continue or break
// anywhere (a nested one may leave too: the rule stays silent).
func leaves(block pyast.Node) bool {
	for range pyast.FindEach(block, "return_statement", "raise_statement", "continue_statement", "break_statement") {
		return true
	}
	return false
}

// negated reports a call under a `not` in the condition of st.
func negated(call, st pyast.Node) bool {
	for n := call.Parent(); !n.IsNil() && !n.Equal(st); n = n.Parent() {
		if n.Type() == "not_operator" {
			return true
		}
	}
	return false
}

// uniqueFilter returns the unique field (unique=True or the primary key,
// `pk=` included) a filter of the chain tests by equality and the value
// it tests, or "" when there is none.
func uniqueFilter(chain pyast.Node, md *project.Model) (string, pyast.Node) {
	for cur := pyast.Unparen(chain); ; {
		c, ok := pyast.AsCall(cur)
		if !ok || c.Func.Type() != "attribute" {
			return "", pyast.Node{}
		}
		if c.MethodName() == "filter" {
			keys := make([]string, 0, len(c.Keywords))
			for k := range c.EachKeyword() {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v := c.Keywords[k]
				name := k
				if len(name) > 7 && name[len(name)-7:] == "__exact" {
					name = name[:len(name)-7]
				}
				if name == "pk" {
					for _, fd := range md.Fields {
						if fd.PrimaryKey {
							return fd.Name, v
						}
					}
					continue
				}
				if fd := md.Field(name); fd != nil && (fd.Unique || fd.PrimaryKey) && !fd.IsRelation() {
					return fd.Name, v
				}
			}
		}
		cur = pyast.Unparen(c.Receiver())
	}
}

// insertAfter returns a `M.objects.create(field=value, ...)` after st in
// def that every path from st reaches: not under a condition, loop or try
// that st is not under too.
func insertAfter(f *semantic.File, def, st pyast.Node, md *project.Model, field string, value pyast.Node) pyast.Node {
	for call, c := range createsAfter(f, def, st, md) {
		arg := c.Keyword(field)
		if arg.IsNil() || pyast.Unparen(arg).Text() != pyast.Unparen(value).Text() {
			continue
		}
		if guarded(call, st, def) || leavesBetween(def, st.EndByte(), call.StartByte()) {
			continue
		}
		return call
	}
	return pyast.Node{}
}

// createsAfter yields the inserts of md in def after st: the
// `M.objects.create(...)` calls on a manager or queryset of md (not a
// related manager's), and the `x.save()` calls whose x is bound to a new
// instance, `x = M(...)` (with no update_fields or force_update). Each
// comes with the call holding the values written: the create call, or the
// constructor.
func createsAfter(f *semantic.File, def, st pyast.Node, md *project.Model) iter.Seq2[pyast.Node, pyast.Call] {
	return insertsIn(f, pyast.Body(def), st.EndByte(), md)
}

// insertsIn yields the inserts of md (see createsAfter) in block that
// start at or after from.
func insertsIn(f *semantic.File, block pyast.Node, from int, md *project.Model) iter.Seq2[pyast.Node, pyast.Call] {
	return func(yield func(pyast.Node, pyast.Call) bool) {
		for call := range pyast.FindEach(block, "call") {
			if call.StartByte() < from {
				continue
			}
			c, _ := pyast.AsCall(call)
			if c.Func.Type() != "attribute" {
				continue
			}
			switch c.MethodName() {
			case "create":
				if q := f.Eval(c.Receiver()); q == nil || q.Model != md || q.Related {
					continue
				}
				if !yield(call, c) {
					return
				}
			case "save":
				if ctor, ok := newInstance(f, c, md); ok && !yield(call, ctor) {
					return
				}
			}
		}
	}
}

// newInstance returns the constructor of the instance `x.save()` saves
// when x is bound once, in the function, to `M(...)` of model md, and the
// save writes a new row (no update_fields, no force_update).
func newInstance(f *semantic.File, save pyast.Call, md *project.Model) (pyast.Call, bool) {
	recv := pyast.Unparen(save.Receiver())
	if recv.Type() != "identifier" || len(save.Positional) > 0 || !save.Keyword("update_fields").IsNil() ||
		!save.Keyword("force_update").IsNil() {
		return pyast.Call{}, false
	}
	rhs := f.Binding(recv, recv.Text(), recv.StartByte())
	if f.BindingCount(recv, recv.Text()) != 1 && !sameBlock(rhs, save.Node) {
		return pyast.Call{}, false
	}
	ctor, ok := pyast.AsCall(pyast.Unparen(rhs))
	if !ok || ctor.Func.Type() != "identifier" && ctor.Func.Type() != "attribute" || f.M.Graph == nil ||
		f.M.Graph.Lookup(f.Unit, pyast.Dotted(ctor.Func)) != md {
		return pyast.Call{}, false
	}
	return ctor, true
}

// guarded reports a branch, loop, try or nested function between call and
// the block it shares with st.
func guarded(call, st, def pyast.Node) bool {
	for n := call.Parent(); !n.IsNil() && !n.Equal(def); n = n.Parent() {
		if st.StartByte() >= n.StartByte() && st.EndByte() <= n.EndByte() {
			return false // a block that holds the check too
		}
		switch n.Type() {
		case "if_statement", "elif_clause", "else_clause", "conditional_expression", "try_statement", "except_clause",
			"for_statement", "while_statement", "function_definition", "lambda", "match_statement":
			return true
		}
	}
	return false
}

// leavesBetween reports a return or raise of def between two offsets: a
// flag the duplicate branch set may be tested there (`if seen: return`).
func leavesBetween(def pyast.Node, from, to int) bool {
	for n := range pyast.FindEach(pyast.Body(def), "return_statement", "raise_statement") {
		if n.StartByte() >= from && n.StartByte() < to {
			return true
		}
	}
	return false
}

// sameBlock reports two nodes whose statements sit in one block: the first
// runs straight before the second.
func sameBlock(a, b pyast.Node) bool {
	sa, sb := pyast.StatementOf(a), pyast.StatementOf(b)
	return !sa.IsNil() && !sb.IsNil() && sa.Parent().Equal(sb.Parent()) && sa.StartByte() < sb.StartByte()
}
