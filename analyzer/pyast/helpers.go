package pyast

import (
	"iter"
	"maps"
	"slices"
	"strings"
)

// Inspect walks the named nodes of the subtree at n in pre-order, calling
// f for each. If f returns false the node's children are skipped.
// Anonymous nodes (punctuation, keywords, operators) are tokens without
// children and are not visited: read them with Children or Field on their
// parent. The walk is a scan of the pre-order node array, so depth costs no
// stack and skipping a subtree is a jump.
func Inspect(n Node, f func(Node) bool) {
	if n.IsNil() {
		return
	}
	t := n.t
	end := t.subEnd(n.i)
	for i := n.i; i < end; {
		if t.nodes[i].flags()&flagNamed == 0 && i != n.i {
			i = t.subEnd(i)
			continue
		}
		if f(Node{t: t, i: i}) {
			i++
		} else {
			i = t.subEnd(i)
		}
	}
}

// FindAll returns every node of the given types under n (n included), in
// source order. Unlike Inspect it also finds anonymous nodes: "lambda",
// "await", "yield" and "type" name both a node and a keyword token.
func FindAll(n Node, types ...string) []Node {
	if n.IsNil() {
		return nil
	}
	// Served from the tree's per-type index: the nodes of n's subtree are
	// the indices in [n, subEnd(n)).
	small, large := n.t.types()
	if small != nil {
		return findAll(n, small, types)
	}
	return findAll(n, large, types)
}

func findAll[T nodeIndex](n Node, ix *typeIndex[T], types []string) []Node {
	lo, hi := n.i, n.t.subEnd(n.i)
	var lists [][]T
	total := 0
	for _, typ := range types {
		id, ok := typeIDs[typ]
		if !ok {
			continue
		}
		if !indexedType[id] {
			return scanTypes(n, types)
		}
		if idx := ix.of(id, lo, hi); len(idx) > 0 {
			lists = append(lists, idx)
			total += len(idx)
		}
	}
	if total == 0 {
		return nil
	}
	out := make([]Node, 0, total)
	if len(lists) == 1 {
		for _, i := range lists[0] {
			out = append(out, Node{t: n.t, i: int32(i)})
		}
		return out
	}
	// Merge the sorted lists (type names are distinct, so are the nodes).
	for len(lists) > 0 {
		best := 0
		for k := 1; k < len(lists); k++ {
			if lists[k][0] < lists[best][0] {
				best = k
			}
		}
		out = append(out, Node{t: n.t, i: int32(lists[best][0])})
		if lists[best] = lists[best][1:]; len(lists[best]) == 0 {
			lists = append(lists[:best], lists[best+1:]...)
		}
	}
	return out
}

// FindEach yields the nodes FindAll(n, types...) returns, in the same
// order, without allocating them as a slice: for walks over every node of
// some types (every identifier, every call) that need each node once.
func FindEach(n Node, types ...string) iter.Seq[Node] {
	return func(yield func(Node) bool) { findEach(n, types, yield) }
}

// findEach is FindEach's walk. It is kept out of line, and so are the
// generic functions it calls: inlined into a caller in another package,
// a call to a generic function made the caller's loop body (yield) and
// its state escape to the heap, three allocations per loop.
//
//go:noinline
func findEach(n Node, types []string, yield func(Node) bool) {
	if n.IsNil() {
		return
	}
	for _, typ := range types {
		if id, ok := typeIDs[typ]; ok && !indexedType[id] {
			for _, m := range scanTypes(n, types) {
				if !yield(m) {
					return
				}
			}
			return
		}
	}
	small, large := n.t.types()
	if small != nil {
		eachOf(n, small, types, yield)
	} else {
		eachOf(n, large, types, yield)
	}
}

