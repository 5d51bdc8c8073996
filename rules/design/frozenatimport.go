package design

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed frozenatimport.md
var frozenAtImportDoc string

// ValueFrozenAtImport reports a value meant to be taken per request or per
// row that Python computes once, when the class body runs at import: a
// class attribute bound to the clock and read by the class's methods as
// "now", and a field's `default=` given the result of a project function
// that reads the clock or draws a random id, instead of the function.
var ValueFrozenAtImport = &analyzer.Rule{
	Code:              "ARC012",
	Name:              "value-frozen-at-import",
	Doc:               frozenAtImportDoc,
	Category:          analyzer.Design,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.26.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration | semantic.Settings,
	Run:               runValueFrozenAtImport,
}

// clockReads are the calls that read the current time.
var clockReads = map[string]bool{
	"time.time": true, "time.time_ns": true,
	"datetime.datetime.now": true, "datetime.datetime.utcnow": true, "datetime.datetime.today": true,
	"datetime.date.today": true, "django.utils.timezone.now": true, "django.utils.timezone.localdate": true,
	"django.utils.timezone.localtime": true,
}

// freshValue reports the qualified name of a call that returns a new value
// on every call: the clock, random ids and tokens.
func freshValue(q string) bool {
	if clockReads[q] {
		return true
	}
	switch q {
	case "uuid.uuid4", "uuid.uuid1", "django.utils.crypto.get_random_string", "secrets.token_hex",
		"secrets.token_urlsafe", "secrets.token_bytes", "secrets.randbelow", "secrets.choice":
		return true
	}
	return strings.HasPrefix(q, "random.") && !strings.HasPrefix(q, "random.Random")
}

// runValueFrozenAtImport reads every class body. A class attribute whose
// value is a clock read (directly, or through arithmetic, int()/str(),
// `.date()` or another such attribute of the class) and which a method of
// the class reads through `self`, `cls` or the class name is reported once
// per class; an attribute only compared with a fresh clock read (an uptime
// baseline) is not the current time and stays silent. A field declared in a
// class body with `default=f()`, f a module-level function of this file
// whose body reads the clock or draws a random value, is reported too
// (calls of the clock itself in `default=` are BUG037's).
func runValueFrozenAtImport(p *analyzer.Pass) error {
	funcs := map[string]pyast.Node{}
	for st := range pyast.EachStatement(p.Root) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "function_definition" {
			funcs[pyast.DefName(st)] = st
		}
	}
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		frozen := map[string]pyast.Node{}
		var order []string
		for st := range pyast.EachStatement(pyast.Body(cls)) {
			if st.Type() != "expression_statement" {
				continue
			}
			as := st.NamedChild(0)
			if as.Type() != "assignment" {
				continue
			}
			left, right := as.ChildByField("left"), as.ChildByField("right")
			if right.IsNil() {
				continue
			}
			if left.Type() == "identifier" && readsClock(p, right, frozen) {
				frozen[left.Text()] = as
				order = append(order, left.Text())
				continue
			}
			defaultCall(p, right, funcs)
		}
		if len(order) == 0 {
			continue
		}
		var used []string
		var first pyast.Node
		for _, name := range order {
			if r := readInMethod(cls, name); !r.IsNil() {
				used = append(used, name)
				if first.IsNil() {
					first = r
				}
			}
		}
		if len(used) == 0 {
			continue
		}
		at := frozen[used[0]]
		names, verb, pron := "`"+strings.Join(used, "`, `")+"`", "is", "it"
		if len(used) > 1 {
			verb, pron = "are", "them"
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(at),
			Message: names + " of `" + pyast.DefName(cls) + "` " + verb + " read from the clock once, when the class body runs at import, and its methods use " + pron + " as the current time: " +
				"every request after start-up sees the moment the server started",
			Help:    "read the clock where it is needed (`timezone.now()` inside the method), or make it a property",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(first), Message: "used as the current time here"}},
		})
	}
	return nil
}

