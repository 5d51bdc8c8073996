package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Summary is what a function does with its parameters, read from its
// text once: the attribute chains it reads on each, the methods it calls
// on them, where it passes them, and the queries they feed. It says
// nothing of models: a use is interpreted against the model a caller
// passes (see Model.RowAccesses), so one summary serves every caller.
type Summary struct {
	// Params are the uses of each parameter, by index.
	Params [][]*Use
}

// Use is one use of a parameter (or of a name bound to part of it).
type Use struct {
	// Chain are the attribute names read from the parameter, in order;
	// Nodes the attribute node of each ("p.a" then "p.a.b").
	Chain []string
	Nodes []pyast.Node
	// Methods are the methods called one after the other on the chain
	// (`p.items.filter(...).count()` is Chain [items], Methods [filter,
	// count]); Call is the outermost of those calls. Empty for a read.
	Methods []string
	Call    pyast.Node
	// PassedTo is a call that receives the chain's value as argument Arg
	// (positional index) or Keyword.
	PassedTo pyast.Node
	Arg      int
	Keyword  string
	// Iter holds the uses of the loop variable when the chain (with its
	// methods) is iterated: `for line in order.lines.all(): line.product`.
	Iter []*Use
	// QueryArg: the chain's value is an argument of a query this function
	// runs (`Score.objects.filter(day=p).count()`); Call is that query.
	// Bound: the query's chain was built in a local first (`rows =
	// Score.objects.filter(day=p)`, then `rows.count()`).
	QueryArg bool
	Bound    bool
}

// Summary returns the function's summary, read on first need: most
// functions are never asked about.
func (fn *Func) Summary() *Summary {
	fn.summaryOnce.Do(func() { fn.summary = fn.File.summarize(fn) })
	return fn.summary
}

// alias is a local name bound to part of a parameter.
type alias struct {
	param int
	chain []string
	nodes []pyast.Node
	// iter points at the Use whose Iter the name's uses join (a loop
	// variable over the parameter's chain).
	iter *Use
}

// summarize reads a function's uses of its parameters.
func (f *File) summarize(fn *Func) *Summary {
	roots := map[string]int{}
	for i, p := range fn.Params {
		roots[p] = i
	}
	return &Summary{Params: f.extractUses([]pyast.Node{pyast.Body(fn.Node)}, roots, len(fn.Params))}
}

// LoopUses returns the uses of a loop's row variable in the loop's body:
// the same reading as a function summary, so that what the body does
// with the row through calls can be interpreted like a parameter.
func (f *File) LoopUses(l *Loop) []*Use {
	if l.Var.IsNil() {
		return nil
	}
	return f.extractUses(l.Body, map[string]int{l.Var.Text(): 0}, 1)[0]
}