// eachOf is findAll's merge of the index lists, yielding as it goes.
func eachOf[T nodeIndex](n Node, ix *typeIndex[T], types []string, yield func(Node) bool) {
	lo, hi := n.i, n.t.subEnd(n.i)
	var room [4][]T
	lists := room[:0]
	for _, typ := range types {
		if id, ok := typeIDs[typ]; ok {
			if idx := ix.of(id, lo, hi); len(idx) > 0 {
				lists = append(lists, idx)
			}
		}
	}
	for len(lists) > 0 {
		best := 0
		for k := 1; k < len(lists); k++ {
			if lists[k][0] < lists[best][0] {
				best = k
			}
		}
		if !yield(Node{t: n.t, i: int32(lists[best][0])}) {
			return
		}
		if lists[best] = lists[best][1:]; len(lists[best]) == 0 {
			lists = append(lists[:best], lists[best+1:]...)
		}
	}
}

// scanTypes is FindAll by a scan of n's subtree: for types the index
// leaves out (punctuation, keywords).
func scanTypes(n Node, types []string) []Node {
	want := make([]bool, len(indexedType))
	for _, typ := range types {
		if id, ok := typeIDs[typ]; ok {
			want[id] = true
		}
	}
	var out []Node
	nodes := n.t.nodes
	for i, end := n.i, n.t.subEnd(n.i); i < end; i++ {
		if want[typeOf(&nodes[i])] {
			out = append(out, Node{t: n.t, i: i})
		}
	}
	return out
}