// readsClock reports whether expression n is a clock read, or is built
// only from one (or from attributes already known to be one) with
// arithmetic, conversions and methods of the value read.
func readsClock(p *analyzer.Pass, n pyast.Node, frozen map[string]pyast.Node) bool {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		_, ok := frozen[n.Text()]
		return ok
	case "binary_operator":
		l, r := n.ChildByField("left"), n.ChildByField("right")
		return readsClock(p, l, frozen) || readsClock(p, r, frozen)
	case "attribute":
		return readsClock(p, n.ChildByField("object"), frozen)
	case "call":
		c, _ := pyast.AsCall(n)
		if q, ok := p.Imports.Resolve(c.Func); ok && clockReads[q] {
			return len(c.Positional) == 0
		}
		if c.Func.Type() == "identifier" {
			switch c.Func.Text() {
			case "int", "float", "str", "round":
				return len(c.Positional) >= 1 && readsClock(p, c.Positional[0], frozen)
			}
			return false
		}
		if c.Func.Type() == "attribute" {
			return readsClock(p, c.Receiver(), frozen) // timezone.now().date(), now().timestamp()
		}
	}
	return false
}

// readInMethod returns the first read of attribute name through `self`,
// `cls` or the class's own name inside a method of cls, when that read is
// not an operand of a subtraction from a fresh clock read (an elapsed-time
// baseline), or the nil node.
func readInMethod(cls pyast.Node, name string) pyast.Node {
	clsName := pyast.DefName(cls)
	for fn := range pyast.FindEach(pyast.Body(cls), "function_definition") {
		if pyast.EnclosingClass(fn) != cls {
			continue
		}
		for a := range pyast.FindEach(pyast.Body(fn), "attribute") {
			if a.ChildByField("attribute").Text() != name {
				continue
			}
			switch a.ChildByField("object").Text() {
			case "self", "cls", clsName:
			default:
				continue
			}
			if par := a.Parent(); par.Type() == "assignment" && par.ChildByField("left").Equal(a) {
				continue // written, not read
			}
			if isElapsedBaseline(a) {
				continue
			}
			return a
		}
	}
	return pyast.Node{}
}

// isElapsedBaseline reports `time.time() - self.started`: the attribute
// subtracted from a later reading, a start time rather than "now".
func isElapsedBaseline(a pyast.Node) bool {
	par := a.Parent()
	for par.Type() == "parenthesized_expression" {
		a, par = par, par.Parent()
	}
	if par.Type() != "binary_operator" || !par.ChildByField("right").Equal(a) {
		return false
	}
	op := par.ChildByField("operator")
	return !op.IsNil() && op.Text() == "-" && par.ChildByField("left").Type() == "call"
}

// defaultCall reports a field declared with `default=f()` where f is a
// module-level function of this file that returns a fresh value per call.
func defaultCall(p *analyzer.Pass, right pyast.Node, funcs map[string]pyast.Node) {
	c, ok := pyast.AsCall(pyast.Unparen(right))
	if !ok || !strings.HasSuffix(c.Func.Text(), "Field") {
		return
	}
	v, ok := pyast.AsCall(pyast.Unparen(c.Keyword("default")))
	if !ok || v.Func.Type() != "identifier" || len(v.Positional) != 0 || len(v.Keywords) != 0 {
		return
	}
	def, ok := funcs[v.Func.Text()]
	if !ok {
		return
	}
	fresh := pyast.Node{}
	for call := range pyast.FindEach(pyast.Body(def), "call") {
		fc, _ := pyast.AsCall(call)
		if q, ok := p.Imports.Resolve(fc.Func); ok && freshValue(q) {
			fresh = call
			break
		}
	}
	if fresh.IsNil() {
		return
	}
	unique := ""
	if u := c.Keyword("unique"); !u.IsNil() && u.Text() == "True" {
		unique = ", and the second such row fails on `unique=True`"
	}
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(v.Node),
		Message: "`default=" + v.Node.Text() + "` calls `" + v.Func.Text() + "` once, when the class body runs at import: every row created without a value gets the same one" +
			unique,
		Help:    "pass the function itself, `default=" + v.Func.Text() + "`: Django calls it for each new row",
		Related: []analyzer.Related{{Range: analyzer.RangeOf(fresh), Message: "a fresh value per call here"}},
	})
}