// extractUses reads, in bodies, the uses of the root names (by index).
func (f *File) extractUses(bodies []pyast.Node, roots map[string]int, n int) [][]*Use {
	params := make([][]*Use, n)
	if n == 0 {
		return params
	}
	names := map[string]*alias{}
	for name, i := range roots {
		names[name] = &alias{param: i}
	}
	// Local names bound once to a chain of a parameter: `m = p.merchant`.
	assigned := map[string]int{}
	var binders []pyast.Node
	for _, body := range bodies {
		binders = append(binders, ownNodes(body, "assignment", "augmented_assignment", "for_statement", "for_in_clause")...)
	}
	for _, n := range binders {
		for _, id := range pyast.Identifiers(n.ChildByField("left")) {
			assigned[id]++
		}
	}
	for p := range names {
		if assigned[p] > 0 {
			delete(names, p) // a rebound parameter: its uses are not the argument's
		}
	}
	record := func(a *alias, u *Use) {
		if a.iter != nil {
			a.iter.Iter = append(a.iter.Iter, u)
			return
		}
		u.Chain = append(append([]string(nil), a.chain...), u.Chain...)
		u.Nodes = append(append([]pyast.Node(nil), a.nodes...), u.Nodes...)
		params[a.param] = append(params[a.param], u)
	}
	iterated := map[int32]bool{} // loop iterables already recorded with their variable
	for _, n := range binders {
		switch n.Type() {
		case "assignment":
			left, right := n.ChildByField("left"), pyast.Unparen(n.ChildByField("right"))
			if left.Type() != "identifier" || assigned[left.Text()] != 1 {
				continue
			}
			if a, chain, nodes, ok := chainOf(right, names); ok && a.iter == nil {
				names[left.Text()] = &alias{param: a.param, chain: append(append([]string(nil), a.chain...), chain...),
					nodes: append(append([]pyast.Node(nil), a.nodes...), nodes...)}
			}
		case "for_statement", "for_in_clause":
			v := n.ChildByField("left")
			if v.Type() != "identifier" || assigned[v.Text()] != 1 {
				continue
			}
			it := pyast.Unparen(n.ChildByField("right"))
			head := it
			var methods []string
			for {
				c, ok := pyast.AsCall(head)
				if !ok || c.Func.Type() != "attribute" {
					break
				}
				methods = append([]string{c.MethodName()}, methods...)
				head = pyast.Unparen(c.Receiver())
			}
			a, chain, nodes, ok := chainOf(head, names)
			if !ok || len(chain) == 0 && len(a.chain) == 0 {
				continue
			}
			if a.iter != nil {
				continue // two levels of loops: not followed
			}
			u := &Use{Chain: chain, Nodes: nodes, Methods: methods, Call: it}
			if len(methods) == 0 {
				u.Methods = []string{"__iter__"}
			}
			record(a, u)
			iterated[it.ID()] = true
			names[v.Text()] = &alias{param: a.param, iter: u}
		}
	}
	// Attribute chains, method calls and arguments.
	var uses []pyast.Node
	for _, body := range bodies {
		uses = append(uses, ownNodes(body, "identifier", "call")...)
	}
	for _, n := range uses {
		if n.Type() == "call" {
			f.queryArgs(n, names, record)
			continue
		}
		a := names[string(n.Bytes())]
		if a == nil || n.Field() == "attribute" || n.Field() == "name" && n.Parent().Type() == "keyword_argument" {
			continue
		}
		if p := n.Parent(); p.Is("for_statement", "for_in_clause") && p.ChildByField("left").Equal(n) ||
			p.Type() == "assignment" && p.ChildByField("left").Equal(n) || p.Type() == "parameters" {
			continue
		}
		u := &Use{}
		top := n
		for p := top.Parent(); p.Type() == "attribute" && p.ChildByField("object").Equal(top); p = top.Parent() {
			u.Chain = append(u.Chain, p.ChildByField("attribute").Text())
			u.Nodes = append(u.Nodes, p)
			top = p
		}
		// Methods called on the chain: `p.items.filter(...).count()`.
		for len(u.Chain) > 0 {
			call := top.Parent()
			if call.Type() != "call" || !call.ChildByField("function").Equal(top) {
				break
			}
			if len(u.Methods) == 0 {
				u.Methods = []string{u.Chain[len(u.Chain)-1]}
				u.Chain, u.Nodes = u.Chain[:len(u.Chain)-1], u.Nodes[:len(u.Nodes)-1]
			}
			u.Call = call
			top = call
			nx := top.Parent()
			if nx.Type() != "attribute" || !nx.ChildByField("object").Equal(top) {
				break
			}
			if cc := nx.Parent(); cc.Type() != "call" || !cc.ChildByField("function").Equal(nx) {
				break
			}
			u.Methods = append(u.Methods, nx.ChildByField("attribute").Text())
			top = nx
		}
		if iterated[top.ID()] {
			continue
		}
		// Passed to a call as an argument.
		arg := top
		if arg.Parent().Type() == "keyword_argument" {
			u.Keyword = arg.Parent().ChildByField("name").Text()
			arg = arg.Parent()
		}
		if al := arg.Parent(); al.Type() == "argument_list" {
			u.PassedTo = al.Parent()
			u.Arg = -1
			if u.Keyword == "" {
				i := 0
				for k := range al.Named() {
					if k.Equal(arg) {
						u.Arg = i
						break
					}
					if k.Type() != "keyword_argument" {
						i++
					}
				}
			}
		}
		// Shown as text: str(x), escape(x), f"{x}" call the row's __str__.
		if len(u.Methods) == 0 && (top.Parent().Type() == "interpolation" || textCall(u.PassedTo) && u.Arg == 0) {
			u.Methods = []string{"__str__"}
			if !u.PassedTo.IsNil() {
				u.Call = u.PassedTo
			} else {
				u.Call = top
			}
			u.PassedTo = pyast.Node{}
		}
		if u.PassedTo.IsNil() && len(u.Chain) == 0 && len(u.Methods) == 0 {
			continue // a bare use (returned, compared...): nothing to follow
		}
		record(a, u)
	}
	return params
}

