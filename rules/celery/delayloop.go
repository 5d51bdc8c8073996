package celery

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// deliberateLoop reports loops CEL007 leaves alone although they queue a
// task per iteration: the loop already walks batches (batchLoop), or each
// call routes its item differently (perItemRouting).
func deliberateLoop(loop pyast.Node, c pyast.Call) bool {
	return batchLoop(loop, c) || perItemRouting(loop, c)
}

// batchWords are the snake_case parts that name a batch of items.
var batchWords = map[string]bool{
	"batch": true, "batches": true, "batched": true, "chunk": true, "chunks": true, "chunked": true,
	"paginate": true, "paginated": true, "paginator": true, "page_range": true, "groupby": true,
}

// hasBatchWord reports whether a snake_case name has a batch word among its
// parts ("ids_batch", "batch_product_ids", "in_batches", "chunked").
func hasBatchWord(name string) bool {
	name = strings.ToLower(name[strings.LastIndex(name, ".")+1:])
	if batchWords[name] {
		return true
	}
	for _, w := range strings.Split(name, "_") {
		if batchWords[w] {
			return true
		}
	}
	return false
}

// batchLoop reports a loop that queues one task per batch, not per item:
// its target is named as a batch (`for ids_batch in ...`, `for chunk in
// ...`); its iterable calls a batching function (`batch_product_ids(...)`,
// `chunks(...)`, `chunked(qs.iterator(chunk_size=500), 500)`,
// `itertools.groupby(...)`, a paginator); or the task receives a batch: an
// argument named as one (`batch_ids`) or a slice (`ids[i : i + n]`, also
// through a name the loop body binds to it).
func batchLoop(loop pyast.Node, c pyast.Call) bool {
	if loop.Type() == "for_statement" {
		for _, id := range pyast.Identifiers(loop.ChildByField("left")) {
			if hasBatchWord(id) {
				return true
			}
		}
		if batchIterable(loop.ChildByField("right")) {
			return true
		}
	}
	slices := map[string]bool{}
	for as := range pyast.FindEachShallow(loop.ChildByField("body"), "assignment") {
		if as.StartByte() < c.Func.StartByte() && isSlice(as.ChildByField("right")) && as.ChildByField("left").Type() == "identifier" {
			slices[as.ChildByField("left").Text()] = true
		}
	}
	for _, a := range taskArgs(c) {
		a = pyast.Unparen(a)
		if isSlice(a) || a.Type() == "identifier" && (hasBatchWord(a.Text()) || slices[a.Text()]) {
			return true
		}
	}
	return false
}

// batchIterable reports a for loop's iterable that yields batches: a call
// of a batching helper (its name has a batch word: batch_product_ids,
// chunks, chunked, itertools.groupby, paginate), or a name that says it
// holds batches (id_batches, chunks, paginator.page_range). Slice bounds
// (`checkouts[:BATCH_SIZE]`) and keyword names (`.iterator(chunk_size=500)`)
// are not looked at: such loops still walk items.
func batchIterable(it pyast.Node) bool {
	found := false
	pyast.Inspect(it, func(n pyast.Node) bool {
		switch n.Type() {
		case "slice":
			return false
		case "call":
			cc, _ := pyast.AsCall(n)
			found = found || hasBatchWord(pyast.Dotted(cc.Func))
		case "attribute", "identifier":
			if n.Field() == "name" && n.Parent().Type() == "keyword_argument" {
				return false
			}
			name := strings.ToLower(n.Text()[strings.LastIndex(n.Text(), ".")+1:])
			found = found || name == "page_range" || name == "paginator" ||
				strings.HasSuffix(name, "batches") || strings.HasSuffix(name, "chunks")
		}
		return !found
	})
	return found
}

// isSlice reports x[a:b].
func isSlice(n pyast.Node) bool {
	n = pyast.Unparen(n)
	if n.Type() != "subscript" {
		return false
	}
	for ch := range n.Named() {
		if ch.Type() == "slice" {
			return true
		}
	}
	return false
}

// taskArgs returns the values handed to the task: .delay's arguments, or
// the items of apply_async's args=[...] and the values of kwargs={...}.
func taskArgs(c pyast.Call) []pyast.Node {
	if c.MethodName() == "delay" {
		out := append([]pyast.Node{}, c.Positional...)
		for _, v := range c.EachKeyword() {
			out = append(out, v)
		}
		return out
	}
	var out []pyast.Node
	for _, v := range []pyast.Node{c.Keyword("args"), c.Keyword("kwargs")} {
		switch v = pyast.Unparen(v); v.Type() {
		case "list", "tuple":
			out = append(out, v.NamedChildren()...)
		case "dictionary":
			for pair := range v.Named() {
				if pair.Type() == "pair" {
					out = append(out, pair.ChildByField("value"))
				}
			}
		}
	}
	if len(c.Positional) > 0 {
		if a := pyast.Unparen(c.Positional[0]); a.Type() == "list" || a.Type() == "tuple" {
			out = append(out, a.NamedChildren()...)
		}
	}
	return out
}

// routingOptions are apply_async options that send a message somewhere or
// sometime: set per item, they make each call different, which a group
// with one set of options cannot express.
var routingOptions = []string{"queue", "routing_key", "exchange", "priority", "countdown", "eta", "headers", "MessageGroupId"}

// perItemRouting reports an apply_async(...) in a for loop whose routing
// option depends on the loop's item: `queue=queue_for(webhook)` per
// webhook is deliberate fan-out. Names the loop body binds from the item
// before the call (`group_id = group_for(delivery)`) count as the item.
func perItemRouting(loop pyast.Node, c pyast.Call) bool {
	if loop.Type() != "for_statement" || c.MethodName() != "apply_async" {
		return false
	}
	item := map[string]bool{}
	for _, id := range pyast.Identifiers(loop.ChildByField("left")) {
		item[id] = true
	}
	for as := range pyast.FindEachShallow(loop.ChildByField("body"), "assignment") {
		if as.StartByte() < c.Func.StartByte() && mentions(as.ChildByField("right"), item) {
			for _, id := range pyast.Identifiers(as.ChildByField("left")) {
				item[id] = true
			}
		}
	}
	for _, k := range routingOptions {
		if v := c.Keyword(k); !v.IsNil() && mentions(v, item) {
			return true
		}
	}
	return false
}

// mentions reports whether any identifier in n is one of names.
func mentions(n pyast.Node, names map[string]bool) bool {
	for id := range pyast.FindEach(n, "identifier") {
		if names[id.Text()] {
			return true
		}
	}
	return false
}