// FindAllShallow is FindAll that does not descend into nested function,
// lambda or class definitions below n: what runs when n's body runs. Like
// Inspect, it sees named nodes only (and n itself), and a nested
// definition is not reported even when its type is asked for.
func FindAllShallow(n Node, types ...string) []Node {
	cands := FindAll(n, types...)
	if len(cands) == 0 {
		return nil
	}
	small, large := n.t.types()
	var out []Node
	if small != nil {
		out = shallow(n, cands, small)
	} else {
		out = shallow(n, cands, large)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// defTypes are the types of the nodes FindAllShallow does not descend
// into.
var defTypes = [...]string{"function_definition", "class_definition", "lambda"}

// shallow filters cands (n's nodes, in order) in place, leaving out those
// inside a nested definition, read from the type index without a copy.
func shallow[T nodeIndex](n Node, cands []Node, ix *typeIndex[T]) []Node {
	sf := newShallowFilter(n, ix)
	out := cands[:0]
	for _, c := range cands {
		if sf.keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// shallowFilter tells, for n's nodes given in order, which lie outside
// the definitions nested in n.
type shallowFilter[T nodeIndex] struct {
	n       Node
	defs    [len(defTypes)][]T
	skipEnd int32 // nodes below this index lie in a nested definition
}

func newShallowFilter[T nodeIndex](n Node, ix *typeIndex[T]) shallowFilter[T] {
	sf := shallowFilter[T]{n: n, skipEnd: -1}
	lo, hi := n.i, n.t.subEnd(n.i)
	for k, typ := range defTypes {
		sf.defs[k] = ix.of(typeIDs[typ], lo, hi)
	}
	return sf
}

// keep reports whether c, the next of n's nodes in order, is kept.
func (sf *shallowFilter[T]) keep(c Node) bool {
	nodes := sf.n.t.nodes
	for k := range sf.defs {
		for len(sf.defs[k]) > 0 && int32(sf.defs[k][0]) <= c.i {
			if d := int32(sf.defs[k][0]); d != sf.n.i && nodes[d].flags()&flagNamed != 0 {
				sf.skipEnd = max(sf.skipEnd, sf.n.t.subEnd(d))
			}
			sf.defs[k] = sf.defs[k][1:]
		}
	}
	return c.i >= sf.skipEnd && (c.i == sf.n.i || nodes[c.i].flags()&flagNamed != 0)
}

// FindEachShallow yields what FindAllShallow returns, in the same order,
// without building the list: for callers that stop early or only look.
func FindEachShallow(n Node, types ...string) iter.Seq[Node] {
	return func(yield func(Node) bool) { findEachShallow(n, types, yield) }
}

// findEachShallow is FindEachShallow's walk, out of line as findEach is.
//
//go:noinline
func findEachShallow(n Node, types []string, yield func(Node) bool) {
	if n.IsNil() {
		return
	}
	small, large := n.t.types()
	if small != nil {
		eachShallow(n, small, types, yield)
	} else {
		eachShallow(n, large, types, yield)
	}
}

func eachShallow[T nodeIndex](n Node, ix *typeIndex[T], types []string, yield func(Node) bool) {
	sf := newShallowFilter(n, ix)
	findEach(n, types, func(c Node) bool { return !sf.keep(c) || yield(c) })
}

// Ancestor returns the nearest proper ancestor of n with one of the given
// types, or the zero Node.
func Ancestor(n Node, types ...string) Node {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		if p.Is(types...) {
			return p
		}
	}
	return Node{}
}

// EnclosingFunction returns the function_definition whose body contains n,
// or the zero Node at module or class level.
func EnclosingFunction(n Node) Node {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition":
			return p
		case "class_definition":
			return Node{}
		}
	}
	return Node{}
}

// EnclosingClass returns the class_definition that directly contains n
// (through at most its methods), or the zero Node.
func EnclosingClass(n Node) Node {
	return Ancestor(n, "class_definition")
}

// Dotted returns the dotted name of an identifier or attribute chain
// ("a.b.c"), or "" for anything else (calls, subscripts...).
func Dotted(n Node) string {
	switch n.Type() {
	case "identifier":
		return n.Text()
	case "attribute":
		if d, ok := plainChain(n); ok {
			return d
		}
		obj := Dotted(n.ChildByField("object"))
		if obj == "" {
			return ""
		}
		return obj + "." + n.ChildByField("attribute").Text()
	case "dotted_name":
		return n.Text()
	}
	return ""
}

// plainChain returns the text of attribute node n when it is the dotted
// name itself, as most chains are: attributes down to an identifier or
// dotted_name, no error below, and nothing in the text but ASCII name
// characters and dots (so no space, comment or line continuation between
// the parts). The text shares the source, where Dotted would build the
// name a part at a time. ok is false otherwise, with no answer.
func plainChain(n Node) (string, bool) {
	if n.HasError() {
		return "", false
	}
	h := n
	for h.Type() == "attribute" {
		h = h.ChildByField("object")
	}
	if t := h.Type(); t != "identifier" && t != "dotted_name" {
		return "", false
	}
	b := n.Bytes()
	for _, c := range b {
		if !plainByte[c] {
			return "", false
		}
	}
	return n.Text(), true
}

// plainByte marks the bytes a plain dotted name is made of.
var plainByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['_'], t['.'] = true, true
	return t
}()

// KeyRead splits a read of a mapping by a literal key, `obj["key"]` or
// `obj.get("key", ...)`, into the mapping read (unparenthesised) and the
// key; ok is false for anything else.
func KeyRead(n Node) (obj Node, key string, ok bool) {
	n = Unparen(n)
	var k Node
	switch n.Type() {
	case "subscript":
		obj, k = n.ChildByField("value"), n.ChildByField("subscript")
	case "call":
		c, _ := AsCall(n)
		if c.Func.Type() != "attribute" || c.MethodName() != "get" || len(c.Positional) == 0 {
			return Node{}, "", false
		}
		obj, k = c.Receiver(), c.Positional[0]
	default:
		return Node{}, "", false
	}
	key, ok = StringValue(k)
	if !ok {
		return Node{}, "", false
	}
	return Unparen(obj), key, true
}

