package bugs

import (
	_ "embed"
	"fmt"
	bits64 "math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unbound.md
var unboundDoc string

// UnboundOnSomePaths reports a local name assigned on some paths only (in
// an `if` with no `else` that assigns it, or in a `try` whose handler
// goes on without it) and then read on a line every path reaches: on the
// path that skipped the assignment the read raises UnboundLocalError.
var UnboundOnSomePaths = &analyzer.Rule{
	Code:              "BUG053",
	Name:              "unbound-on-some-paths",
	Doc:               unboundDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.19.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode | semantic.Settings,
	Requires:          []project.Analysis{semantic.Project, semantic.Endpoints},
	Run:               runUnboundOnSomePaths,
}

func runUnboundOnSomePaths(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	for def := range pyast.FindEach(p.Root, "function_definition") {
		// Only an `if` or a `try` leaves a name bound on some paths (merge):
		// a function with neither has nothing to report.
		if pyast.CountOf(def, "if_statement") == 0 && pyast.CountOf(def, "try_statement") == 0 {
			continue
		}
		u := newUnboundWalk(def)
		if u == nil {
			continue
		}
		u.sf = sf
		if sf != nil {
			if fn := sf.FuncOf(def); fn != nil {
				u.routes = semantic.InventoryOf(p.Project).ForFunc(fn)
			}
		}
		st := u.entry()
		// Parameters are bound on entry (every name the parameter list
		// holds is taken as one: defaults and annotations only add names).
		for _, id := range pyast.Identifiers(def.ChildByField("parameters")) {
			st.bind(id)
		}
		u.block(pyast.Body(def), st)
		for _, h := range u.hits {
			what := "`if` with no `else` that assigns it"
			if h.at.Type() == "try_statement" {
				what = "`try` whose `except` goes on without it"
			}
			loop := ""
			if !pyast.Ancestor(h.read, "for_statement", "while_statement").IsNil() && h.at.StartByte() > pyast.Ancestor(h.read, "for_statement", "while_statement").StartByte() {
				loop = " (in a later turn of the loop it still holds the previous row's value)"
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(h.read),
				Message: fmt.Sprintf("`%s` is assigned on some paths only (the %s, line %d) and read here on every path: where it was skipped this line raises `UnboundLocalError`%s",
					h.read.Text(), what, p.File.Position(h.at.StartByte()).Line, loop),
				Help:    "assign it on every path (an `else`, or a default before the `if`/`try`), or leave the function on the path that has no value",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(h.at), Message: "a path through here leaves it unassigned"}},
			})
		}
	}
	return nil
}

// flowState is what is known before a statement: the names every path
// has assigned (def), and the names some paths only have, with the
// statement whose paths disagreed (maybe). top marks a point no path
// reaches (after return, raise, break or continue). Only the function's
// locals are followed (only they are reported): each has a number
// (ids), def is a set of those numbers and maybe is indexed by them, the
// zero Node where the name is not bound on some paths only.
type flowState struct {
	top   bool
	ids   map[string]int32
	def   []uint64
	maybe []pyast.Node
}

// entry is the state on entry to the walk's function: nothing bound.
func (u *unboundWalk) entry() *flowState {
	n := u.nids
	return &flowState{ids: u.ids, def: make([]uint64, (n+63)/64), maybe: make([]pyast.Node, n)}
}

func (s *flowState) copy() *flowState {
	return &flowState{top: s.top, ids: s.ids, def: slices.Clone(s.def), maybe: slices.Clone(s.maybe)}
}

func (s *flowState) bind(name string) {
	if k, ok := s.ids[name]; ok {
		s.def[k/64] |= 1 << (k % 64)
		s.maybe[k] = pyast.Node{}
	}
}

// defined reports whether local k is bound on every path.
func (s *flowState) defined(k int32) bool { return s.def[k/64]&(1<<(k%64)) != 0 }

// merge joins the states of the paths out of stmt (at least one).
func merge(stmt pyast.Node, states ...*flowState) *flowState {
	var live []*flowState
	for _, s := range states {
		if !s.top {
			live = append(live, s)
		}
	}
	first := states[0]
	if len(live) == 0 {
		return &flowState{top: true, ids: first.ids, def: make([]uint64, len(first.def)), maybe: make([]pyast.Node, len(first.maybe))}
	}
	out := &flowState{ids: first.ids, def: slices.Clone(live[0].def), maybe: make([]pyast.Node, len(first.maybe))}
	// Bound on every path: in every state's def; on some: in one's def or
	// maybe (the last state's statement), or in some def but not all (this
	// statement).
	some := slices.Clone(live[0].def)
	for _, s := range live[1:] {
		for w := range out.def {
			out.def[w] &= s.def[w]
			some[w] |= s.def[w]
		}
	}
	for _, s := range live {
		for k, at := range s.maybe {
			if !at.IsNil() {
				out.maybe[k] = at
			}
		}
	}
	for w := range some {
		for bits := some[w] &^ out.def[w]; bits != 0; bits &= bits - 1 {
			out.maybe[w*64+bits64.TrailingZeros64(bits)] = stmt
		}
		for bits := out.def[w]; bits != 0; bits &= bits - 1 {
			out.maybe[w*64+bits64.TrailingZeros64(bits)] = pyast.Node{}
		}
	}
	return out
}

type unboundHit struct {
	read, at pyast.Node
}

