package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// AccessKind says what a per-row access costs and how it is fixed.
type AccessKind uint8

// Access kinds.
const (
	// Forward: a foreign key, one-to-one or reverse one-to-one loaded per
	// row; fixed by select_related(path).
	Forward AccessKind = iota + 1
	// Generic: a generic foreign key; prefetch_related(path).
	Generic
	// Manager: a related manager iterated (all(), iteration, list());
	// prefetch_related(path).
	Manager
	// Count and Exists: counted or tested per row; annotate(Count(...)) or
	// Exists(...).
	Count
	Exists
	// Query: filtered, ordered, sliced or fetched (first(), get()) per
	// row: a query even with a plain prefetch; Prefetch(path, queryset=...)
	// with to_attr, or an annotation.
	Query
	// Lookup: a query per call whose arguments come from the row
	// (`Score.objects.filter(user=row).count()` in a helper).
	Lookup
)

// Step is one call between a loop body and an access.
type Step struct {
	File *File
	Call pyast.Node
	Func *Func
}

// Access is a database access made once per row of some loop.
type Access struct {
	Kind AccessKind
	// Path is the relation path from the row ("merchant__category",
	// "items"); for Lookup, the model queried.
	Path string
	// Methods are the methods called on a related manager.
	Methods []string
	// Node is the attribute or call node that runs the query, in File.
	Node pyast.Node
	File *File
	// Field is the relation's field (nil for reverse relations: Relation).
	Field    *project.Field
	Relation *project.Relation
	// Target is the model the path ends at.
	Target *project.Model
	// Via are the calls from the loop body to the access, outermost
	// first; empty when the access is in the loop body itself.
	Via []Step
	// Conditional: the access is under a branch of a called function.
	Conditional bool
}

type rowKey struct {
	fn    *Func
	param int
	model *project.Model
}

type rowEntry struct{ acc []Access }

// maxVia bounds how deep calls are followed from a loop body.
const maxVia = 5

// RowAccesses returns the database accesses fn makes, per call, on the row
// of model md passed as its parameter param, following the calls it
// makes with that row (or a related object of it) and the methods and
// properties of the row's model class. Paths are relative to the row.
//
// Results are kept per key, but only those of this entry point: a call
// followed from another one is computed under that call's depth bound and
// cycle cut, so what it yields depends on the path that reached it, and
// keeping it would make every later answer depend on which goroutine got
// there first (the output then changed from run to run).
func (m *Model) RowAccesses(fn *Func, param int, md *project.Model) []Access {
	if fn == nil || md == nil || param < 0 || param >= len(fn.Params) {
		return nil
	}
	key := rowKey{fn, param, md}
	if m.frozen {
		m.rowMu.Lock()
		e := m.rowMemo[key]
		m.rowMu.Unlock()
		if e != nil {
			return e.acc
		}
	}
	out := m.rowAccesses(fn, param, md, map[rowKey]bool{}, 0)
	if m.frozen {
		m.rowMu.Lock()
		m.rowMemo[key] = &rowEntry{acc: out}
		m.rowMu.Unlock()
	}
	return out
}

func (m *Model) rowAccesses(fn *Func, param int, md *project.Model, visiting map[rowKey]bool, depth int) []Access {
	if fn == nil || md == nil || param < 0 || param >= len(fn.Params) || depth > maxVia {
		return nil
	}
	key := rowKey{fn, param, md}
	if visiting[key] {
		return nil
	}
	visiting[key] = true
	defer delete(visiting, key)
	var out []Access
	for _, u := range fn.Summary().Params[param] {
		out = append(out, m.interpret(fn.File, u, md, nil, visiting, depth)...)
	}
	return out
}

// UseAccesses interprets uses read in a loop body (or anywhere) against a
// row of model md: what InterpretUse does for each.
func (m *Model) UseAccesses(f *File, uses []*Use, md *project.Model) []Access {
	var out []Access
	for _, u := range uses {
		out = append(out, m.interpret(f, u, md, nil, map[rowKey]bool{}, 0)...)
	}
	return out
}

