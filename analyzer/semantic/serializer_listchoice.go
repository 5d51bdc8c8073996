package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// listing is the endpoint a view's list serves: DRF's list action, by GET.
var listing = &Endpoint{Action: "list", Methods: []string{"GET"}}

// NotForList reports whether return statement r of get_serializer_class m
// runs only for endpoints other than the listing: under `if self.action ==
// "partial_update"` (or `self.action in (...)` without "list", or
// `self.request.method == "POST"`), in the else of such a branch the listing
// takes, or after an earlier `if` the listing takes that returns. The rows a
// list serialises never go through such a serializer.
func NotForList(r, m pyast.Node) bool {
	return skippedWhen(r, m, func(cond pyast.Node) (bool, bool) { return conditionMatches(cond, listing) })
}

// ListChoice reads a conditional expression a get_serializer_class returns,
// `A if self.action == "list" else B` (or a test of `self.action in (...)`,
// `self.request.method`, nested): the branch the listing takes. ok is false
// when e is no conditional expression or a condition on the way tests
// something else (a query parameter, the user).
func ListChoice(e pyast.Node) (branch pyast.Node, ok bool) {
	e = pyast.Unparen(e)
	if e.Type() != "conditional_expression" {
		return pyast.Node{}, false
	}
	for e.Type() == "conditional_expression" {
		then, cond, other := e.NamedChild(0), e.NamedChild(1), e.NamedChild(2)
		match, known := conditionMatches(cond, listing)
		if !known {
			return pyast.Node{}, false
		}
		e = other
		if match {
			e = then
		}
		e = pyast.Unparen(e)
	}
	return e, true
}
