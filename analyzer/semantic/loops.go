package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// LoopKind says how a loop was written.
type LoopKind uint8

// Loop kinds. All but For are implicit loops.
const (
	For           LoopKind = iota // a for statement
	Comprehension                 // list, set, dict comprehension or generator expression
	KeyFunc                       // map/sorted/min/max/groupby/filter with a lambda run per item
)

// Loop is a for statement, a comprehension clause, or a call that runs a
// lambda once per item (map, sorted/min/max/groupby with key=, filter).
type Loop struct {
	Kind LoopKind
	Node pyast.Node // for_statement, for_in_clause, or the call
	Var  pyast.Node // the identifier bound per row
	Iter pyast.Node // the iterable expression
	// QS is the queryset the loop runs over, nil when unknown. It is set
	// once the model is settled (see File.Loops).
	QS *QS
	// Body are the nodes that run once per row.
	Body []pyast.Node
	f    *File
	done bool
}

// File returns the file the loop is in.
func (l *Loop) File() *File { return l.f }

// rowVar returns the identifier bound to each row by a loop target: `x`,
// or the second name of `i, x` over enumerate(...).
func rowVar(target, iter pyast.Node) (pyast.Node, pyast.Node) {
	target = pyast.Unparen(target)
	if target.Type() == "identifier" {
		return target, iter
	}
	if c, ok := pyast.AsCall(iter); ok && c.Func.Type() == "identifier" && c.Func.Text() == "enumerate" && len(c.Positional) > 0 {
		if target.Is("pattern_list", "tuple_pattern", "tuple") {
			kids := target.NamedChildren()
			if len(kids) == 2 && kids[1].Type() == "identifier" {
				return kids[1], c.Positional[0]
			}
		}
	}
	return pyast.Node{}, pyast.Node{}
}

// keyFuncs run their lambda once per item of their first argument.
var keyFuncs = map[string]bool{"map": true, "sorted": true, "min": true, "max": true, "filter": true, "groupby": true}

// ensureLoops finds the file's loops (syntax only), once.
func (f *File) ensureLoops() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loopBy != nil {
		return
	}
	f.loopBy = map[int32]*Loop{}
	for n := range pyast.FindEach(f.Unit.Tree.Root(), "for_statement", "call", "for_in_clause") {
		var l *Loop
		switch n.Type() {
		case "for_statement":
			v, it := rowVar(n.ChildByField("left"), n.ChildByField("right"))
			l = &Loop{Kind: For, Node: n, Var: v, Iter: it, Body: []pyast.Node{n.ChildByField("body")}, f: f}
			if it.IsNil() {
				l.Iter = n.ChildByField("right")
			}
		case "call":
			l = keyFuncLoop(f, n)
		case "for_in_clause":
			v, it := rowVar(n.ChildByField("left"), n.ChildByField("right"))
			l = &Loop{Kind: Comprehension, Node: n, Var: v, Iter: it, f: f}
			if it.IsNil() {
				l.Iter = n.ChildByField("right")
			}
			comp := n.Parent()
			l.Body = append(l.Body, comp.ChildByField("body"))
			after := false
			for c := range comp.Named() {
				if c.Equal(n) {
					after = true
					continue
				}
				if after && c.Is("for_in_clause", "if_clause") {
					l.Body = append(l.Body, c)
				}
			}
		}
		if l != nil {
			f.loops = append(f.loops, l)
			f.loopBy[n.ID()] = l
		}
	}
}