// interpret turns one use of a row of md into accesses; prefix is the
// relation path already followed.
func (m *Model) interpret(f *File, u *Use, md *project.Model, prefix []string, visiting map[rowKey]bool, depth int) []Access {
	var out []Access
	cur := md
	path := append([]string(nil), prefix...)
	if u.QueryArg {
		return nil // see Lookups
	}
	for i, name := range u.Chain {
		a := cur.Attr(name)
		node := u.Nodes[i]
		switch a.Kind {
		case project.AttrForward, project.AttrReverseOne:
			if storeTarget(node) {
				return out
			}
			field := a.Field
			kind := Forward
			if field != nil && field.Kind == project.GenericFK {
				kind = Generic
			}
			path = append(path, name)
			out = append(out, Access{Kind: kind, Path: strings.Join(path, "__"), Node: node, File: f, Field: field, Relation: a.Relation,
				Target: a.Target, Conditional: conditional(node)})
			if a.Target == nil || kind == Generic {
				return out
			}
			cur = a.Target
		case project.AttrReverseMany, project.AttrManyToMany:
			path = append(path, name)
			if i != len(u.Chain)-1 {
				return out // `o.items.model`...: not a query
			}
			acc, ok := managerAccess(f, u, node, path)
			if !ok {
				return out
			}
			acc.Field, acc.Relation, acc.Target = a.Field, a.Relation, a.Target
			out = append(out, acc)
			if acc.Kind == Manager && a.Target != nil {
				for _, inner := range u.Iter {
					out = append(out, m.interpret(f, inner, a.Target, path, visiting, depth)...)
				}
			}
			return out
		case project.AttrColumn, project.AttrManager:
			return out
		default:
			// A property of the model's class: its own accesses on self.
			fn := m.ModelMethod(cur, name)
			if fn == nil && i == len(u.Chain)-1 && m.UndeclaredReverse(cur, name) {
				// `user.totpdevice_set.filter(...)`: Django's default
				// accessor of a relation a model outside the tree
				// declares: a related manager, queried as one.
				if acc, ok := managerAccess(f, u, node, append(path, name)); ok {
					out = append(out, acc)
				}
				return out
			}
			if fn == nil || !fn.Property {
				return out
			}
			step := Step{File: f, Call: node, Func: fn}
			for _, acc := range m.rowAccesses(fn, 0, cur, visiting, depth+1) {
				out = append(out, withPrefix(acc, path, step))
			}
			// The row the property returns (`circuit.termination_a`, one
			// of `self.terminations.all()`): what the rest of the chain
			// reads on it is per row too, under the property's path.
			rest := &Use{Chain: u.Chain[i+1:], Nodes: u.Nodes[i+1:], Methods: u.Methods, Call: u.Call, PassedTo: u.PassedTo,
				Arg: u.Arg, Keyword: u.Keyword}
			if len(rest.Chain) == 0 && len(rest.Methods) == 0 && rest.PassedTo.IsNil() {
				return out
			}
			rp, ok := m.ReturnedRow(fn, cur)
			if !ok {
				return out
			}
			for _, acc := range m.interpret(f, rest, rp.Target, append(path, rp.Path...), visiting, depth+1) {
				acc.Via = append([]Step{step}, acc.Via...)
				out = append(out, acc)
			}
			return out
		}
	}
	// The chain ends on a row of cur: a method called on it (`row.save()`,
	// `row.fk.to_dict()`), or the row passed to another function.
	if len(u.Methods) > 0 {
		if fn := m.ModelMethod(cur, u.Methods[0]); fn != nil && !fn.Static && !fn.Property {
			step := Step{File: f, Call: u.Call, Func: fn}
			for _, acc := range m.rowAccesses(fn, 0, cur, visiting, depth+1) {
				out = append(out, withPrefix(acc, path, step))
			}
		}
		return out
	}
	if !u.PassedTo.IsNil() {
		callee, bound := f.Callee(u.PassedTo)
		if callee == nil {
			return out
		}
		idx := u.Arg
		if u.Keyword != "" {
			idx = indexOf(callee.Params, u.Keyword)
		} else if idx >= 0 && bound {
			idx++
		}
		if idx < 0 {
			return out
		}
		step := Step{File: f, Call: u.PassedTo, Func: callee}
		for _, acc := range m.rowAccesses(callee, idx, cur, visiting, depth+1) {
			out = append(out, withPrefix(acc, path, step))
		}
	}
	return out
}

