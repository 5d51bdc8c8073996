package security

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// storedBefore reports a key the handler itself stored in the payload
// object before reading it (`data = request.data; data["product"] =
// kwargs["product_id"]; ... data["product"]`): the read cannot miss.
func storedBefore(body, s, obj pyast.Node, key string) bool {
	want := pyast.Unparen(obj).Text()
	for a := range pyast.FindEachShallow(body, "assignment") {
		if a.StartByte() >= s.StartByte() {
			break
		}
		left := a.ChildByField("left")
		if left.Type() != "subscript" || pyast.Unparen(left.ChildByField("value")).Text() != want {
			continue
		}
		if k, ok := pyast.StringValue(left.ChildByField("subscript")); ok && k == key {
			return true
		}
	}
	return false
}

// checkedInLoop reports a key checked by an earlier loop over a literal
// list of names that holds it (`for field in ["amount", "date"]:`, or a
// local bound to such a list), whose body reads `obj[field]` inside a try
// that catches KeyError or tests `field in obj`: the handler answered a
// missing key there (silver's required-fields loop collecting errors
// into a 400).
func checkedInLoop(body, s, obj pyast.Node, key string) bool {
	want := pyast.Unparen(obj).Text()
	for loop := range pyast.FindEachShallow(body, "for_statement") {
		if loop.StartByte() >= s.StartByte() {
			break
		}
		v := loop.ChildByField("left")
		if v.Type() != "identifier" || !slices.Contains(literalNames(body, loop.ChildByField("right")), key) {
			continue
		}
		lv := v.Text()
		for n := range pyast.FindEach(pyast.Body(loop), "subscript", "comparison_operator") {
			if n.Type() == "comparison_operator" {
				t := n.Text()
				if strings.Contains(t, " in ") && strings.HasPrefix(t, lv+" ") && strings.HasSuffix(t, want) {
					return true
				}
				continue
			}
			if pyast.Unparen(n.ChildByField("value")).Text() == want && n.ChildByField("subscript").Text() == lv &&
				catchesKeyError(body, n) {
				return true
			}
		}
	}
	return false
}

// literalNames returns the strings of a list or tuple literal, directly or
// through a local name of body bound to one.
func literalNames(body, n pyast.Node) []string {
	n = pyast.Unparen(n)
	if n.Type() == "identifier" {
		var bound pyast.Node
		for a := range pyast.FindEachShallow(body, "assignment") {
			if a.ChildByField("left").Text() == n.Text() && a.StartByte() < n.StartByte() {
				bound = pyast.Unparen(a.ChildByField("right"))
			}
		}
		n = bound
	}
	if n.IsNil() || n.Type() != "list" && n.Type() != "tuple" {
		return nil
	}
	var out []string
	for e := range n.Named() {
		if s, ok := pyast.StringValue(e); ok {
			out = append(out, s)
		}
	}
	return out
}

// catchesKeyError reports whether n sits in a try whose except names
// KeyError, LookupError or a bare except.
func catchesKeyError(body, n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil() && !a.Equal(body); a = a.Parent() {
		if a.Type() != "try_statement" {
			continue
		}
		for k := range a.Named() {
			if k.Type() != "except_clause" {
				continue
			}
			head, _, _ := strings.Cut(k.Text(), ":")
			head = strings.TrimSpace(head)
			if head == "except" || strings.Contains(head, "KeyError") || strings.Contains(head, "LookupError") {
				return true
			}
		}
	}
	return false
}