// keyFuncLoop recognises `map(lambda r: ..., rows)`, `sorted(rows,
// key=lambda r: ...)`, `max/min(rows, key=...)`, `groupby(rows, key=...)`
// and `filter(lambda r: ..., rows)`.
func keyFuncLoop(f *File, n pyast.Node) *Loop {
	fn := n.ChildByField("function")
	name := ""
	switch fn.Type() {
	case "identifier":
		name = string(fn.Bytes())
	case "attribute":
		if pyast.Dotted(fn) == "itertools.groupby" {
			name = "groupby"
		}
	}
	if !keyFuncs[name] {
		return nil
	}
	c, _ := pyast.AsCall(n)
	var lam, iter pyast.Node
	switch name {
	case "map", "filter":
		if len(c.Positional) != 2 {
			return nil
		}
		lam, iter = c.Positional[0], c.Positional[1]
	default:
		if len(c.Positional) < 1 {
			return nil
		}
		lam, iter = c.Keyword("key"), c.Positional[0]
		if name == "groupby" && lam.IsNil() && len(c.Positional) == 2 {
			lam = c.Positional[1]
		}
	}
	if lam.Type() != "lambda" {
		return nil
	}
	params := lam.ChildByField("parameters").NamedChildren()
	if len(params) != 1 || params[0].Type() != "identifier" {
		return nil
	}
	return &Loop{Kind: KeyFunc, Node: n, Var: params[0], Iter: iter, Body: []pyast.Node{lam.ChildByField("body")}, f: f}
}

// Loops returns every loop of the file, outer loops first, with the
// queryset each runs over (once the model is settled).
func (f *File) Loops() []*Loop {
	f.ensureLoops()
	for _, l := range f.loops {
		f.loopQS(l)
	}
	return f.loops
}

// loopQS returns the queryset of a loop's iterable; cached once the model
// is settled, evaluated afresh while it is being settled.
func (f *File) loopQS(l *Loop) *QS { return f.loopQSAt(l, ctx{}) }

// loopQSAt is loopQS reached while evaluating st's loops' iterables. A loop
// met again on that path (its iterable depends on its own rows, as in a
// recursive walk over children) has no queryset there. Only an answer
// evaluated from the top is cached, so the cache does not depend on
// which path came first.
func (f *File) loopQSAt(l *Loop, st ctx) *QS {
	if l.Var.IsNil() {
		return nil
	}
	f.mu.Lock()
	if l.done {
		q := l.QS
		f.mu.Unlock()
		return q
	}
	f.mu.Unlock()
	if st.evaluating(l) {
		return nil
	}
	q := f.eval(l.Iter, ctx{loops: &loopStack{l: l, up: st.loops}, deps: st.deps})
	if q != nil {
		q = f.addPrefetchObjects(l, q)
	}
	if !f.M.frozen || st.loops != nil {
		return q
	}
	if q == nil && !l.Bounded() {
		q = f.shapeQS(l)
	}
	f.mu.Lock()
	if !l.done {
		l.QS, l.done = q, true
	}
	q = l.QS
	f.mu.Unlock()
	return q
}

// LoopByNode returns the loop a for_statement, for_in_clause or key-func
// call node starts.
func (f *File) LoopByNode(n pyast.Node) *Loop {
	f.ensureLoops()
	l := f.loopBy[n.ID()]
	if l != nil {
		f.loopQS(l)
	}
	return l
}

// addPrefetchObjects adds the lookups of `prefetch_related_objects(rows,
// "a", ...)` called on the loop's iterable name before the loop.
func (f *File) addPrefetchObjects(l *Loop, q *QS) *QS {
	it := pyast.Unparen(l.Iter)
	if it.Type() != "identifier" {
		return q
	}
	for call := range pyast.FindEachShallow(ScopeOf(l.Node), "call") {
		c, _ := pyast.AsCall(call)
		name := pyast.Dotted(c.Func)
		if !strings.HasSuffix(name, "prefetch_related_objects") || len(c.Positional) < 2 || call.StartByte() > l.Node.StartByte() {
			continue
		}
		if first := pyast.Unparen(c.Positional[0]); first.Type() != "identifier" || first.Text() != it.Text() {
			continue
		}
		q = q.clone()
		for _, a := range c.Positional[1:] {
			if s, ok := pyast.StringValue(a); ok {
				q.Prefetch = append(q.Prefetch, s)
			} else {
				q.Opaque = true
			}
		}
	}
	return q
}