// textFuncs render their first argument with str().
var textFuncs = map[string]bool{"str": true, "escape": true, "conditional_escape": true, "force_str": true,
	"smart_str": true, "force_text": true, "smart_text": true, "format_html": false}

// textCall reports a call that renders its argument as text.
func textCall(call pyast.Node) bool {
	if call.IsNil() {
		return false
	}
	fn := call.ChildByField("function")
	name := pyast.Dotted(fn)
	return textFuncs[name[strings.LastIndex(name, ".")+1:]]
}

// chainOf reads `name.a.b` where name is a known alias; ok is false for
// anything else.
func chainOf(n pyast.Node, names map[string]*alias) (*alias, []string, []pyast.Node, bool) {
	var chain []string
	var nodes []pyast.Node
	cur := n
	for cur.Type() == "attribute" {
		chain = append([]string{cur.ChildByField("attribute").Text()}, chain...)
		nodes = append([]pyast.Node{cur}, nodes...)
		cur = cur.ChildByField("object")
	}
	if cur.Type() != "identifier" {
		return nil, nil, nil, false
	}
	a := names[cur.Text()]
	if a == nil {
		return nil, nil, nil, false
	}
	return a, chain, nodes, true
}

// ownNodes returns the nodes of the given types in a function body that
// run when the function runs: those inside nested function and class
// definitions are left out (lambdas are kept: they mostly run right there,
// as sort keys or callbacks).
func ownNodes(body pyast.Node, types ...string) []pyast.Node {
	cands := pyast.FindAll(body, types...)
	if len(cands) == 0 {
		return nil
	}
	defs := pyast.FindAll(body, "function_definition", "class_definition")
	if len(defs) == 0 {
		return cands
	}
	out := cands[:0]
	k, skipEnd := 0, -1
	for _, c := range cands {
		for ; k < len(defs) && defs[k].StartByte() <= c.StartByte(); k++ {
			skipEnd = max(skipEnd, defs[k].EndByte())
		}
		if c.StartByte() < skipEnd {
			continue
		}
		out = append(out, c)
	}
	return out
}

// queryArgs records the parameters (or their chains) that feed the
// arguments of a query the call runs: `Score.objects.filter(day=p).count()`
// runs one query per call, for each p a caller passes.
func (f *File) queryArgs(call pyast.Node, names map[string]*alias, record func(*alias, *Use)) {
	fn := call.ChildByField("function")
	if fn.Type() != "attribute" {
		return
	}
	mb := fn.ChildByField("attribute").Bytes()
	method := string(mb)
	boundIter := false
	if !RowMethods[method] && !ExecMethods[method] {
		if !ChainMethods[method] {
			return
		}
		if !iterated(call) {
			// `rows = X.objects.filter(site=p)`, then `for r in rows`:
			// the local's iteration runs it (as for a chain run through a
			// local, Bound).
			if !iteratedLocal(call) {
				return
			}
			boundIter = true
		}
		method = "__iter__" // a queryset iterated right here
	}
	if !maybeQuery(fn.ChildByField("object")) {
		return
	}
	q := f.Eval(fn.ChildByField("object"))
	if q == nil || q.Model == nil || q.Related {
		return
	}
	seen := map[*alias]bool{}
	hops := 0
	for cur := call; !cur.IsNil(); {
		cur = pyast.Unparen(cur)
		switch cur.Type() {
		case "identifier":
			// A local bound to the query's chain (`rows =
			// X.objects.filter(owner=p)`, then `rows.count()`): the
			// arguments of that chain feed this query too, unless it
			// filters with `__in` (a query per batch of keys).
			hops++
			if names[cur.Text()] != nil || hops > 4 {
				cur = pyast.Node{}
				continue
			}
			cur = f.Binding(cur, cur.Text(), cur.StartByte())
			if Batched(cur) {
				return
			}
		case "call":
			pyast.Inspect(cur.ChildByField("arguments"), func(m pyast.Node) bool {
				if m.Type() == "lambda" {
					return false
				}
				if m.Type() != "identifier" || m.Field() == "attribute" || m.Field() == "name" && m.Parent().Type() == "keyword_argument" {
					return true
				}
				if a := names[m.Text()]; a != nil && a.iter == nil && !seen[a] {
					seen[a] = true
					record(a, &Use{QueryArg: true, Bound: hops > 0 || boundIter, Call: call, Methods: []string{method}})
				}
				return true
			})
			cur = cur.ChildByField("function")
		case "attribute":
			cur = cur.ChildByField("object")
		default:
			cur = pyast.Node{}
		}
	}
}