// StringValue returns the value of a plain string literal (or an implicit
// concatenation of them) without quotes or prefixes. ok is false for
// f-strings with interpolations and for non-strings. Escape sequences are
// returned as written.
func StringValue(n Node) (string, bool) {
	switch n.Type() {
	case "string":
		// Most strings have one content piece: return its text without a
		// builder.
		var first Node
		pieces := 0
		var sb strings.Builder
		for c := n.FirstChild(); !c.IsNil(); c = c.NextSibling() {
			switch c.Type() {
			case "string_content", "escape_sequence":
				switch pieces {
				case 0:
					first = c
				case 1:
					sb.Write(first.Bytes())
					fallthrough
				default:
					sb.Write(c.Bytes())
				}
				pieces++
			case "interpolation":
				return "", false
			}
		}
		switch pieces {
		case 0:
			return "", true
		case 1:
			return first.Text(), true
		}
		return sb.String(), true
	case "concatenated_string":
		var sb strings.Builder
		for c := range n.Named() {
			s, ok := StringValue(c)
			if !ok {
				return "", false
			}
			sb.WriteString(s)
		}
		return sb.String(), true
	}
	return "", false
}

// StringQuotes returns where the opening of a string literal n (its
// prefix and quotes: `rb"""`) ends and where its closing quotes start, as
// byte offsets: what the tokens trees leave out (string_start and
// string_end) spanned. When the parser inserted a missing closing quote,
// close is where it was inserted (the string's end). ok is false when n
// is not a string or its text does not have that shape.
func StringQuotes(n Node) (open, close int, ok bool) {
	if n.Type() != "string" {
		return 0, 0, false
	}
	text := n.Text()
	p := 0
	for p < len(text) && (text[p]|0x20 >= 'a' && text[p]|0x20 <= 'z') {
		p++
	}
	if p == len(text) || text[p] != '"' && text[p] != '\'' {
		return 0, 0, false
	}
	quote := text[p : p+1]
	if strings.HasPrefix(text[p:], strings.Repeat(quote, 3)) {
		quote = text[p : p+3]
	}
	open = n.StartByte() + p + len(quote)
	for c := n.FirstChild(); !c.IsNil(); c = c.NextSibling() {
		if c.IsMissing() && c.Type() == "string_end" {
			return open, c.StartByte(), true
		}
	}
	if len(text) < p+2*len(quote) || !strings.HasSuffix(text, quote) {
		return 0, 0, false
	}
	return open, n.EndByte() - len(quote), true
}

// IsFString reports whether n is an f-string with at least one interpolation.
func IsFString(n Node) bool {
	if n.Type() == "concatenated_string" {
		for c := range n.Named() {
			if IsFString(c) {
				return true
			}
		}
		return false
	}
	if n.Type() != "string" {
		return false
	}
	for c := range n.Named() {
		if c.Type() == "interpolation" {
			return true
		}
	}
	return false
}

// Call describes a call expression.
type Call struct {
	Node       Node
	Func       Node            // the callee expression
	Positional []Node          // positional arguments, in order
	Keywords   map[string]Node // keyword arguments by name (values)
	StarArgs   bool            // *args present
	StarKwargs bool            // **kwargs present
}

// AsCall decodes a call node. ok is false for anything else.
func AsCall(n Node) (Call, bool) {
	if n.Type() != "call" {
		return Call{}, false
	}
	c := Call{Node: n, Func: n.ChildByField("function")}
	args := n.ChildByField("arguments")
	// Count first so that the maps and slice are allocated once.
	nkw, npos := 0, 0
	for a := args.FirstChild(); !a.IsNil(); a = a.NextSibling() {
		if !a.IsNamed() {
			continue
		}
		switch a.Type() {
		case "keyword_argument":
			nkw++
		case "list_splat", "dictionary_splat", "comment":
		default:
			npos++
		}
	}
	if nkw > 0 {
		c.Keywords = make(map[string]Node, nkw)
	}
	if npos > 0 {
		c.Positional = make([]Node, 0, npos)
	}
	for a := args.FirstChild(); !a.IsNil(); a = a.NextSibling() {
		if !a.IsNamed() {
			continue
		}
		switch a.Type() {
		case "keyword_argument":
			c.Keywords[a.ChildByField("name").Text()] = a.ChildByField("value")
		case "list_splat":
			c.StarArgs = true
		case "dictionary_splat":
			c.StarKwargs = true
		case "comment":
		default:
			// generator_expression as sole argument is positional too
			c.Positional = append(c.Positional, a)
		}
	}
	if args.Type() == "generator_expression" {
		c.Positional = append(c.Positional, args)
	}
	return c, true
}