// LoopOf returns the loop whose row variable identifier n refers to, when
// n sits in that loop's body.
func (f *File) LoopOf(n pyast.Node) *Loop {
	f.ensureLoops()
	name := n.Text()
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition", "class_definition":
			return nil
		case "lambda":
			// A key-func lambda: its parameter is the row.
			call := p.Parent()
			if call.Type() == "keyword_argument" {
				call = call.Parent()
			}
			if call.Type() == "argument_list" {
				call = call.Parent()
			}
			if l := f.loopBy[call.ID()]; l != nil && l.Kind == KeyFunc && l.Var.Text() == name {
				return l
			}
			return nil
		case "for_statement":
			l := f.loopBy[p.ID()]
			if l != nil && !l.Var.IsNil() && l.Var.Text() == name && pyast.Body(p).Contains(n) {
				return l
			}
		case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
			for c := range p.Named() {
				if c.Type() != "for_in_clause" {
					continue
				}
				l := f.loopBy[c.ID()]
				if l == nil || l.Var.IsNil() || l.Var.Text() != name {
					continue
				}
				for _, b := range l.Body {
					if b.Contains(n) {
						return l
					}
				}
			}
		}
	}
	return nil
}

// Walk visits, in pre-order, the nodes that run once per row, without
// entering nested function, class or lambda definitions (a key-func
// loop's own lambda body is walked).
func (l *Loop) Walk(fn func(pyast.Node) bool) {
	for _, b := range l.Body {
		pyast.Inspect(b, func(n pyast.Node) bool {
			if n.Is("function_definition", "class_definition", "lambda") {
				return false
			}
			return fn(n)
		})
	}
}

// Once reports a for loop whose body ends every iteration with return,
// break or raise at its top level: it runs at most once.
func (l *Loop) Once() bool {
	if l.Node.Type() != "for_statement" {
		return false
	}
	for st := range pyast.EachStatement(pyast.Body(l.Node)) {
		if st.Is("return_statement", "break_statement", "raise_statement") {
			return true
		}
	}
	return false
}

// LeavesAfter reports whether every path through n leaves the loop right
// after it: a block around n (inside the loop) has a return or raise, or a
// break of this loop, at its top level after the statement holding n.
func (l *Loop) LeavesAfter(n pyast.Node) bool {
	if l.Node.Type() != "for_statement" && l.Node.Type() != "while_statement" {
		return false
	}
	inner := false // a nested loop between n and l: its break is not ours
	for c := n; !c.IsNil() && !c.Equal(l.Node); c = c.Parent() {
		p := c.Parent()
		if p.IsNil() {
			return false
		}
		if p.Is("for_statement", "while_statement") && !p.Equal(l.Node) {
			inner = true
		}
		if p.Is("function_definition", "class_definition", "lambda") {
			return false
		}
		if p.Type() != "block" {
			continue
		}
		after := false
		for st := range pyast.EachStatement(p) {
			if st.Equal(c) {
				after = true
				continue
			}
			if !after {
				continue
			}
			if st.Is("return_statement", "raise_statement") || st.Type() == "break_statement" && !inner {
				return true
			}
		}
	}
	return false
}

// InBody reports whether n runs once per row of l.
func (l *Loop) InBody(n pyast.Node) bool {
	for _, b := range l.Body {
		if b.Contains(n) {
			return true
		}
	}
	return false
}

// Bounded reports whether the loop runs over a literal collection, range(),
// a module constant, settings, an enum class or a name bound to a literal:
// a handful of rows, not a table.
func (l *Loop) Bounded() bool { return boundedIter(l.Iter, l.f, 0) }

