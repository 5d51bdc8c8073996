package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// loopbackPrefixes are the URL starts of a request to this machine.
var loopbackPrefixes = []string{"http://localhost", "https://localhost", "http://127.0.0.1", "https://127.0.0.1",
	"http://0.0.0.0", "http://[::1]"}

// OwnRoute returns the project's own route an HTTP call's URL argument
// names, or nil: the URL is a string literal or an f-string starting with
// a loopback host (localhost, 127.0.0.1, 0.0.0.0, [::1]), and its path
// matches a routed pattern of the project segment by segment (a path
// converter or regular-expression group matches any segment, and so does
// an interpolated segment of the f-string). Such a call is the app calling
// itself over HTTP.
func OwnRoute(ix *project.Index, url pyast.Node) *Route {
	url = boundOnce(pyast.Unparen(url))
	if ix == nil || url.IsNil() || url.Type() != "string" {
		return nil
	}
	t := url.Text()
	// Drop the prefix (f, r, b...) and the quotes.
	i := strings.IndexAny(t, `"'`)
	if i < 0 {
		return nil
	}
	t = strings.Trim(t[i:], `"'`)
	low := strings.ToLower(t)
	rest := ""
	for _, p := range loopbackPrefixes {
		if strings.HasPrefix(low, p) {
			rest = t[len(p):]
			break
		}
	}
	if rest == "" {
		return nil
	}
	// Past the port, to the path; no path is the root.
	if strings.HasPrefix(rest, ":") {
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return nil
		}
		rest = rest[j:]
	}
	if !strings.HasPrefix(rest, "/") {
		return nil
	}
	if j := strings.IndexAny(rest, "?#"); j >= 0 {
		rest = rest[:j]
	}
	urlSegs := segments(rest)
	inv := InventoryOf(ix)
	if inv == nil {
		return nil
	}
	for _, r := range inv.Routes {
		if matchSegments(segments(strings.TrimSuffix(strings.TrimPrefix(r.Pattern, "^"), "$")), urlSegs) {
			return r
		}
	}
	return nil
}

// boundOnce follows a name to the value it is assigned once in its
// function (`url = f"http://localhost:8000/..."; requests.post(url)`);
// anything else is returned as is.
func boundOnce(n pyast.Node) pyast.Node {
	if n.Type() != "identifier" {
		return n
	}
	fn := pyast.EnclosingFunction(n)
	if fn.IsNil() {
		return n
	}
	var found pyast.Node
	count := 0
	for a := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" && l.Text() == n.Text() {
			found = a.ChildByField("right")
			count++
		}
	}
	if count != 1 {
		return n
	}
	return pyast.Unparen(found)
}

// segments splits a path on "/", leaving out empty segments.
func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// matchSegments compares a route pattern's segments with a URL's: a
// converter or group in the pattern (<int:pk>, (?P<pk>\d+)) or an
// interpolation in the URL ({wallet_uuid}) matches any segment.
func matchSegments(pattern, url []string) bool {
	if len(pattern) != len(url) || len(pattern) == 0 {
		return false
	}
	for i := range pattern {
		if strings.ContainsAny(pattern[i], "<([") || strings.Contains(url[i], "{") {
			continue
		}
		if pattern[i] != url[i] {
			return false
		}
	}
	return true
}