// Keyword returns the value of keyword argument name, or the zero Node.
func (c Call) Keyword(name string) Node { return c.Keywords[name] }

// EachKeyword yields the keyword arguments, name and value as Keywords
// holds them, in the order the call writes them (a name written twice, at
// its first place). Ranging over Keywords itself goes in the map's random
// order: a rule that reports the first match it meets then reports
// something else from one run to the next.
func (c Call) EachKeyword() iter.Seq2[string, Node] {
	return func(yield func(string, Node) bool) {
		if len(c.Keywords) == 0 {
			return
		}
		if c.Node.IsNil() { // a Call not decoded from a node
			for _, name := range slices.Sorted(maps.Keys(c.Keywords)) {
				if !yield(name, c.Keywords[name]) {
					return
				}
			}
			return
		}
		args := c.Node.ChildByField("arguments")
		var done []string
		for a := args.FirstChild(); !a.IsNil(); a = a.NextSibling() {
			if a.Type() != "keyword_argument" {
				continue
			}
			name := a.ChildByField("name").Text()
			v, ok := c.Keywords[name]
			if !ok || slices.Contains(done, name) {
				continue
			}
			done = append(done, name)
			if !yield(name, v) {
				return
			}
		}
	}
}

// KeywordArg returns the keyword_argument node of keyword name (the last
// one, as Keywords keeps), or the zero Node. It scans the arguments rather
// than keeping a second map in every decoded call: few callers need it.
func (c Call) KeywordArg(name string) Node {
	if len(c.Keywords) == 0 {
		return Node{}
	}
	var found Node
	args := c.Node.ChildByField("arguments")
	for a := args.FirstChild(); !a.IsNil(); a = a.NextSibling() {
		if a.Type() == "keyword_argument" && string(a.ChildByField("name").Bytes()) == name {
			found = a
		}
	}
	return found
}

// Arg returns positional argument i, or else keyword argument name.
func (c Call) Arg(i int, name string) Node {
	if i >= 0 && i < len(c.Positional) {
		return c.Positional[i]
	}
	if name != "" {
		return c.Keywords[name]
	}
	return Node{}
}

// CallHead is the part of a call that names what is called: the call node
// and its callee expression. AsCallHead decodes it without reading the
// arguments (no allocation), for callers that need only the callee.
type CallHead struct {
	Node Node
	Func Node // the callee expression
}

// AsCallHead decodes the head of a call node. ok is false for anything else.
func AsCallHead(n Node) (CallHead, bool) {
	if n.Type() != "call" {
		return CallHead{}, false
	}
	return CallHead{Node: n, Func: n.ChildByField("function")}, true
}

// Head returns the call's head.
func (c Call) Head() CallHead { return CallHead{Node: c.Node, Func: c.Func} }

// MethodName returns the attribute name when the callee is x.name, else the
// callee identifier, else "".
func (c Call) MethodName() string { return c.Head().MethodName() }

// Receiver returns x when the callee is x.name, else the zero Node.
func (c Call) Receiver() Node { return c.Head().Receiver() }

// MethodName is Call.MethodName.
func (c CallHead) MethodName() string {
	switch c.Func.Type() {
	case "attribute":
		return c.Func.ChildByField("attribute").Text()
	case "identifier":
		return c.Func.Text()
	}
	return ""
}