type unboundWalk struct {
	sf     *semantic.File
	routes []*semantic.Endpoint
	fn     pyast.Node
	// ids numbers the locals (flowState): nids numbers were given, some
	// of them to names then found global, nonlocal or deleted.
	ids      map[string]int32
	nids     int
	reported map[string]bool
	hits     []unboundHit
	// firstTurn are the ifs of a loop body its first turn enters (see
	// firstTurnIfs).
	firstTurn map[int32]bool
}

// nestedScopes are the nodes whose names belong to another scope.
var nestedScopes = map[string]bool{"function_definition": true, "class_definition": true, "lambda": true,
	"list_comprehension": true, "set_comprehension": true, "dictionary_comprehension": true, "generator_expression": true}

// newUnboundWalk collects the function's local names: those its own body
// binds, less any declared global or nonlocal or deleted. Nil when the
// function reads its namespace dynamically (locals(), vars(), exec()).
func newUnboundWalk(fn pyast.Node) *unboundWalk {
	u := &unboundWalk{fn: fn, ids: map[string]int32{}, reported: map[string]bool{}}
	excluded := map[string]bool{}
	dynamic := false
	body := pyast.Body(fn)
	pyast.Inspect(body, func(n pyast.Node) bool {
		if dynamic {
			return false
		}
		switch n.Type() {
		case "function_definition", "class_definition":
			u.addLocal(pyast.DefName(n))
			return false
		case "lambda", "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
			return false
		case "global_statement", "nonlocal_statement", "delete_statement":
			for _, id := range pyast.Identifiers(n) {
				excluded[id] = true
			}
			return false
		case "call":
			switch pyast.Dotted(n.ChildByField("function")) {
			case "locals", "vars", "exec", "eval":
				dynamic = true
			}
		case "assignment", "augmented_assignment", "for_statement":
			for _, id := range pyast.Identifiers(n.ChildByField("left")) {
				u.addLocal(id)
			}
		case "as_pattern_target":
			for _, id := range pyast.Identifiers(n) {
				u.addLocal(id)
			}
		case "named_expression":
			u.addLocal(n.ChildByField("name").Text())
		case "import_statement", "import_from_statement":
			for _, id := range importedNames(n) {
				u.addLocal(id)
			}
			return false
		}
		return true
	})
	if dynamic {
		return nil
	}
	for k := range excluded {
		delete(u.ids, k)
	}
	if len(u.ids) == 0 {
		return nil
	}
	return u
}

// addLocal numbers a local name, once.
func (u *unboundWalk) addLocal(name string) {
	if _, ok := u.ids[name]; !ok {
		u.ids[name] = int32(u.nids)
		u.nids++
	}
}

// isLocal reports a name the function's body binds (newUnboundWalk).
func (u *unboundWalk) isLocal(name string) bool {
	_, ok := u.ids[name]
	return ok
}

// importedNames are the names an import statement binds.
func importedNames(n pyast.Node) []string {
	var out []string
	for _, c := range n.NamedChildren() {
		if c.Field() == "module_name" {
			continue
		}
		switch c.Type() {
		case "aliased_import":
			out = append(out, c.ChildByField("alias").Text())
		case "dotted_name":
			if id := c.NamedChild(0); !id.IsNil() {
				out = append(out, id.Text())
			}
		}
	}
	return out
}

// statusErrors are the exceptions an HTTP client raises only from its
// status check (`response.raise_for_status()`), never from the request.
var statusErrors = map[string]bool{"requests.exceptions.HTTPError": true, "requests.HTTPError": true,
	"httpx.HTTPStatusError": true}

// statusErrorsOnly reports an except clause that catches nothing but
// statusErrors (alone or in a tuple, under any imported name).
func (u *unboundWalk) statusErrorsOnly(c pyast.Node) bool {
	if u.sf == nil {
		return false
	}
	var caught pyast.Node
	for _, cc := range c.NamedChildren() {
		if cc.Type() == "block" {
			break
		}
		caught = cc
		if cc.Type() == "as_pattern" {
			caught = cc.NamedChild(0)
		}
		break
	}
	if caught.IsNil() {
		return false
	}
	items := []pyast.Node{caught}
	if caught.Type() == "tuple" || caught.Type() == "parenthesized_expression" {
		items = caught.NamedChildren()
	}
	for _, it := range items {
		q, ok := u.sf.Unit.Imports.Resolve(it)
		if !ok || !statusErrors[q] {
			return false
		}
	}
	return len(items) > 0
}

// beforeStatusCheck walks the statements of a try body that come before
// the first one holding a `raise_for_status()` call, and returns the state
// after them. ok is false when no statement of the body holds one (a
// callee's check may then run anywhere).
func (u *unboundWalk) beforeStatusCheck(body pyast.Node, st *flowState) (*flowState, bool) {
	for _, s := range pyast.Statements(body) {
		for c := range pyast.FindEach(s, "call") {
			if pc, _ := pyast.AsCall(c); pc.MethodName() == "raise_for_status" {
				return st, true
			}
		}
		if !st.top {
			st = u.stmt(s, st)
		}
	}
	return nil, false
}

func (u *unboundWalk) block(b pyast.Node, st *flowState) *flowState {
	if b.IsNil() {
		return st
	}
	for _, s := range pyast.Statements(b) {
		if st.top {
			break
		}
		st = u.stmt(s, st)
	}
	return st
}

