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
	child := r
	for p := r.Parent(); !p.IsNil() && !p.Equal(m); child, p = p, p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda", "class_definition":
			return false
		case "if_statement", "elif_clause":
			if p.ChildByField("consequence").Equal(child) {
				if match, known := conditionMatches(p.ChildByField("condition"), listing); known && !match {
					return true
				}
			}
		case "else_clause":
			if ifs := p.Parent(); ifs.Type() == "if_statement" {
				if match, known := conditionMatches(ifs.ChildByField("condition"), listing); known && match {
					return true
				}
			}
		case "block":
			for prev := range p.Named() {
				if prev.Equal(child) {
					break
				}
				if prev.Type() != "if_statement" || !endsInReturn(prev.ChildByField("consequence")) {
					continue
				}
				if match, known := conditionMatches(prev.ChildByField("condition"), listing); known && match {
					return true
				}
			}
		}
	}
	return false
}
