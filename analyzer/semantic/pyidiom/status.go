package pyidiom

import (
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// StatusCode reads an HTTP status as a response or an exception writes it:
// an integer literal (`status=409`) or a name carrying DRF's number
// (`status.HTTP_409_CONFLICT`, `HTTP_201_CREATED`). ok is false for
// anything else (a variable, `HTTPStatus.CONFLICT`). Where the name comes
// from is the caller's to check.
func StatusCode(v pyast.Node) (int, bool) {
	if v.Type() == "integer" {
		n, err := strconv.Atoi(v.Text())
		return n, err == nil
	}
	d := pyast.Dotted(v)
	i := strings.Index(d, "HTTP_")
	if i < 0 || len(d) < i+8 {
		return 0, false
	}
	n, err := strconv.Atoi(d[i+5 : i+8])
	return n, err == nil
}