func (u *unboundWalk) stmt(s pyast.Node, st *flowState) *flowState {
	switch s.Type() {
	case "expression_statement":
		for _, e := range s.NamedChildren() {
			u.expr(e, st)
		}
		if e := s.NamedChild(0); s.NamedChildCount() == 1 && u.exits(e) {
			st.top = true
		}
	case "return_statement", "raise_statement":
		u.reads(s, st)
		st.top = true
	case "break_statement", "continue_statement":
		st.top = true
	case "assert_statement":
		u.reads(s, st)
		if assertsFalse(s) {
			st.top = true // `else: assert False, kind`: the branch raises
		}
	case "if_statement":
		u.reads(s.ChildByField("condition"), st)
		outs := []*flowState{u.block(s.ChildByField("consequence"), st.copy())}
		hasElse := false
		for _, alt := range s.ChildrenByField("alternative") {
			switch alt.Type() {
			case "elif_clause":
				u.reads(alt.ChildByField("condition"), st)
				outs = append(outs, u.block(alt.ChildByField("consequence"), st.copy()))
			case "else_clause":
				hasElse = true
				outs = append(outs, u.block(alt.ChildByField("body"), st.copy()))
			}
		}
		if !hasElse && !u.exhaustive(s) {
			outs = append(outs, st)
		}
		out := merge(s, outs...)
		if u.firstTurn[s.ID()] {
			// The loop's first turn takes the branch: what it binds is
			// bound on every later turn too.
			for id := range u.boundIn(s.ChildByField("consequence")) {
				out.bind(id)
			}
		}
		return out
	case "for_statement", "while_statement":
		if s.Type() == "for_statement" {
			u.reads(s.ChildByField("right"), st)
		} else {
			u.reads(s.ChildByField("condition"), st)
		}
		in := st.copy()
		for _, id := range pyast.Identifiers(s.ChildByField("left")) {
			in.bind(id)
		}
		u.firstTurnIfs(s)
		u.block(s.ChildByField("body"), in)
		if alt := s.ChildByField("alternative"); !alt.IsNil() {
			u.block(alt.ChildByField("body"), st.copy())
		}
		// After the loop every name it binds is taken as bound: whether
		// the loop ran, or broke out, is not followed.
		out := st.copy()
		for id := range u.boundIn(s) {
			out.bind(id)
		}
		return out
	case "try_statement":
		body := u.block(s.ChildByField("body"), st.copy())
		// A handler runs after any statement of the body: what the body
		// binds is bound on some paths only. The leading statements that
		// cannot raise (`found = False`) have run before any of them.
		start := merge(s, u.leadingLiterals(s.ChildByField("body"), st.copy()), body)
		outs := []*flowState{}
		normal := body
		var finally pyast.Node
		for _, c := range s.NamedChildren() {
			switch c.Type() {
			case "except_clause", "except_group_clause":
				h := start.copy()
				if u.statusErrorsOnly(c) {
					// Only a status check raises what this handler catches:
					// it runs after the statements before the first check.
					if pre, ok := u.beforeStatusCheck(s.ChildByField("body"), st.copy()); ok {
						h = pre
					}
				}
				var blk pyast.Node
				for _, cc := range c.NamedChildren() {
					switch cc.Type() {
					case "as_pattern":
						u.reads(cc.NamedChild(0), h)
						for _, id := range pyast.Identifiers(cc.ChildByField("alias")) {
							h.bind(id)
						}
					case "block":
						blk = cc
					default:
						u.reads(cc, h)
					}
				}
				outs = append(outs, u.block(blk, h))
			case "else_clause":
				if !normal.top {
					normal = u.block(c.ChildByField("body"), normal)
				}
			case "finally_clause":
				finally = c
			}
		}
		out := merge(s, append([]*flowState{normal}, outs...)...)
		if !finally.IsNil() {
			for _, cc := range finally.NamedChildren() {
				if cc.Type() == "block" {
					if out.top {
						u.block(cc, start.copy())
					} else {
						out = u.block(cc, out)
					}
				}
			}
		}
		return out
	case "with_statement":
		for w := range pyast.FindEach(s.NamedChild(0), "with_item") {
			v := w.ChildByField("value")
			if v.Type() == "as_pattern" {
				u.reads(v.NamedChild(0), st)
				for _, id := range pyast.Identifiers(v.ChildByField("alias")) {
					st.bind(id)
				}
			} else {
				u.reads(v, st)
			}
		}
		return u.block(s.ChildByField("body"), st)
	case "match_statement":
		// Cases are not followed: every name they bind is taken as bound.
		u.reads(s.ChildByField("subject"), st)
		for id := range u.boundIn(s) {
			st.bind(id)
		}
	case "function_definition", "class_definition":
		st.bind(pyast.DefName(s))
	case "decorated_definition":
		if d := s.ChildByField("definition"); !d.IsNil() {
			st.bind(pyast.DefName(d))
		}
	case "import_statement", "import_from_statement":
		for _, id := range importedNames(s) {
			st.bind(id)
		}
	case "global_statement", "nonlocal_statement", "delete_statement", "pass_statement":
	default:
		u.reads(s, st)
	}
	return st
}

// expr reads an expression statement's value, then binds its targets.
func (u *unboundWalk) expr(e pyast.Node, st *flowState) {
	switch e.Type() {
	case "assignment":
		right := e.ChildByField("right")
		if right.Type() == "assignment" { // a = b = value
			u.expr(right, st)
		} else {
			u.reads(right, st)
		}
		left := e.ChildByField("left")
		u.targetReads(left, st)
		if !right.IsNil() {
			for _, id := range pyast.Identifiers(left) {
				st.bind(id)
			}
		}
	case "augmented_assignment":
		u.reads(e.ChildByField("right"), st)
		u.reads(e.ChildByField("left"), st)
		for _, id := range pyast.Identifiers(e.ChildByField("left")) {
			st.bind(id)
		}
	default:
		u.reads(e, st)
	}
}

