package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// conjunctiveGuard returns the condition of an `if` in the handler that
// refuses a delivery only when it is both stale and already seen
// (`if not fresh(ts) and cache.get(event_id): return 400`): a replay inside
// the time window, and an old delivery no longer remembered, both pass.
// It returns the zero Node when the handler has no such test.
func conjunctiveGuard(h *Func) pyast.Node {
	if h == nil {
		return pyast.Node{}
	}
	for _, st := range ownNodes(pyast.Body(h.Node), "if_statement") {
		cond := unNot(st.ChildByField("condition"))
		if cond.Type() != "boolean_operator" || cond.ChildByField("operator").Text() != "and" || !rejects(st) {
			continue
		}
		var fresh, seen bool
		for _, op := range andOperands(cond) {
			switch {
			case freshnessTest(op):
				fresh = true
			case seenTest(op):
				seen = true
			}
		}
		if fresh && seen {
			return st.ChildByField("condition")
		}
	}
	return pyast.Node{}
}

// unNot strips parentheses and `not`.
func unNot(n pyast.Node) pyast.Node {
	for {
		n = pyast.Unparen(n)
		if n.Type() != "not_operator" {
			return n
		}
		n = n.ChildByField("argument")
	}
}

// andOperands flattens `a and b and c`.
func andOperands(n pyast.Node) []pyast.Node {
	n = pyast.Unparen(n)
	if n.Type() == "boolean_operator" && n.ChildByField("operator").Text() == "and" {
		return append(andOperands(n.ChildByField("left")), andOperands(n.ChildByField("right"))...)
	}
	return []pyast.Node{n}
}

// rejects reports an if whose body returns or raises at its first level.
func rejects(st pyast.Node) bool {
	for _, s := range pyast.Statements(st.ChildByField("consequence")) {
		switch s.Type() {
		case "return_statement", "raise_statement":
			return true
		}
	}
	return false
}

// freshWords name a test of a delivery's age.
var freshTestWords = map[string]bool{"timestamp": true, "fresh": true, "stale": true, "expired": true, "expiry": true,
	"tolerance": true, "age": true, "old": true}

// freshnessTest reports a test of a delivery's age: a name or call named for
// it (`is_timestamp_valid(ts)`, `expired`), or a comparison of a time.
func freshnessTest(n pyast.Node) bool {
	n = unNot(n)
	if n.Type() == "comparison_operator" {
		t := strings.ToLower(n.Text())
		return strings.Contains(t, "timestamp") || strings.Contains(t, "time.time()") || strings.Contains(t, "now()")
	}
	target := n
	if n.Type() == "call" {
		target = n.ChildByField("function")
	}
	if target.Type() == "attribute" {
		target = target.ChildByField("attribute")
	}
	if target.Type() != "identifier" {
		return false
	}
	for _, w := range IdentWords(target.Text()) {
		if freshTestWords[w] {
			return true
		}
	}
	return false
}

// seenTest reports a test that a delivery was already received: a cache
// read, an exists() or a lookup on an event id, a membership test, or a
// name or call named for it (`already_processed`, `seen`).
func seenTest(n pyast.Node) bool {
	n = unNot(n)
	switch n.Type() {
	case "comparison_operator":
		for _, op := range n.Children() {
			if t := op.Type(); t == "in" || t == "not in" {
				return true
			}
		}
		return false
	case "call":
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "exists", "aexists":
			return true
		case "get", "has_key", "aget":
			return strings.Contains(strings.ToLower(pyast.Dotted(c.Receiver())), "cache")
		}
		return seenName(c.MethodName())
	case "identifier":
		return seenName(n.Text())
	case "attribute":
		return seenName(n.ChildByField("attribute").Text())
	}
	return false
}

var seenWords = map[string]bool{"seen": true, "processed": true, "duplicate": true, "duplicated": true, "replayed": true,
	"received": true, "handled": true}

func seenName(name string) bool {
	for _, w := range IdentWords(name) {
		if seenWords[w] {
			return true
		}
	}
	return false
}

// guardIn reports a guard node that lies in cond (of file cf) or in the
// body of a project function a call in cond reaches (two calls deep).
func guardIn(g pyast.Node, gf *File, cond pyast.Node, cf *File) bool {
	if gf == cf && cond.Contains(g) {
		return true
	}
	seen := map[*Func]bool{}
	var reach func(n pyast.Node, f *File, depth int) bool
	reach = func(n pyast.Node, f *File, depth int) bool {
		if depth > 2 {
			return false
		}
		for _, call := range pyast.FindAll(n, "call") {
			fn, _ := f.Callee(call)
			if fn == nil || seen[fn] {
				continue
			}
			seen[fn] = true
			if fn.File == gf && fn.Node.Contains(g) || reach(pyast.Body(fn.Node), fn.File, depth+1) {
				return true
			}
		}
		return false
	}
	return reach(cond, cf, 0)
}