// CalleeName returns what Call.MethodName would for call node n (the
// attribute name of x.name, or the callee identifier), without decoding
// the call: a cheap test before AsCall. It returns nil for other callees
// and non-calls. The bytes alias the source: compare them as
// string(b) == "name", which does not allocate.
func CalleeName(n Node) []byte {
	if n.Type() != "call" {
		return nil
	}
	switch fn := n.ChildByField("function"); fn.Type() {
	case "attribute":
		return fn.ChildByField("attribute").Bytes()
	case "identifier":
		return fn.Bytes()
	}
	return nil
}

// Receiver is Call.Receiver.
func (c CallHead) Receiver() Node {
	if c.Func.Type() == "attribute" {
		return c.Func.ChildByField("object")
	}
	return Node{}
}

// FirstError returns the first ERROR or MISSING node in pre-order, or the
// zero Node when the tree is clean.
func FirstError(root Node) Node {
	if root.IsNil() || !root.HasError() {
		return Node{}
	}
	// A scan, not Inspect: MISSING nodes are often anonymous tokens.
	t := root.t
	for i, end := root.i, t.subEnd(root.i); i < end; i++ {
		if t.nodes[i].flags()&(flagError|flagMissing) != 0 {
			return Node{t: t, i: i}
		}
	}
	return Node{}
}

// Decorators returns the decorator expressions of a function or class
// definition (without the '@').
func Decorators(def Node) []Node {
	p := def.Parent()
	if p.Type() != "decorated_definition" {
		return nil
	}
	var out []Node
	for c := range p.Named() {
		if c.Type() == "decorator" {
			if e := c.NamedChild(0); !e.IsNil() {
				out = append(out, e)
			}
		}
	}
	return out
}

// DefName returns the name of a function or class definition.
func DefName(def Node) string { return def.ChildByField("name").Text() }

// Body returns the block of a definition, loop, with, try... statement.
func Body(n Node) Node { return n.ChildByField("body") }

// Comments returns every comment node in the tree, in source order.
func Comments(t *Tree) []Node {
	return FindAll(t.Root(), "comment")
}

// Unparen strips parenthesized_expression wrappers.
func Unparen(n Node) Node {
	for n.Type() == "parenthesized_expression" {
		// `(  # a comment\n    qs.filter(...)\n)`: the comment is a named
		// child too, before the expression.
		inner := n.NamedChild(0)
		for i := 1; inner.Type() == "comment"; i++ {
			inner = n.NamedChild(i)
		}
		if inner.IsNil() {
			return n
		}
		n = inner
	}
	return n
}

// Statements returns the statements of a block (or module).
func Statements(block Node) []Node { return block.namedChildren(true) }

// LastStatement returns a block's last statement, or the zero Node for an
// empty block (whose Is answers false).
func LastStatement(block Node) Node {
	st := Statements(block)
	if len(st) == 0 {
		return Node{}
	}
	return st[len(st)-1]
}

// Memo returns what compute gives for key on n's tree, computing it once
// per tree and key (two goroutines asking at once may both compute; the
// first answer stored is kept). The memo lives and goes with the tree's
// nodes. For facts about a node that many others ask (a function's
// calls, asked by each print in it), where asking each time made a rule
// quadratic in a large file. key must be comparable and should be a type
// of the caller's own, so that keys of different callers never meet.
func Memo[T any](n Node, key any, compute func() T) T {
	d := n.t
	if d == nil {
		return compute()
	}
	d.memoMu.Lock()
	v, ok := d.memo[key]
	d.memoMu.Unlock()
	if ok {
		return v.(T)
	}
	r := compute()
	d.memoMu.Lock()
	defer d.memoMu.Unlock()
	if v, ok := d.memo[key]; ok {
		return v.(T)
	}
	if d.memo == nil {
		d.memo = map[any]any{}
	}
	d.memo[key] = r
	return r
}