// targetReads checks the names an assignment target reads (the object of
// `row.field = ...`, a subscript's object and index).
func (u *unboundWalk) targetReads(t pyast.Node, st *flowState) {
	switch t.Type() {
	case "attribute":
		u.reads(t.ChildByField("object"), st)
	case "subscript":
		u.reads(t, st)
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list":
		for _, c := range t.NamedChildren() {
			u.targetReads(c, st)
		}
	}
}

// reads checks every name n reads against the state; a walrus binds.
func (u *unboundWalk) reads(n pyast.Node, st *flowState) {
	if n.IsNil() || st.top {
		return
	}
	pyast.Inspect(n, func(c pyast.Node) bool {
		if nestedScopes[c.Type()] {
			return false
		}
		switch c.Type() {
		case "named_expression":
			u.reads(c.ChildByField("value"), st)
			st.bind(c.ChildByField("name").Text())
			return false
		case "keyword_argument":
			u.reads(c.ChildByField("value"), st)
			return false
		case "attribute":
			u.reads(c.ChildByField("object"), st)
			return false
		case "identifier":
			u.read(c, st)
		}
		return true
	})
}

func (u *unboundWalk) read(id pyast.Node, st *flowState) {
	name := id.Text()
	k, local := u.ids[name]
	if !local || st.maybe[k].IsNil() || st.defined(k) || u.reported[name] {
		return
	}
	at := st.maybe[k]
	u.reported[name] = true
	if !u.unconditionalAfter(at, id) || u.exitBetween(at, id) || u.splitAssignment(name, at, id) || u.capturedTest(at) {
		return
	}
	u.hits = append(u.hits, unboundHit{read: id, at: at})
}

// unconditionalAfter reports a read that every path from the statement at
// reaches: none of its enclosing conditions (if, loop, except, match, a
// conditional expression, a boolean operator) is one at does not sit in.
// A read guarded again (`if found: use(x)`) may be correlated with the
// branch that assigned it, and is left alone.
func (u *unboundWalk) unconditionalAfter(at, read pyast.Node) bool {
	child := read
	for a := read.Parent(); !a.IsNil() && a.StartByte() >= u.fn.StartByte() && a.ID() != u.fn.ID(); child, a = a, a.Parent() {
		switch a.Type() {
		case "boolean_operator":
			// The left operand always runs; the right one on some paths.
			if child.ID() == a.ChildByField("left").ID() {
				continue
			}
		case "conditional_expression":
			// `a if cond else b`: cond always runs.
			if child.ID() == a.NamedChild(1).ID() {
				continue
			}
		}
		switch a.Type() {
		case "if_statement", "for_statement", "while_statement", "except_clause", "except_group_clause", "finally_clause", "match_statement",
			"conditional_expression", "boolean_operator":
			if !a.Contains(at) {
				return false
			}
		}
	}
	return true
}

// capturedTest reports an `if` testing a view parameter (`if project_pk
// is not None:`, `if project_pk:`) that every route to the view
// captures: the path without it is one no URL takes (the parameter's None
// default is never used).
func (u *unboundWalk) capturedTest(at pyast.Node) bool {
	if at.Type() != "if_statement" || len(u.routes) == 0 {
		return false
	}
	cond := pyast.Unparen(at.ChildByField("condition"))
	param := ""
	switch cond.Type() {
	case "identifier":
		param = cond.Text()
	case "comparison_operator":
		kids := cond.NamedChildren()
		if len(kids) == 2 && kids[0].Type() == "identifier" && kids[1].Type() == "none" &&
			strings.Join(strings.Fields(cond.Text()[kids[0].EndByte()-cond.StartByte():kids[1].StartByte()-cond.StartByte()]), " ") == "is not" {
			param = kids[0].Text()
		}
	}
	if param == "" || !containsName(pyast.ParamNames(u.fn), param) {
		return false
	}
	seen := false
	for _, e := range u.routes {
		for _, r := range e.Routes {
			if !semantic.URLCaptures(r.Pattern)[param] {
				return false
			}
			seen = true
		}
	}
	return seen
}

// splitAssignment reports a name that another conditional statement
// before the read, outside the one that left it unassigned, also assigns
// (`if ":" in ip: sep = ":"`, then `if "." in ip: sep = "."`): the author
// splits the cases between two tests rubric cannot relate.
func (u *unboundWalk) splitAssignment(name string, at, read pyast.Node) bool {
	for n := range pyast.FindEach(pyast.Body(u.fn), "if_statement", "try_statement") {
		if n.StartByte() >= read.StartByte() || n.Contains(at) || at.Contains(n) || n.Contains(read) {
			continue
		}
		if u.boundIn(n)[name] {
			return true
		}
	}
	return false
}

// exitBetween reports an early exit between the statement at and the
// read: an `if` whose body returns, raises, breaks or continues may test
// the very condition that left the name unassigned.
func (u *unboundWalk) exitBetween(at, read pyast.Node) bool {
	for n := range pyast.FindEach(pyast.Body(u.fn), "if_statement") {
		if n.StartByte() < at.EndByte() || n.StartByte() >= read.StartByte() {
			continue
		}
		for _, b := range append([]pyast.Node{n.ChildByField("consequence")}, n.ChildrenByField("alternative")...) {
			if b.Type() != "block" {
				b = b.ChildByField("consequence")
				if b.IsNil() {
					continue
				}
			}
			if last := pyast.LastStatement(b); last.Is("return_statement", "raise_statement", "break_statement", "continue_statement") || assertsFalse(last) {
				return true
			}
		}
	}
	return false
}