// UndeclaredReverse reports an attribute of a row that only a relation
// declared outside the tree can make: Django's default accessor of a
// reverse foreign key or many-to-many, `<model name in lower case>_set`
// (`totpdevice_set`, `emailaddress_set`), which the model's class (or a
// class of the tree it derives from) does not assign itself. The graph
// knows the reverse relations of the tree's own models, so this is a
// library's model pointing at the row's (auth.User, most often).
func (m *Model) UndeclaredReverse(md *project.Model, name string) bool {
	prefix, ok := strings.CutSuffix(name, "_set")
	if !ok || prefix == "" || md == nil || md.Attr(name).Kind != project.AttrUnknown {
		return false
	}
	for _, r := range prefix {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	if c := m.ClassOfModel(md); c != nil {
		if v, _ := c.Attr(name); !v.IsNil() {
			return false
		}
	}
	return true
}

// withPrefix re-roots an access found in a called function.
func withPrefix(acc Access, prefix []string, step Step) Access {
	if acc.Kind != Lookup && len(prefix) > 0 {
		acc.Path = strings.Join(prefix, "__") + "__" + acc.Path
	}
	acc.Via = append([]Step{step}, acc.Via...)
	return acc
}

// managerKind classifies the methods called on a related manager.
func managerKind(methods []string) (AccessKind, bool) {
	if len(methods) == 0 {
		return 0, false
	}
	queried := false
	for _, mth := range methods {
		switch mth {
		case "all", "__iter__", "iterator":
		case "count":
			if !queried {
				return Count, true
			}
			return Query, true
		case "exists":
			if !queried {
				return Exists, true
			}
			return Query, true
		case "filter", "exclude", "order_by", "first", "last", "get", "earliest", "latest", "aggregate", "values",
			"values_list", "distinct", "annotate", "in_bulk", "select_related", "only", "defer", "reverse":
			queried = true
		default:
			return 0, false // writes (add, create, clear...) and unknown methods
		}
	}
	if queried {
		return Query, true
	}
	return Manager, true
}

// storeTarget reports whether an attribute is assigned to or deleted.
func storeTarget(n pyast.Node) bool {
	p := n.Parent()
	switch p.Type() {
	case "assignment", "augmented_assignment":
		return p.ChildByField("left").Equal(n)
	case "delete_statement":
		return true
	}
	return false
}

// conditional reports whether n runs only on some calls of its function:
// under an if, a conditional expression, a try or a boolean operator.
func conditional(n pyast.Node) bool {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda":
			return false
		case "if_statement", "conditional_expression", "try_statement", "boolean_operator", "elif_clause", "else_clause", "except_clause":
			return true
		}
	}
	return false
}

// returnedResult reports a query call that is the value its function
// returns: `return query.count()`, not a test on the way (`if
// rows.exists(): ...`).
func returnedResult(call pyast.Node) bool {
	p := call.Parent()
	for p.Type() == "parenthesized_expression" {
		p = p.Parent()
	}
	return p.Type() == "return_statement"
}

// Lookups returns the queries fn runs, per call, with the value of its
// parameter param among their arguments (directly or through the calls it
// passes the value to): `Score.objects.filter(day=day).count()`.
func (m *Model) Lookups(fn *Func, param int) []Access {
	return m.lookups(fn, param, nil, false, map[*Func]bool{}, 0)
}

// RowParamLookups is Lookups for a function called once per row with the
// row as parameter param (a serializer's get_<field>(obj)): a query built
// from it in a local and run later (`rows = X.objects.filter(site=obj)`,
// then `for r in rows`) runs once per row too.
func (m *Model) RowParamLookups(fn *Func, param int) []Access {
	return m.lookups(fn, param, nil, true, map[*Func]bool{}, 0)
}

// RowLookups is Lookups for a parameter known to hold a row of md: the
// methods called on the row (`f.compute_hash_code()`, and the helpers
// and nested functions they pass self to) are followed too.
func (m *Model) RowLookups(fn *Func, param int, md *project.Model) []Access {
	return m.lookups(fn, param, md, false, map[*Func]bool{}, 0)
}