// TopClasses returns the class definitions at the top level of n's
// module named name (a decorated one unwrapped), in source order. The
// index is built once per tree (Memo): a lookup by name from each of a
// file's thousands of classes stays linear.
func TopClasses(n Node, name string) []Node {
	if n.t == nil {
		return nil
	}
	d := n.t
	index := Memo(n, topClassesKey{}, func() map[string][]int32 {
		m := map[string][]int32{}
		for st := range EachStatement(Node{d, 0}) {
			if st.Type() == "decorated_definition" {
				st = st.ChildByField("definition")
			}
			if st.Type() == "class_definition" {
				m[DefName(st)] = append(m[DefName(st)], st.i)
			}
		}
		return m
	})
	ids := index[name]
	out := make([]Node, len(ids))
	for i, id := range ids {
		out[i] = Node{d, id}
	}
	return out
}

// topClassesKey keys TopClasses' memo.
type topClassesKey struct{}

// EachStatement yields the statements Statements returns, without the
// slice: for the callers that only iterate.
func EachStatement(block Node) iter.Seq[Node] {
	return func(yield func(Node) bool) {
		if block.t == nil {
			return
		}
		for c := block.t.firstChild(block.i); c >= 0; c = block.t.nextChild(block.i, c) {
			if block.t.nodes[c].flags()&flagNamed == 0 {
				continue
			}
			if m := (Node{t: block.t, i: c}); m.Type() != "comment" && !yield(m) {
				return
			}
		}
	}
}

// Identifiers returns the names bound by an assignment target or loop
// variable pattern (identifiers only, through tuples and lists).
func Identifiers(target Node) []string {
	var out []string
	Inspect(target, func(n Node) bool {
		switch n.Type() {
		case "identifier":
			out = append(out, n.Text())
			return false
		case "attribute", "subscript":
			return false
		}
		return true
	})
	return out
}

// CallChain yields the calls of a method chain from the outermost in:
// `Model.objects.filter(a=1).order_by("x")` gives order_by(...), then
// filter(...), stopping at the first receiver that is not a call (or after
// 12 calls). Parentheses around a link are looked through.
func CallChain(n Node) iter.Seq[Call] {
	return func(yield func(Call) bool) {
		for depth := 0; depth < 12; depth++ {
			c, ok := AsCall(Unparen(n))
			if !ok || !yield(c) || c.Func.Type() != "attribute" {
				return
			}
			n = c.Receiver()
		}
	}
}

// KeyedRead decodes a read by key, `obj.get(key, ...)` or `obj[key]`: the
// object read and the key node; ok is false for anything else.
func KeyedRead(n Node) (obj, key Node, ok bool) {
	switch n.Type() {
	case "call":
		c, _ := AsCall(n)
		if c.Func.Type() != "attribute" || c.MethodName() != "get" || len(c.Positional) == 0 {
			return Node{}, Node{}, false
		}
		return c.Func.ChildByField("object"), c.Positional[0], true
	case "subscript":
		return n.ChildByField("value"), n.ChildByField("subscript"), true
	}
	return Node{}, Node{}, false
}

// CountOf returns how many nodes of type typ n's subtree holds (n
// included), from the tree's type index when the type is indexed: what
// FindEach(n, typ) would yield, without walking. For sizing the maps a
// walk then fills.
func CountOf(n Node, typ string) int {
	if n.IsNil() {
		return 0
	}
	id, ok := typeIDs[typ]
	if !ok {
		return 0
	}
	if !indexedType[id] {
		return len(scanTypes(n, []string{typ}))
	}
	lo, hi := n.i, n.t.subEnd(n.i)
	small, large := n.t.types()
	if small != nil {
		return len(small.of(id, lo, hi))
	}
	return len(large.of(id, lo, hi))
}

// StatementOf returns the statement holding n: the ancestor (or n) whose
// parent is a block or the module.
func StatementOf(n Node) Node {
	for !n.IsNil() {
		p := n.Parent()
		if p.IsNil() || p.Is("block", "module") {
			return n
		}
		n = p
	}
	return n
}