// boundIn are the local names a statement binds anywhere inside it.
func (u *unboundWalk) boundIn(s pyast.Node) map[string]bool {
	out := map[string]bool{}
	pyast.Inspect(s, func(n pyast.Node) bool {
		if nestedScopes[n.Type()] && n.ID() != s.ID() {
			if n.Type() == "function_definition" || n.Type() == "class_definition" {
				out[pyast.DefName(n)] = true
			}
			return false
		}
		switch n.Type() {
		case "assignment", "augmented_assignment", "for_statement":
			for _, id := range pyast.Identifiers(n.ChildByField("left")) {
				out[id] = true
			}
		case "as_pattern_target":
			for _, id := range pyast.Identifiers(n) {
				out[id] = true
			}
		case "named_expression":
			out[n.ChildByField("name").Text()] = true
		case "import_statement", "import_from_statement":
			for _, id := range importedNames(n) {
				out[id] = true
			}
		case "case_pattern":
			for _, id := range pyast.Identifiers(n) {
				out[id] = true
			}
		}
		return true
	})
	return out
}

// firstTurnIfs marks the ifs of a loop's body (its own statements) that
// the first turn enters: the test is `not X` (alone or first of an `or`),
// X is set to a falsy literal by the statement of the loop's block nearest
// before the loop that sets it, and no statement of the body before the if
// sets X. `group = ""`, then in the loop `if not group or group != key:
// group = key; rows = []`, then `rows.append(...)`: rows is bound from the
// first turn on.
func (u *unboundWalk) firstTurnIfs(loop pyast.Node) {
	body := loop.ChildByField("body")
	for _, st := range body.NamedChildren() {
		if st.Type() != "if_statement" {
			continue
		}
		cond := pyast.Unparen(st.ChildByField("condition"))
		if cond.Type() == "boolean_operator" && cond.ChildByField("operator").Text() == "or" {
			cond = pyast.Unparen(cond.ChildByField("left"))
		}
		if cond.Type() != "not_operator" {
			continue
		}
		x := pyast.Unparen(cond.ChildByField("argument"))
		if x.Type() != "identifier" || !falsyBefore(loop, x.Text()) || setBefore(body, st, x.Text()) {
			continue
		}
		if u.firstTurn == nil {
			u.firstTurn = map[int32]bool{}
		}
		u.firstTurn[st.ID()] = true
	}
}

// falsyBefore reports whether the statement nearest before loop, in its
// block, that sets name sets it to a falsy literal ("", None, 0, False, an
// empty list, dict or tuple).
func falsyBefore(loop pyast.Node, name string) bool {
	sibs := loop.Parent().NamedChildren()
	i := slices.IndexFunc(sibs, func(n pyast.Node) bool { return n.ID() == loop.ID() })
	for i--; i >= 0; i-- {
		prev := sibs[i]
		if prev.Type() == "expression_statement" {
			if a := prev.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" && a.ChildByField("left").Text() == name {
				r := pyast.Unparen(a.ChildByField("right"))
				switch r.Type() {
				case "none", "false":
					return true
				case "integer":
					return r.Text() == "0"
				case "string":
					v, ok := pyast.StringValue(r)
					return ok && v == "" && !pyast.IsFString(r)
				case "list", "dictionary", "tuple":
					return r.NamedChildCount() == 0
				}
				return false
			}
		}
		if setBefore(prev, pyast.Node{}, name) {
			return false
		}
	}
	return false
}

// setBefore reports whether a statement of block before stop (all of them
// when stop is nil), or block itself when it is a statement, sets name.
func setBefore(block, stop pyast.Node, name string) bool {
	found := false
	pyast.Inspect(block, func(n pyast.Node) bool {
		if found || !stop.IsNil() && n.StartByte() >= stop.StartByte() {
			return false
		}
		switch n.Type() {
		case "assignment", "augmented_assignment", "for_statement":
			if slices.Contains(pyast.Identifiers(n.ChildByField("left")), name) {
				found = true
			}
		case "as_pattern_target", "named_expression":
			if slices.Contains(pyast.Identifiers(n), name) {
				found = true
			}
		}
		return !found
	})
	return found
}

// exitCalls are calls that never return: the process ends, or a test
// fails or is skipped.
var exitCalls = map[string]bool{"sys.exit": true, "exit": true, "quit": true, "os._exit": true, "os.abort": true,
	"self.fail": true, "self.skipTest": true, "pytest.fail": true, "pytest.skip": true, "pytest.exit": true, "pytest.xfail": true}

// exits reports a call statement that does not return: a call of
// exitCalls, a project function whose every path raises or that ends by
// one of them, or one named
// for raising or aborting (`raise_error_for_payment_error()`, `abort(404)`;
// not `raise_for_status()` or `raise_if_...()`, which raise on some paths).
func (u *unboundWalk) exits(e pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(e))
	if !ok {
		return false
	}
	name := pyast.Dotted(c.Func)
	if exitCalls[name] {
		return true
	}
	last := name[strings.LastIndex(name, ".")+1:]
	if strings.HasPrefix(last, "raise_") && last != "raise_for_status" && !strings.HasPrefix(last, "raise_if") || last == "abort" || strings.HasPrefix(last, "abort_") {
		return true
	}
	if u.sf != nil {
		if g, _ := u.sf.Callee(c.Node); g != nil && !g.Node.IsNil() && (alwaysRaises(pyast.Body(g.Node), 0) || endsInExit(g.Node)) {
			return true
		}
	}
	return false
}