func (m *Model) lookups(fn *Func, param int, md *project.Model, rowParam bool, visiting map[*Func]bool, depth int) []Access {
	if fn == nil || param < 0 || param >= len(fn.Params) || depth > maxVia || visiting[fn] {
		return nil
	}
	visiting[fn] = true
	defer delete(visiting, fn)
	var out []Access
	for _, u := range fn.Summary().Params[param] {
		switch {
		case u.QueryArg && u.Bound && md == nil && !rowParam && !returnedResult(u.Call):
			// A query built in a local and run later: followed only for a
			// row of a known model (RowLookups), where the call chain
			// is read to the end, or when the function returns what it
			// runs (`query = X.objects.filter(author=user)`, narrowed by
			// the other arguments, then `return query.count()`): the
			// helper's value is that query's, on every call.
		case u.QueryArg:
			out = append(out, Access{Kind: Lookup, Node: u.Call, File: fn.File, Methods: u.Methods, Conditional: conditional(u.Call)})
		case md != nil && len(u.Chain) == 0 && len(u.Methods) > 0 && u.PassedTo.IsNil():
			// A method of the row's model: what it queries with self.
			meth := m.ModelMethod(md, u.Methods[0])
			if meth == nil || meth.Static || meth.Property || meth.ClassMethod {
				continue
			}
			step := Step{File: fn.File, Call: u.Call, Func: meth}
			for _, acc := range m.lookups(meth, 0, md, false, visiting, depth+1) {
				acc.Via = append([]Step{step}, acc.Via...)
				acc.Conditional = acc.Conditional || conditional(u.Call)
				out = append(out, acc)
			}
		case !u.PassedTo.IsNil() && len(u.Methods) == 0:
			callee, bound := fn.File.Callee(u.PassedTo)
			if callee == nil {
				continue
			}
			idx := u.Arg
			if u.Keyword != "" {
				idx = indexOf(callee.Params, u.Keyword)
			} else if idx >= 0 && bound {
				idx++
			}
			inner := md
			if len(u.Chain) > 0 {
				inner = nil // a related object: its model is not followed here
			}
			step := Step{File: fn.File, Call: u.PassedTo, Func: callee}
			// The row itself handed on: the helper runs once per row too.
			for _, acc := range m.lookups(callee, idx, inner, rowParam && len(u.Chain) == 0, visiting, depth+1) {
				acc.Via = append([]Step{step}, acc.Via...)
				acc.Conditional = acc.Conditional || conditional(u.PassedTo)
				out = append(out, acc)
			}
		}
	}
	return out
}

// RowPath is the row a method or property of a model returns, reached
// from self: the relation path from self and the model it ends at. Many
// is set when the path ends on a reverse or many-to-many relation (the
// row is one of a related manager's rows, `for t in self.terms.all():
// return t`): prefetching the path serves it.
type RowPath struct {
	Path   []string
	Target *project.Model
	Many   bool
}

// ReturnedRow reads what a method or property of model md's class returns
// when every return hands back a row reached from self (a forward
// relation chain, a loop variable over a related manager, the first row
// of `self.items.all()`, or what another method of the class returns),
// and all of them agree. `return None` (and a bare return) are skipped:
// a row or nothing. ok is false for anything else.
func (m *Model) ReturnedRow(fn *Func, md *project.Model) (RowPath, bool) {
	return m.returnedRow(fn, md, 0)
}

func (m *Model) returnedRow(fn *Func, md *project.Model, depth int) (RowPath, bool) {
	if fn == nil || md == nil || len(fn.Params) == 0 || fn.Static || fn.ClassMethod || depth > 3 {
		return RowPath{}, false
	}
	var out RowPath
	found := false
	for _, r := range ownNodes(pyast.Body(fn.Node), "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if e.IsNil() || e.Type() == "none" {
			continue
		}
		rp, ok := m.selfRow(fn, e, md, depth)
		if !ok || found && (rp.Target != out.Target || strings.Join(rp.Path, "__") != strings.Join(out.Path, "__")) {
			return RowPath{}, false
		}
		out, found = rp, true
	}
	return out, found
}

// selfRow reads one returned expression of a method of md's class.
func (m *Model) selfRow(fn *Func, e pyast.Node, md *project.Model, depth int) (RowPath, bool) {
	self := fn.Params[0]
	body := pyast.Body(fn.Node)
	switch e.Type() {
	case "identifier":
		// The variable of a loop over a related manager of self, bound by
		// that loop only.
		loop := pyast.Ancestor(e, "for_statement")
		for ; !loop.IsNil() && body.Contains(loop); loop = pyast.Ancestor(loop, "for_statement") {
			if v := loop.ChildByField("left"); v.Type() == "identifier" && v.Text() == e.Text() {
				break
			}
		}
		if loop.IsNil() || !body.Contains(loop) || rebound(body, e.Text(), loop) {
			return RowPath{}, false
		}
		it := pyast.Unparen(loop.ChildByField("right"))
		if c, ok := pyast.AsCall(it); ok && c.Func.Type() == "attribute" && (c.MethodName() == "all" || c.MethodName() == "iterator") && len(c.Positional) == 0 {
			it = pyast.Unparen(c.Receiver())
		}
		rp, ok := m.selfChain(fn, it, md, depth)
		return rp, ok && rp.Many
	case "subscript":
		// self.items.all()[0]
		idx := e.ChildByField("subscript")
		if idx.Type() != "integer" {
			return RowPath{}, false
		}
		c, ok := pyast.AsCall(pyast.Unparen(e.ChildByField("value")))
		if !ok || c.Func.Type() != "attribute" || c.MethodName() != "all" || len(c.Positional) > 0 {
			return RowPath{}, false
		}
		rp, ok := m.selfChain(fn, pyast.Unparen(c.Receiver()), md, depth)
		return rp, ok && rp.Many
	case "attribute":
		rp, ok := m.selfChain(fn, e, md, depth)
		return rp, ok && !rp.Many
	case "call":
		// self.other_method(...): what that method returns.
		c, _ := pyast.AsCall(e)
		if c.Func.Type() != "attribute" || pyast.Unparen(c.Receiver()).Type() != "identifier" || c.Receiver().Text() != self {
			return RowPath{}, false
		}
		callee := m.ModelMethod(md, c.MethodName())
		if callee == nil || callee.Property {
			return RowPath{}, false
		}
		return m.returnedRow(callee, md, depth+1)
	}
	return RowPath{}, false
}