func boundedIter(it pyast.Node, f *File, depth int) bool {
	it = pyast.Unparen(it)
	if depth > 5 {
		return false
	}
	if it.Is("list", "tuple", "set", "dictionary", "string", "concatenated_string") {
		return true
	}
	if it.Is("list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension") {
		// `[k for k, _ in Kind.choices if ...]`: as long as what its
		// clauses walk, when they all walk bounded things.
		clauses := 0
		for _, ch := range it.NamedChildren() {
			if ch.Type() != "for_in_clause" {
				continue
			}
			clauses++
			if !boundedIter(ch.ChildByField("right"), f, depth+1) {
				return false
			}
		}
		return clauses > 0
	}
	if c, ok := pyast.AsCall(it); ok {
		switch {
		case c.Func.Type() == "identifier" && c.Func.Text() == "range":
			// range(len(rows)) walks rows by index: as long as rows.
			for _, a := range c.Positional {
				if lc, ok := pyast.AsCall(pyast.Unparen(a)); ok && lc.Func.Type() == "identifier" && lc.Func.Text() == "len" && len(lc.Positional) == 1 {
					return boundedIter(lc.Positional[0], f, depth+1)
				}
			}
			return true
		case c.Func.Type() == "identifier" && len(c.Positional) > 0:
			switch c.Func.Text() {
			case "sorted", "list", "reversed", "enumerate", "tuple", "set", "zip":
				return boundedIter(c.Positional[0], f, depth+1)
			}
		case c.MethodName() == "keys" || c.MethodName() == "values" || c.MethodName() == "items":
			return boundedIter(c.Receiver(), f, depth+1)
		}
		return false
	}
	d := pyast.Dotted(it)
	if d == "" {
		return false
	}
	if strings.HasPrefix(d, "settings.") {
		return true
	}
	last := d[strings.LastIndex(d, ".")+1:]
	if last == "choices" && strings.Contains(d, ".") {
		// `Status.choices` of Django's TextChoices / IntegerChoices: the
		// members of a class, a constant list.
		owner := strings.TrimSuffix(d, ".choices")
		owner = owner[strings.LastIndex(owner, ".")+1:]
		if owner != "" && owner[0] >= 'A' && owner[0] <= 'Z' {
			return true
		}
	}
	if last != "" && strings.ToUpper(last) == last && strings.ToLower(last) != last {
		return true // a module constant
	}
	if last != "" && last[0] >= 'A' && last[0] <= 'Z' {
		return true // iterating a class: an enum
	}
	if it.Type() == "identifier" && f != nil {
		if rhs := f.Binding(it, it.Text(), it.StartByte()); !rhs.IsNil() {
			if pyast.Unparen(rhs).Is("list", "set", "dictionary") && filledInLoop(f, it, rhs, depth) {
				return false
			}
			return boundedIter(rhs, f, depth+1)
		}
	}
	return false
}

// filledInLoop reports a name bound to a literal collection (`rows = []`)
// that a loop over something unbounded fills before use (it, the use):
// `rows.append(...)`, `rows.extend(...)`, `rows.add(...)`, `rows[k] = v`
// or `rows += ...` in the body of such a loop, between the binding and
// the use, in the same scope. The collection then holds a row per row of
// that loop, not a handful of literal items.
func filledInLoop(f *File, use, rhs pyast.Node, depth int) bool {
	name := use.Text()
	scope := ScopeOf(use)
	filled := false
	pyast.Inspect(scope, func(n pyast.Node) bool {
		if filled {
			return false
		}
		if !n.Equal(scope) && n.Is("function_definition", "class_definition", "lambda") {
			return false
		}
		if n.StartByte() >= use.StartByte() || n.EndByte() <= rhs.EndByte() {
			return false // before the binding or after the use
		}
		if n.StartByte() < rhs.EndByte() {
			return true // holds the binding: read what follows it
		}
		var target pyast.Node
		switch n.Type() {
		case "call":
			fn := n.ChildByField("function")
			if fn.Type() == "attribute" {
				switch fn.ChildByField("attribute").Text() {
				case "append", "extend", "add", "insert", "update", "setdefault":
					target = pyast.Unparen(fn.ChildByField("object"))
				}
			}
		case "assignment":
			if l := n.ChildByField("left"); l.Type() == "subscript" {
				target = pyast.Unparen(l.ChildByField("value"))
			}
		case "augmented_assignment":
			target = pyast.Unparen(n.ChildByField("left"))
		}
		if target.Type() != "identifier" || target.Text() != name {
			return true
		}
		for p := n.Parent(); !p.IsNil() && !p.Equal(scope); p = p.Parent() {
			var iter pyast.Node
			switch p.Type() {
			case "for_statement":
				if p.ChildByField("body").Contains(n) {
					iter = p.ChildByField("right")
				}
			case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
				for c := range p.Named() {
					if c.Type() == "for_in_clause" {
						iter = c.ChildByField("right")
						break
					}
				}
			}
			if !iter.IsNil() && !boundedIter(iter, f, depth+1) {
				filled = true
				return false
			}
		}
		return true
	})
	return filled
}

