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

// TupleRows is a queryset held at one position of each tuple of a list of
// tuples (`feeds.append((ft, ft.items()[0:5]))`): built once per row of the
// list's loop, its own rows are iterated when the template unpacks it.
type TupleRows struct {
	At   int
	Rows *QS
	Node pyast.Node // the expression building it, in the loop's body
}

// appendedTuples evaluates a list that starts empty and is filled, before
// n in n's function, with tuples appended by one loop over a queryset
// (`for ft in FeedType.objects.all(): feeds.append((ft, ft.items()[0:5]))`):
// the loop's row sits at position elem of every tuple, and the other
// positions holding a queryset (evaluated with the row bound) are in
// others. As appendedRows, any other change of the list leaves it unknown,
// and so does a second append of another shape.
func (f *File) appendedTuples(n pyast.Node) (rows *QS, elem int, others []TupleRows) {
	fn := f.EnclosingFunc(n)
	if fn == nil || n.Type() != "identifier" {
		return nil, -1, nil
	}
	name := n.Text()
	var loop *Loop
	var tuple pyast.Node
	elem = -1
	for id := range pyast.FindEach(pyast.Body(fn.Node), "identifier") {
		if id.Text() != name || id.StartByte() >= n.StartByte() {
			continue
		}
		p := id.Parent()
		if p.Type() == "assignment" && p.ChildByField("left").Equal(id) {
			if !emptyList(p.ChildByField("right")) {
				return nil, -1, nil
			}
			continue
		}
		call, ok := listMethodUse(id)
		if !ok {
			return nil, -1, nil
		}
		if call.IsNil() {
			continue // a plain read, or a method that changes nothing
		}
		if loop != nil {
			return nil, -1, nil // one append only: the tuples' shape is that one's
		}
		c, _ := pyast.AsCall(call)
		if len(c.Positional) != 1 || !pyast.Unparen(c.Positional[0]).Is("tuple") {
			return nil, -1, nil
		}
		tuple = pyast.Unparen(c.Positional[0])
		for i, e := range tuple.NamedChildren() {
			if e.Type() != "identifier" {
				continue
			}
			if l := f.LoopOf(e); l != nil && !l.Var.IsNil() && l.Var.Text() == e.Text() && l.InBody(call) {
				if loop != nil {
					return nil, -1, nil // the row twice
				}
				loop, elem = l, i
			}
		}
		if loop == nil {
			return nil, -1, nil
		}
	}
	if loop == nil {
		return nil, -1, nil
	}
	for a := range pyast.FindEach(pyast.Body(fn.Node), "augmented_assignment") {
		if a.ChildByField("left").Text() == name {
			return nil, -1, nil
		}
	}
	q := f.loopQSAt(loop, ctx{})
	if q == nil {
		return nil, -1, nil
	}
	q = q.clone()
	q.Filtered, q.Listed = true, true
	for i, e := range tuple.NamedChildren() {
		if i == elem {
			continue
		}
		v := f.Value(e)
		if (v.Kind == QuerySet || v.Kind == Related) && v.QS != nil && v.QS.Model != nil {
			others = append(others, TupleRows{At: i, Rows: v.QS, Node: e})
		}
	}
	return q, elem, others
}