// maybeQuery is a cheap syntactic test before evaluating a receiver: the
// chain names a manager (`objects`), a queryset attribute, or calls a
// queryset method.
func maybeQuery(n pyast.Node) bool {
	for depth := 0; depth < 12; depth++ {
		n = pyast.Unparen(n)
		switch n.Type() {
		case "call":
			fn := n.ChildByField("function")
			if fn.Type() == "attribute" && ChainMethods[string(fn.ChildByField("attribute").Bytes())] {
				return true
			}
			n = fn
		case "attribute":
			switch string(n.ChildByField("attribute").Bytes()) {
			case "objects", "_default_manager", "_base_manager", "queryset":
				return true
			}
			n = n.ChildByField("object")
		case "identifier":
			return true // a local name may hold a queryset
		default:
			return false
		}
	}
	return false
}

// iterated reports whether an expression is iterated where it stands: the
// iterable of a for loop or comprehension, or the argument of list(),
// tuple(), set(), sorted() or len().
func iterated(n pyast.Node) bool {
	p := n.Parent()
	if p.Is("for_statement", "for_in_clause") && p.ChildByField("right").Equal(n) {
		return true
	}
	if p.Type() == "argument_list" {
		if c, ok := pyast.AsCall(p.Parent()); ok && c.Func.Type() == "identifier" && len(c.Positional) == 1 {
			switch c.Func.Text() {
			case "list", "tuple", "set", "sorted", "len":
				return true
			}
		}
	}
	return false
}

// iteratedLocal reports a chain assigned to a local bound nowhere else in
// its function (`rows = X.objects.filter(site=p)`) that the function then
// iterates (`for r in rows`, `[r.x for r in rows]`, `list(rows)`).
func iteratedLocal(call pyast.Node) bool {
	n := call
	for n.Parent().Type() == "parenthesized_expression" {
		n = n.Parent()
	}
	a := n.Parent()
	if a.Type() != "assignment" || !a.ChildByField("right").Equal(n) {
		return false
	}
	name := a.ChildByField("left")
	fn := pyast.EnclosingFunction(call)
	if name.Type() != "identifier" || fn.IsNil() {
		return false
	}
	binds := 0
	for b := range pyast.FindEachShallow(pyast.Body(fn), "assignment", "augmented_assignment", "for_statement", "for_in_clause", "named_expression") {
		l := b.ChildByField("left")
		if b.Type() == "named_expression" {
			l = b.ChildByField("name")
		}
		pyast.Inspect(l, func(x pyast.Node) bool {
			if x.Type() == "identifier" && x.Text() == name.Text() {
				binds++
			}
			return true
		})
	}
	if binds != 1 {
		return false
	}
	for _, id := range ownNodes(pyast.Body(fn), "identifier") {
		if id.Text() == name.Text() && id.StartByte() > a.EndByte() && iterated(id) {
			return true
		}
	}
	return false
}

// Batched reports whether a chain filters with an `__in` lookup in one
// of its calls: a query per batch of keys, the remedy rather than an N+1.
func Batched(n pyast.Node) bool {
	for cur := pyast.Unparen(n); cur.Type() == "call" || cur.Type() == "attribute"; {
		if c, ok := pyast.AsCall(cur); ok {
			for k := range c.EachKeyword() {
				if strings.HasSuffix(k, "__in") {
					return true
				}
			}
			cur = pyast.Unparen(c.Func)
			continue
		}
		cur = pyast.Unparen(cur.ChildByField("object"))
	}
	return false
}