// selfChain follows `self.a.b` through forward relations and properties
// that return rows; the chain may end on a reverse or many-to-many
// relation (Many).
func (m *Model) selfChain(fn *Func, e pyast.Node, md *project.Model, depth int) (RowPath, bool) {
	var names []string
	cur := e
	for cur.Type() == "attribute" {
		names = append([]string{cur.ChildByField("attribute").Text()}, names...)
		cur = pyast.Unparen(cur.ChildByField("object"))
	}
	if cur.Type() != "identifier" || cur.Text() != fn.Params[0] || len(names) == 0 {
		return RowPath{}, false
	}
	out := RowPath{Target: md}
	for i, name := range names {
		a := out.Target.Attr(name)
		switch a.Kind {
		case project.AttrForward, project.AttrReverseOne:
			if a.Target == nil || a.Field != nil && a.Field.Kind == project.GenericFK {
				return RowPath{}, false
			}
			out.Path = append(out.Path, name)
			out.Target = a.Target
		case project.AttrReverseMany, project.AttrManyToMany:
			if i != len(names)-1 || a.Target == nil {
				return RowPath{}, false
			}
			out.Path = append(out.Path, name)
			out.Target, out.Many = a.Target, true
		case project.AttrUnknown:
			p := m.ModelMethod(out.Target, name)
			if p == nil || !p.Property || depth > 3 {
				return RowPath{}, false
			}
			rp, ok := m.returnedRow(p, out.Target, depth+1)
			if !ok || rp.Many && i != len(names)-1 {
				return RowPath{}, false
			}
			out.Path = append(out.Path, rp.Path...)
			out.Target, out.Many = rp.Target, rp.Many
		default:
			return RowPath{}, false
		}
	}
	return out, true
}

// rebound reports whether name is bound in body anywhere but by loop.
func rebound(body pyast.Node, name string, loop pyast.Node) bool {
	for _, n := range ownNodes(body, "assignment", "augmented_assignment", "for_statement", "for_in_clause", "named_expression") {
		if n.Equal(loop) {
			continue
		}
		left := n.ChildByField("left")
		if n.Type() == "named_expression" {
			left = n.ChildByField("name")
		}
		for _, id := range pyast.Identifiers(left) {
			if id == name {
				return true
			}
		}
	}
	return false
}

// SavedAfter reports `row.save(...)` in def after position pos: the row a
// handler changed is written back (TXN009, IDM007).
func SavedAfter(def pyast.Node, row string, pos int) bool {
	for call := range pyast.FindEach(def, "call") {
		if call.StartByte() < pos {
			continue
		}
		if c, ok := pyast.AsCall(call); ok && c.Func.Type() == "attribute" && c.MethodName() == "save" && c.Receiver().Text() == row {
			return true
		}
	}
	return false
}

// managerAccess is the access of a related manager queried at the end of
// u's chain (path ends with its name): at u's call when there is one;
// false when the methods called on it run no query.
func managerAccess(f *File, u *Use, node pyast.Node, path []string) (Access, bool) {
	kind, ok := managerKind(u.Methods)
	if !ok {
		return Access{}, false
	}
	at := node
	if !u.Call.IsNil() {
		at = u.Call
	}
	return Access{Kind: kind, Path: strings.Join(path, "__"), Methods: u.Methods, Node: at, File: f, Conditional: conditional(at)}, true
}