// assertsFalse reports `assert False` (or `assert 0`, `assert None`,
// with or without a message): the statement always raises AssertionError,
// as a raise does. Under `python -O` asserts are stripped, but code that
// writes one as the last branch of a chain means "cannot happen".
func assertsFalse(s pyast.Node) bool {
	if s.Type() != "assert_statement" || s.NamedChildCount() == 0 {
		return false
	}
	switch t := pyast.Unparen(s.NamedChild(0)); t.Type() {
	case "false", "none":
		return true
	case "integer":
		return t.Text() == "0"
	}
	return false
}

// endsInExit reports a function whose last statement ends the process
// (`def die(msg): print(msg); sys.exit(1)`).
func endsInExit(def pyast.Node) bool {
	last := pyast.LastStatement(pyast.Body(def))
	if last.Type() != "expression_statement" {
		return false
	}
	c, ok := pyast.AsCall(pyast.Unparen(last.NamedChild(0)))
	return ok && exitCalls[pyast.Dotted(c.Func)]
}

// exhaustive reports an if/elif chain that tests one local name against
// constants (`if axis == "+x": ... elif axis == "-y": ...`) covering every
// constant the function ever assigns it: no value falls through.
func (u *unboundWalk) exhaustive(ifStmt pyast.Node) bool {
	subject := ""
	tested := map[string]bool{}
	conds := []pyast.Node{ifStmt.ChildByField("condition")}
	for _, alt := range ifStmt.ChildrenByField("alternative") {
		if alt.Type() == "elif_clause" {
			conds = append(conds, alt.ChildByField("condition"))
		}
	}
	if enumDispatch(conds) || u.lengthsCovered(conds) || truthsCovered(conds) {
		return true
	}
	for _, c := range conds {
		c = pyast.Unparen(c)
		kids := c.NamedChildren()
		if c.Type() != "comparison_operator" || len(kids) != 2 || operatorOf(c) != "==" || kids[0].Type() != "identifier" {
			return false
		}
		if subject != "" && kids[0].Text() != subject {
			return false
		}
		subject = kids[0].Text()
		v, ok := pyast.StringValue(kids[1])
		if !ok {
			return false
		}
		tested[v] = true
	}
	if subject == "" || !u.isLocal(subject) {
		return false
	}
	assigned := 0
	exhaustive := true
	pyast.Inspect(pyast.Body(u.fn), func(n pyast.Node) bool {
		if nestedScopes[n.Type()] {
			return false
		}
		switch n.Type() {
		case "assignment", "augmented_assignment", "for_statement", "named_expression", "as_pattern_target":
			targets := n.ChildByField("left")
			if n.Type() == "named_expression" {
				targets = n.ChildByField("name")
			} else if n.Type() == "as_pattern_target" {
				targets = n
			}
			if !containsName(pyast.Identifiers(targets), subject) {
				return true
			}
			v, ok := pyast.StringValue(pyast.Unparen(n.ChildByField("right")))
			if n.Type() != "assignment" || n.ChildByField("left").Type() != "identifier" || !ok || !tested[v] {
				exhaustive = false
			}
			assigned++
		}
		return true
	})
	return exhaustive && assigned > 0
}

// truthsCovered reports a chain whose conditions combine a few plain
// values (names, attribute reads) with and, or, not, any((...)) and
// all((...)), and that some condition holds for every truth value those
// can take (`if obj.sent and not obj.trash` / `elif obj.incoming and not
// obj.trash` / `elif not any((obj.incoming, obj.sent, obj.trash))` /
// `elif obj.trash`): no value falls through. Reading an attribute twice is
// taken to give the same value. A comparison of a value's length with an
// integer (`len(rows) == 1`, `len(rows) > 1`) is read with the value's
// truth, which is its length above zero: the lengths enumerated are 0 and
// each constant compared with, one below and one above it.
func truthsCovered(conds []pyast.Node) bool {
	if len(conds) < 2 {
		return false
	}
	t := &atomTable{index: map[string]int{}, lens: map[string][]int{}}
	var formulas []boolExpr
	for _, c := range conds {
		f, ok := readBool(pyast.Unparen(c), t)
		if !ok {
			return false
		}
		formulas = append(formulas, f)
	}
	if len(t.index) == 0 && len(t.lens) == 0 || len(t.index) > 8 || len(t.lens) > 3 {
		return false
	}
	for _, e := range t.envs() {
		held := false
		for _, f := range formulas {
			if f(e) {
				held = true
				break
			}
		}
		if !held {
			return false
		}
	}
	return true
}

// atomTable numbers the plain values a chain tests for truth, and holds
// the integers each value's length is compared with.
type atomTable struct {
	index map[string]int
	lens  map[string][]int
}

func (t *atomTable) atom(text string) int {
	i, seen := t.index[text]
	if !seen {
		i = len(t.index)
		t.index[text] = i
	}
	return i
}

