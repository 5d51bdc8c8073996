package security

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// reportWritableOwner is SEC020's ownership case: a serializer that lets
// clients write the foreign key a view scopes its rows by
// (`get_queryset` filters `user=self.request.user`), behind that view's
// create. The view treats the field as the caller; the body sets it.
// Silent when the view or the serializer fills it from the request
// (`serializer.save(user=self.request.user)`, `self.context["request"].user`),
// when the field is read-only, and for staff-only or unknown permissions.
func reportWritableOwner(p *analyzer.Pass) {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	inv := semantic.InventoryOf(p.Project)
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		meta := semantic.MetaClass(cls)
		if meta.IsNil() || formKind(cls, meta) != "serializer" || readsCaller(pyast.Body(cls).Text()) {
			continue
		}
		sc := f.ClassOfDef(cls)
		if sc == nil {
			continue
		}
		for _, e := range inv.Endpoints {
			if e.Class == nil || e.Action != "create" || !e.Judged(inv) || adminOnly(e) || e.Auth.Unknown || e.Model == nil {
				continue
			}
			uses := false
			sers, _ := sm.EndpointSerializers(e)
			for _, s := range sers {
				uses = uses || s == sc
			}
			if !uses {
				continue
			}
			viewText := e.Class.Node.Text()
			for _, owner := range ownerFilters(e.Class) {
				if fl := e.Model.Field(owner); fl == nil || !fl.IsRelation() || strings.Contains(viewText, "save("+owner+"=") {
					continue
				}
				at, name := writableOwnerField(cls, meta, owner)
				if at.IsNil() {
					continue
				}
				route := "`" + e.View + "`"
				if e.Route != "" {
					route = "`/" + strings.TrimPrefix(e.Route, "/") + "`"
				}
				p.Report(analyzer.Diagnostic{
					Confidence: analyzer.Medium,
					Range:      analyzer.RangeOf(at),
					Message: fmt.Sprintf("`%s` lets clients write `%s`, the `%s` that `%s` scopes its rows to the caller by, and POST %s takes its body: any caller creates `%s` rows in another user's name",
						pyast.DefName(cls), name, owner, e.Class.Name, route, e.Model.Name),
					Help: fmt.Sprintf("make `%s` read-only and set it from the caller: `serializer.save(%s=self.request.user)` in `perform_create`", name, owner),
				})
				break
			}
		}
	}
}

// ownerFilters returns the fields a view class's queryset is filtered by
// against the caller: `filter(user=self.request.user)` (or
// `user_id=self.request.user.id`, `user__id=...`) in get_queryset or the
// queryset attribute.
func ownerFilters(c *semantic.Class) []string {
	var out []string
	seen := map[string]bool{}
	var roots []pyast.Node
	if fn := c.Method("get_queryset"); fn != nil && fn.File != nil {
		roots = append(roots, fn.Node)
	}
	if v, _ := c.Attr("queryset"); !v.IsNil() {
		roots = append(roots, v)
	}
	for _, r := range roots {
		for kw := range pyast.FindEach(r, "keyword_argument") {
			v := strings.TrimSuffix(pyast.Dotted(kw.ChildByField("value")), ".id")
			if v != "self.request.user" && v != "request.user" {
				continue
			}
			name := kw.ChildByField("name").Text()
			name = strings.TrimSuffix(strings.TrimSuffix(name, "__id"), "_id")
			if strings.Contains(name, "__") || seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// writableOwnerField returns where a serializer lets clients write the
// owner relation: a declared related field named for it (or with
// `source="<owner>"`) that is not read-only, or the owner listed in
// Meta.fields with no declaration, no read_only_fields entry and no
// extra_kwargs for it.
func writableOwnerField(cls, meta pyast.Node, owner string) (pyast.Node, string) {
	declared := map[string]bool{}
	for a := range pyast.FindEachShallow(pyast.Body(cls), "assignment") {
		name := a.ChildByField("left").Text()
		declared[name] = true
		c, ok := pyast.AsCall(a.ChildByField("right"))
		if !ok || !strings.HasSuffix(pyast.Dotted(c.Func), "RelatedField") {
			continue
		}
		src, _ := pyast.StringValue(c.Keyword("source"))
		if name != owner && name != owner+"_id" && src != owner {
			continue
		}
		if ro := c.Keyword("read_only"); !ro.IsNil() && ro.Text() == "True" {
			continue
		}
		return a.ChildByField("left"), name
	}
	var fields pyast.Node
	metaText := ""
	for a := range pyast.FindEachShallow(pyast.Body(meta), "assignment") {
		switch a.ChildByField("left").Text() {
		case "fields":
			fields = pyast.Unparen(a.ChildByField("right"))
		case "read_only_fields", "extra_kwargs":
			metaText += a.ChildByField("right").Text()
		}
	}
	if fields.IsNil() || !fields.Is("list", "tuple") || declared[owner] || strings.Contains(metaText, `"`+owner+`"`) || strings.Contains(metaText, `'`+owner+`'`) {
		return pyast.Node{}, ""
	}
	for e := range fields.Named() {
		if v, ok := pyast.StringValue(e); ok && v == owner {
			return e, owner
		}
	}
	return pyast.Node{}, ""
}

// readsCaller reports serializer code that reads the request's user (it
// can fill the owner itself): `request.user`, `self.context["request"]`.
func readsCaller(text string) bool {
	for _, w := range []string{"request.user", `context["request"]`, `context['request']`, `context.get("request")`, `context.get('request')`} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}