// shapeQS guesses the model of a loop's rows from what the body reads on
// them, when nothing else tells (`for c in self.comments`, filled
// elsewhere): the one model of the graph that has every attribute the
// body reads first on the row, at least two of them, one a relation (a
// method called on the row may come from a base outside the tree when the
// model has one). The
// guess has Certainty FromShape (findings on it are low confidence), and
// nothing is known of what the rows loaded (Opaque).
func (f *File) shapeQS(l *Loop) *QS {
	g := f.M.Graph
	if g == nil || l.Var.IsNil() {
		return nil
	}
	if !f.shapeIterable(l.Iter, 0) {
		return nil
	}
	// The attributes read on the row variable (no evaluation here: this
	// runs while the loop's own queryset is being worked out).
	names := map[string]bool{} // name -> every read calls it
	v := l.Var.Text()
	mixed := false
	l.Walk(func(n pyast.Node) bool {
		if string(pyast.CalleeName(n)) == "isinstance" {
			if c, _ := pyast.AsCall(n); c.Func.Type() == "identifier" && c.Arg(0, "").Type() == "identifier" && c.Arg(0, "").Text() == v {
				mixed = true // rows of several kinds: no single model
			}
		}
		if n.Type() == "attribute" {
			if o := n.ChildByField("object"); o.Type() == "identifier" && o.Text() == v {
				name := n.ChildByField("attribute").Text()
				p := n.Parent()
				called := p.Type() == "call" && p.ChildByField("function").Equal(n)
				if prev, ok := names[name]; ok {
					called = called && prev
				}
				names[name] = called
			}
		}
		return true
	})
	if len(names) < 2 || mixed {
		return nil
	}
	var found *project.Model
	for _, m := range g.All {
		if !nameAgrees(v, m.Name) && !nameAgrees(plural(iterName(l.Iter)), m.Name) {
			continue
		}
		if m.Abstract || m.External {
			continue
		}
		relation, all := false, true
		for name, called := range names {
			a := m.Attr(name)
			switch a.Kind {
			case project.AttrForward, project.AttrReverseOne, project.AttrReverseMany, project.AttrManyToMany:
				relation = true
			case project.AttrColumn:
			default:
				// A method the project defines; on a model with a base
				// outside the tree, a method that base may define (a
				// call, never a plain attribute, which could be a field).
				if f.M.ModelMethod(m, name) == nil && (m.Complete || !called) {
					all = false
				}
			}
		}
		if !all || !relation {
			continue
		}
		if found != nil {
			return nil // two models fit: no guess
		}
		found = m
	}
	if found == nil {
		return nil
	}
	return &QS{Model: found, ModelText: found.Name, Opaque: true, Certainty: FromShape}
}

