package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed metakey.md
var metaKeyDoc string

// MetaKeyNeverSet reports request.META read with a header's own name.
var MetaKeyNeverSet = &analyzer.Rule{
	Code:       "BUG014",
	Name:       "meta-key-never-set",
	Doc:        metaKeyDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration,
	Requires:   []project.Analysis{storedMetaKeys},
	Run:        runMetaKeyNeverSet,
}

// storedMetaKeys are the keys the project's own code stores into a
// request's META (`request.META["X-RateLimit-Remaining"] = n` in a
// throttle): reading them back finds them.
var storedMetaKeys = &project.ProjectAnalysis[map[string]bool]{Name: "bugs.storedMetaKeys", Digest: project.DigestSet, Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, u := range ix.Units {
		if u.Tree == nil {
			continue
		}
		if !project.IsTestPath(u.RootRel) && (bytes.Contains(u.File.Src(), []byte("Client(")) || bytes.Contains(u.File.Src(), []byte("RequestFactory("))) {
			clientExtraKeys(u, out)
		}
		if !bytes.Contains(u.File.Src(), []byte("META[")) {
			continue
		}
		for n := range pyast.FindEach(u.Tree.Root(), "subscript") {
			if !isStore(n) || !strings.HasSuffix(pyast.Dotted(n.ChildByField("value")), ".META") {
				continue
			}
			if k, ok := pyast.StringValue(n.ChildByField("subscript")); ok {
				out[k] = true
			}
		}
	}
	return out
}}

// runMetaKeyNeverSet matches `request.META["X-Signature"]`,
// `request.META.get("User-Agent")` and the like on `request`,
// `self.request` or `req`: a key with a dash or a lower-case letter
// (keys with a dot, `wsgi.input`, are the server's own). Django's WSGI
// and ASGI handlers store headers upper case, dashes turned to
// underscores, under HTTP_ (CONTENT_TYPE and CONTENT_LENGTH without it):
// such a key is never there, unless the project's own code stores it
// (storedMetaKeys).
func runMetaKeyNeverSet(p *analyzer.Pass) error {
	stored := storedMetaKeys.Get(p.Project)
	for n := range pyast.FindEach(p.Root, "subscript", "call") {
		var meta, key, fallback pyast.Node
		how := "read"
		switch n.Type() {
		case "subscript":
			meta, key = n.ChildByField("value"), n.ChildByField("subscript")
			if isStore(n) {
				continue
			}
		case "call":
			h, _ := pyast.AsCallHead(n)
			if h.Func.Type() != "attribute" {
				continue
			}
			switch h.MethodName() {
			case "get", "__contains__", "pop":
			default:
				continue
			}
			c, _ := pyast.AsCall(n)
			if len(c.Positional) == 0 {
				continue
			}
			meta, key, how = c.Receiver(), c.Positional[0], "get"
			if len(c.Positional) > 1 {
				fallback = c.Positional[1]
			}
		}
		if !requestMeta(meta) {
			continue
		}
		k, ok := pyast.StringValue(key)
		if !ok || strings.Contains(k, ".") || k == strings.ToUpper(k) && !strings.Contains(k, "-") || stored[k] {
			continue
		}
		want := metaName(k)
		if !fallback.IsNil() && fallbackReadsKey(fallback, want) {
			continue // `META.get("Authorization", META.get("HTTP_AUTHORIZATION"))`: the default reads the header
		}
		outcome := "`None`"
		if how == "read" {
			outcome = "a `KeyError`"
		} else if !fallback.IsNil() {
			outcome = fmt.Sprintf("the default, `%s`", pyast.OneLine(fallback, 40))
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(key),
			Message: fmt.Sprintf("`%s` has no key `%s`: Django stores the header as `%s`, so this is always %s",
				pyast.Unparen(meta).Text(), k, want, outcome),
			Help: fmt.Sprintf("read `request.headers.get(\"%s\")` (case-insensitive, the header's own name) or `request.META.get(\"%s\")`", k, want),
		})
	}
	return nil
}

// fallbackReadsKey reports whether an expression holds the string key (the
// default of a get() that looks the header up under its META name).
func fallbackReadsKey(n pyast.Node, key string) bool {
	for str := range pyast.FindEach(n, "string") {
		if v, ok := pyast.StringValue(str); ok && v == key {
			return true
		}
	}
	return false
}

// requestMeta reports `request.META` (or `self.request.META`, `req.META`).
func requestMeta(n pyast.Node) bool {
	switch pyast.Dotted(pyast.Unparen(n)) {
	case "request.META", "self.request.META", "req.META":
		return true
	}
	return false
}

// metaName is the META key Django gives a header: HTTP_ + upper case with
// dashes as underscores (CONTENT_TYPE and CONTENT_LENGTH bare).
func metaName(header string) string {
	k := strings.ToUpper(strings.ReplaceAll(header, "-", "_"))
	if strings.HasPrefix(k, "HTTP_") || k == "CONTENT_TYPE" || k == "CONTENT_LENGTH" {
		return k
	}
	return "HTTP_" + k
}

// isStore reports a subscript assigned to (`request.META["X"] = ...`, as
// tests and middleware do).
func isStore(n pyast.Node) bool {
	parent := n.Parent()
	return parent.Type() == "assignment" && parent.ChildByField("left").Equal(n) ||
		parent.Type() == "augmented_assignment" && parent.ChildByField("left").Equal(n)
}

// clientExtraKeys adds the keywords application code passes to a Django
// test client's or request factory's request method: `Client().get(url,
// is_html_export=True)` stores `is_html_export` in the request's META (a
// static site export rendering its own views). Tests are left out: a test
// passing a lower-case key proves nothing about real requests.
func clientExtraKeys(u *project.Unit, out map[string]bool) {
	clients := map[string]bool{}
	for n := range pyast.FindEach(u.Tree.Root(), "assignment") {
		c, ok := pyast.AsCall(n.ChildByField("right"))
		if !ok {
			continue
		}
		if q, _ := u.Imports.Resolve(c.Func); q == "django.test.Client" || q == "django.test.client.Client" ||
			q == "django.test.RequestFactory" || q == "django.test.client.RequestFactory" {
			clients[pyast.Dotted(n.ChildByField("left"))] = true
		}
	}
	if len(clients) == 0 {
		return
	}
	for n := range pyast.FindEach(u.Tree.Root(), "call") {
		c, ok := pyast.AsCall(n)
		if !ok || !clients[pyast.Dotted(c.Receiver())] {
			continue
		}
		switch c.MethodName() {
		case "get", "post", "put", "patch", "delete", "head", "options", "trace", "generic":
		default:
			continue
		}
		for k := range c.EachKeyword() {
			out[k] = true
		}
	}
}
