package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// jsonAPIIncludes adds to a view's queryset what
// django-rest-framework-json-api loads for every request: the "__all__"
// entries of the view's `select_for_includes` and `prefetch_for_includes`
// dicts, which its PreloadIncludesMixin (part of its ModelViewSet and
// ReadOnlyModelViewSet) and PrefetchForIncludesHelperMixin apply to what
// the next get_queryset returns. Entries keyed by an include name load
// only when the client asks for that include (`?include=reviewers`), so
// they are not read. Nothing is added when a project get_queryset comes
// first and does not call super().get_queryset() (the mixin is bypassed).
func jsonAPIIncludes(c *Class, q *QS) *QS {
	if q == nil || !jsonAPIPreloads(c) {
		return q
	}
	for _, cc := range mro(c) {
		if fn := cc.Methods["get_queryset"]; fn != nil {
			if !callsSuper(fn) {
				return q
			}
			break
		}
	}
	sel := includesAll(c, "select_for_includes")
	pre := includesAll(c, "prefetch_for_includes")
	if len(sel) == 0 && len(pre) == 0 {
		return q
	}
	q = q.clone()
	q.Select = append(q.Select, sel...)
	q.Prefetch = append(q.Prefetch, pre...)
	return q
}

// jsonAPIPreloads reports a view deriving from one of
// django-rest-framework-json-api's classes that apply the includes dicts.
func jsonAPIPreloads(c *Class) bool {
	for _, cc := range mro(c) {
		for _, b := range cc.BaseNames() {
			if !strings.HasPrefix(b, "rest_framework_json_api.") {
				continue
			}
			switch b[strings.LastIndex(b, ".")+1:] {
			case "PreloadIncludesMixin", "PrefetchForIncludesHelperMixin", "ModelViewSet", "ReadOnlyModelViewSet":
				return true
			}
		}
	}
	return false
}

// includesAll reads the string paths of the "__all__" entry of a class's
// dict attribute `name` (its own or a base's).
func includesAll(c *Class, name string) []string {
	v, _ := c.Attr(name)
	v = pyast.Unparen(v)
	if v.IsNil() || v.Type() != "dictionary" {
		return nil
	}
	var out []string
	for p := range v.Named() {
		if p.Type() != "pair" {
			continue
		}
		if k, ok := pyast.StringValue(p.ChildByField("key")); !ok || k != "__all__" {
			continue
		}
		val := pyast.Unparen(p.ChildByField("value"))
		if val.Type() != "list" && val.Type() != "tuple" {
			continue
		}
		for e := range val.Named() {
			if s, ok := pyast.StringValue(e); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