// envs lists every assignment: each truth value of the atoms, with each
// combination of the lengths that tell the comparisons apart.
func (t *atomTable) envs() []env {
	names := make([]string, 0, len(t.lens))
	for n := range t.lens {
		names = append(names, n)
	}
	sort.Strings(names)
	combos := []map[string]int{{}}
	for _, n := range names {
		cands := map[int]bool{0: true}
		for _, k := range t.lens[n] {
			for _, c := range []int{k - 1, k, k + 1} {
				if c >= 0 {
					cands[c] = true
				}
			}
		}
		var next []map[string]int
		for _, m := range combos {
			for c := range cands {
				m2 := map[string]int{n: c}
				for k, v := range m {
					m2[k] = v
				}
				next = append(next, m2)
			}
		}
		combos = next
	}
	var out []env
	for bits := 0; bits < 1<<len(t.index); bits++ {
		for _, m := range combos {
			out = append(out, env{bits: bits, lens: m})
		}
	}
	return out
}

// env is one assignment: bit i of bits is atom i's truth, and lens the
// length of each value whose length is compared.
type env struct {
	bits int
	lens map[string]int
}

// boolExpr evaluates a condition for one assignment.
type boolExpr func(env) bool

// readBool reads a condition built from plain values with and, or, not,
// any and all over a literal tuple or list, and comparisons of a plain
// value's length with an integer; ok is false for anything else (another
// comparison, a call), whose truth rubric does not enumerate.
func readBool(n pyast.Node, t *atomTable) (boolExpr, bool) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier", "attribute":
		if n.Type() == "attribute" && !plainAttribute(n) {
			return nil, false
		}
		text := n.Text()
		i := t.atom(text)
		return func(e env) bool {
			if l, ok := e.lens[text]; ok {
				return l > 0 // a sized value is true when not empty
			}
			return e.bits&(1<<i) != 0
		}, true
	case "not_operator":
		f, ok := readBool(n.ChildByField("argument"), t)
		if !ok {
			return nil, false
		}
		return func(e env) bool { return !f(e) }, true
	case "boolean_operator":
		l, ok1 := readBool(n.ChildByField("left"), t)
		r, ok2 := readBool(n.ChildByField("right"), t)
		if !ok1 || !ok2 {
			return nil, false
		}
		if operatorOf(n) == "and" {
			return func(e env) bool { return l(e) && r(e) }, true
		}
		return func(e env) bool { return l(e) || r(e) }, true
	case "comparison_operator":
		return lengthComparison(n, t)
	case "call":
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "identifier" || c.Func.Text() != "any" && c.Func.Text() != "all" || len(c.Positional) != 1 || len(c.Keywords) > 0 {
			return nil, false
		}
		seq := pyast.Unparen(c.Positional[0])
		if seq.Type() != "tuple" && seq.Type() != "list" {
			return nil, false
		}
		var parts []boolExpr
		for e := range seq.Named() {
			f, ok := readBool(e, t)
			if !ok {
				return nil, false
			}
			parts = append(parts, f)
		}
		all := c.Func.Text() == "all"
		return func(e env) bool {
			for _, f := range parts {
				if f(e) != all {
					return !all
				}
			}
			return all
		}, true
	}
	return nil, false
}

// lengthComparison reads `len(x) OP k` (or `k OP len(x)`) for a plain
// value x and an integer literal k, OP one of ==, !=, <, <=, >, >=.
func lengthComparison(n pyast.Node, t *atomTable) (boolExpr, bool) {
	ops := n.NamedChildren()
	if len(ops) != 2 {
		return nil, false
	}
	op := operatorOf(n)
	subject, k, ok := lengthOperands(ops[0], ops[1])
	if !ok {
		subject, k, ok = lengthOperands(ops[1], ops[0])
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
	}
	if !ok || op == "" {
		return nil, false
	}
	t.atom(subject) // the value's truth and its length are one
	t.lens[subject] = append(t.lens[subject], k)
	return func(e env) bool {
		l := e.lens[subject]
		switch op {
		case "==":
			return l == k
		case "!=":
			return l != k
		case "<":
			return l < k
		case "<=":
			return l <= k
		case ">":
			return l > k
		}
		return l >= k
	}, true
}

// lengthOperands reads `len(x)` and an integer literal.
func lengthOperands(call, lit pyast.Node) (string, int, bool) {
	c, ok := pyast.AsCall(pyast.Unparen(call))
	if !ok || c.Func.Type() != "identifier" || c.Func.Text() != "len" || len(c.Positional) != 1 || len(c.Keywords) > 0 {
		return "", 0, false
	}
	x := pyast.Unparen(c.Positional[0])
	if x.Type() != "identifier" && !(x.Type() == "attribute" && plainAttribute(x)) {
		return "", 0, false
	}
	lit = pyast.Unparen(lit)
	if lit.Type() != "integer" {
		return "", 0, false
	}
	k, err := strconv.Atoi(lit.Text())
	if err != nil || k < 0 || k > 1000 {
		return "", 0, false
	}
	return x.Text(), k, true
}

// plainAttribute reports a chain of attribute reads on a name (`obj.sent`,
// `self.order.paid`), with no call or subscript in it.
func plainAttribute(n pyast.Node) bool {
	for n.Type() == "attribute" {
		n = n.ChildByField("object")
	}
	return n.Type() == "identifier"
}

