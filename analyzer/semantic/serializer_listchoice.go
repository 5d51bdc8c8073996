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
