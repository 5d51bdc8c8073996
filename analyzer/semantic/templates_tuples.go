package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// A context value built by a project helper that returns a list of tuples
// holding each row of the queryset it is given (EvaP's
// `course_grade_document_count_tuples(query)`, returning `[(course,
// n_midterm, n_final) for course in courses]` after `courses =
// courses.prefetch_related(...)`): a template loop unpacking the tuples
// (`{% for course, a, b in courses %}`) reads rows of that queryset, with
// what the helper's chain adds, at the tuple's position.

// tupleRows evaluates such a value: the rows and the position of the row
// in each tuple, or nil.
func (f *File) tupleRows(n pyast.Node) (*QS, int) {
	n = pyast.Unparen(n)
	for i := 0; i < 4 && n.Type() == "identifier"; i++ {
		rhs := f.Binding(n, n.Text(), n.StartByte())
		if rhs.IsNil() {
			return nil, -1
		}
		n = pyast.Unparen(rhs)
	}
	c, ok := pyast.AsCall(n)
	if !ok {
		return nil, -1
	}
	fn, bound := f.Callee(n)
	if fn == nil || fn.File == nil || fn.Node.Contains(n) {
		return nil, -1
	}
	param, elem := -1, -1
	var steps []pyast.Node
	returns := 0
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		returns++
		p, k, st, ok := fn.File.tupleReturn(fn, r)
		if !ok || param >= 0 && (p != param || k != elem) {
			return nil, -1
		}
		param, elem = p, k
		if len(st) > len(steps) {
			steps = st
		}
	}
	if returns == 0 || param < 0 {
		return nil, -1
	}
	arg := argFor(c, fn, param, bound)
	if arg.IsNil() {
		return nil, -1
	}
	q := f.rowsOf(arg, 1)
	if q == nil {
		return nil, -1
	}
	q = q.clone()
	for _, st := range steps {
		q = fn.File.applyStep(q, st)
	}
	return q, elem
}

// tupleReturn reads `return [(..., v, ...) for v in E]` (a list
// comprehension or list(...) of a generator) where E is parameter param of
// fn through chained calls (steps): the parameter, the position of v.
func (f *File) tupleReturn(fn *Func, r pyast.Node) (param, elem int, steps []pyast.Node, ok bool) {
	e := pyast.Unparen(r.NamedChild(0))
	if e.Type() != "list_comprehension" {
		return -1, -1, nil, false
	}
	body := pyast.Unparen(e.ChildByField("body"))
	var clause pyast.Node
	for kid := range e.Named() {
		if kid.Type() == "for_in_clause" {
			if !clause.IsNil() {
				return -1, -1, nil, false // nested loops
			}
			clause = kid
		} else if kid.Type() == "if_clause" {
			return -1, -1, nil, false // some rows left out: still rows, but keep it simple
		}
	}
	if body.Type() != "tuple" || clause.IsNil() {
		return -1, -1, nil, false
	}
	left := clause.ChildByField("left")
	if left.Type() != "identifier" {
		return -1, -1, nil, false
	}
	elem = -1
	for i, x := range body.NamedChildren() {
		if x = pyast.Unparen(x); x.Type() == "identifier" && x.Text() == left.Text() {
			if elem >= 0 {
				return -1, -1, nil, false
			}
			elem = i
		}
	}
	if elem < 0 {
		return -1, -1, nil, false
	}
	iter := pyast.Unparen(clause.ChildByField("right"))
	for idx := range fn.Params {
		if st, found := f.chainTo(iter, fn.Params[idx], r.StartByte(), 0); found {
			return idx, elem, st, true
		}
	}
	return -1, -1, nil, false
}