// shapeIterable reports whether a loop's iterable may be guessed from its
// rows' shape: a parameter, an attribute (`self.comments`), a subscript,
// or a name bound only to those. A call, a literal or a comprehension
// made the rows somewhere the guess cannot see (a select_related on an
// unevaluated chain, a filtered list), so no guess is made.
func (f *File) shapeIterable(it pyast.Node, depth int) bool {
	it = pyast.Unparen(it)
	switch it.Type() {
	case "attribute", "subscript":
		return true
	case "identifier":
		if depth > 3 {
			return false
		}
		for _, b := range f.Bindings(it, it.Text()) {
			if !f.shapeIterable(b, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// nameAgrees reports whether a row variable is named for a model: the
// variable, without underscores, is the model's name or ends it
// (`line` for OrderLine, `page_url` for PageUrl), or the model's name
// ends the variable (`new_order` for Order). One- and two-letter names
// say nothing.
func nameAgrees(v, model string) bool {
	v = strings.ToLower(strings.ReplaceAll(v, "_", ""))
	m := strings.ToLower(model)
	if len(v) < 3 {
		return false
	}
	return strings.HasSuffix(m, v) || strings.HasSuffix(v, m)
}

// iterName returns the last name of an iterable: `checks` of
// `self.checks`, `rows` of `rows`.
func iterName(it pyast.Node) string {
	it = pyast.Unparen(it)
	switch it.Type() {
	case "attribute":
		return it.ChildByField("attribute").Text()
	case "identifier":
		return it.Text()
	}
	return ""
}

// plural strips an English plural ending: `checks` is `check`,
// `addresses` is `address`, `categories` is `category`; a name without
// one is not a collection's and gives "".
func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"):
		return strings.TrimSuffix(s, "es")
	case strings.HasSuffix(s, "ss"):
		return ""
	case strings.HasSuffix(s, "s"):
		return strings.TrimSuffix(s, "s")
	}
	return ""
}

// RowCallback is a loop of a function that calls one of the function's
// own parameters with each row: `for model in page: function(model)`,
// where the rows come from another parameter (`page` built from
// `models`). What runs per row is what each caller passes as the
// callable.
type RowCallback struct {
	Loop *Loop
	Call pyast.Node // function(model)
	Rows int        // the parameter the loop's rows come from
	Fn   int        // the parameter called
	Arg  int        // the row's position among Call's arguments
}

// RowCallbacks returns the function's row callbacks, read once.
func (fn *Func) RowCallbacks() []RowCallback {
	fn.callbacksOnce.Do(func() { fn.callbacks = fn.File.rowCallbacks(fn) })
	return fn.callbacks
}

func (f *File) rowCallbacks(fn *Func) []RowCallback {
	if len(fn.Params) < 2 {
		return nil
	}
	var out []RowCallback
	for _, l := range f.Loops() {
		if l.Kind != For || l.Var.IsNil() || f.EnclosingFunc(l.Node) != fn {
			continue
		}
		rows := f.rootParam(fn, l.Iter, 0)
		if rows < 0 {
			continue
		}
		for _, b := range l.Body {
			for _, call := range ownNodes(b, "call") {
				callee := call.ChildByField("function")
				if callee.Type() != "identifier" {
					continue
				}
				p := indexOf(fn.Params, callee.Text())
				if p < 0 || p == rows || rebound(pyast.Body(fn.Node), callee.Text(), pyast.Node{}) {
					continue
				}
				for i, a := range call.ChildByField("arguments").NamedChildren() {
					if a.Type() == "keyword_argument" {
						break
					}
					if a.Type() == "identifier" && a.Text() == l.Var.Text() {
						out = append(out, RowCallback{Loop: l, Call: call, Rows: rows, Fn: p, Arg: i})
						break
					}
				}
			}
		}
	}
	return out
}

// rootParam follows an expression back through local bindings, queryset
// methods and slices to the parameter of fn it is built from, or -1.
func (f *File) rootParam(fn *Func, n pyast.Node, depth int) int {
	for ; depth < 16; depth++ {
		n = pyast.Unparen(n)
		switch n.Type() {
		case "subscript":
			n = n.ChildByField("value")
		case "call":
			c, _ := pyast.AsCall(n)
			if c.Func.Type() != "attribute" || !ChainMethods[c.MethodName()] {
				return -1
			}
			n = c.Receiver()
		case "identifier":
			if rhs := f.Binding(n, n.Text(), n.StartByte()); !rhs.IsNil() {
				n = rhs
				continue
			}
			if p, i := f.paramOf(n, n.Text()); p == fn {
				return i
			}
			return -1
		default:
			return -1
		}
	}
	return -1
}