func containsName(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// operatorOf is a binary comparison's operator.
func operatorOf(cmp pyast.Node) string {
	for _, c := range cmp.Children() {
		if !c.IsNamed() {
			return c.Text()
		}
	}
	return ""
}

// enumDispatch reports a chain of two or more tests of one subject
// against values (`kind == Kinds.PRODUCT`, `elif kind == "page"`,
// `isinstance(srs, int)`, `event.startswith("pr:")`): the values the
// subject can hold are usually closed elsewhere (a form's choices, a URL
// pattern, a schema enum, the callers), which rubric does not read, so
// whether one falls through is not judged.
func enumDispatch(conds []pyast.Node) bool {
	if len(conds) < 2 {
		return false
	}
	subject := ""
	for _, c := range conds {
		s := testSubject(pyast.Unparen(c))
		if s == "" || subject != "" && s != subject {
			return false
		}
		subject = s
	}
	return true
}

// testSubject is what a test of one value compares: x in `x == c`, `x is
// c`, `x in (...)`, `isinstance(x, T)`, `x.startswith(c)`; "" for any
// other condition.
func testSubject(c pyast.Node) string {
	switch c.Type() {
	case "comparison_operator":
		kids := c.NamedChildren()
		if len(kids) != 2 {
			return ""
		}
		switch operatorOf(c) {
		case "==", "is", "in":
		default:
			return ""
		}
		other := pyast.Unparen(kids[1])
		members := []pyast.Node{other}
		if other.Is("tuple", "list", "set") {
			members = other.NamedChildren()
		}
		for _, m := range members {
			if _, ok := pyast.StringValue(m); !ok && !enumMember(m) && !m.Is("integer", "none", "true", "false") {
				return ""
			}
		}
		return kids[0].Text()
	case "call":
		call, _ := pyast.AsCall(c)
		switch {
		case pyast.Dotted(call.Func) == "isinstance" && len(call.Positional) == 2:
			return call.Positional[0].Text()
		case call.MethodName() == "startswith" || call.MethodName() == "endswith":
			return call.Receiver().Text()
		}
	}
	return ""
}

// enumMember reports an enumeration member or a module constant:
// `Kinds.PRODUCT`, `FILE_TYPE_FETCH`.
func enumMember(m pyast.Node) bool {
	switch m.Type() {
	case "attribute":
		return pyast.Dotted(m) != ""
	case "identifier":
		// A constant (`FILE_TYPE_FETCH`) or a class (`x == Reservation`,
		// a type dispatch like isinstance's).
		t := m.Text()
		return strings.ToUpper(t) == t && strings.ToLower(t) != t || t[0] >= 'A' && t[0] <= 'Z'
	}
	return false
}

// lengthsCovered reports a chain of tests of one local's length against
// integers (`if len(parts) > 1: ... elif len(parts) == 1: ...`) that
// covers every length the local can have: from 0, or from 1 when its only
// assignment is `s.split(sep)` with a separator (a split on a separator
// returns at least one part).
func (u *unboundWalk) lengthsCovered(conds []pyast.Node) bool {
	type test struct {
		op string
		n  int
	}
	var tests []test
	subject, most := "", 0
	for _, c := range conds {
		c = pyast.Unparen(c)
		kids := c.NamedChildren()
		if c.Type() != "comparison_operator" || len(kids) != 2 || kids[1].Type() != "integer" {
			return false
		}
		call, ok := pyast.AsCall(pyast.Unparen(kids[0]))
		if !ok || pyast.Dotted(call.Func) != "len" || len(call.Positional) != 1 || call.Positional[0].Type() != "identifier" {
			return false
		}
		name := call.Positional[0].Text()
		if subject != "" && name != subject {
			return false
		}
		subject = name
		n, err := strconv.Atoi(kids[1].Text())
		if err != nil {
			return false
		}
		most = max(most, n)
		tests = append(tests, test{operatorOf(c), n})
	}
	if subject == "" || !u.isLocal(subject) {
		return false
	}
	least := 0
	var assigns []pyast.Node
	pyast.Inspect(pyast.Body(u.fn), func(n pyast.Node) bool {
		if nestedScopes[n.Type()] {
			return false
		}
		if n.Type() == "assignment" && n.ChildByField("left").Type() == "identifier" && n.ChildByField("left").Text() == subject {
			assigns = append(assigns, n)
		}
		return true
	})
	if len(assigns) == 1 {
		if c, ok := pyast.AsCall(pyast.Unparen(assigns[0].ChildByField("right"))); ok && c.MethodName() == "split" && len(c.Positional) > 0 {
			least = 1
		}
	}
	holds := func(t test, n int) bool {
		switch t.op {
		case "==":
			return n == t.n
		case ">":
			return n > t.n
		case ">=":
			return n >= t.n
		case "<":
			return n < t.n
		case "<=":
			return n <= t.n
		case "!=":
			return n != t.n
		}
		return false
	}
	// Above the largest constant every test answers as it does at most+1.
	for n := least; n <= most+1; n++ {
		covered := false
		for _, t := range tests {
			if holds(t, n) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

// leadingLiterals returns the state after the statements a try body opens
// with that cannot raise: a plain name bound to a literal (`found =
// False`, `count = 0`, `name = ""`, `rows = []`). Any handler runs after
// them.
func (u *unboundWalk) leadingLiterals(body pyast.Node, st *flowState) *flowState {
	for _, s := range pyast.Statements(body) {
		a := s.NamedChild(0)
		if s.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" || !cannotRaise(a.ChildByField("right")) {
			break
		}
		st = u.stmt(s, st)
	}
	return st
}

// cannotRaise reports a literal whose evaluation cannot raise: a
// constant, a string without interpolation (plainLiteral), an empty list,
// dict or tuple.
func cannotRaise(n pyast.Node) bool {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "list", "dictionary", "tuple":
		return n.NamedChildCount() == 0
	}
	return plainLiteral(n)
}
