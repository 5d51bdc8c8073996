// Package idempotency holds the IDM family: operations that must have the
// same effect when delivered or retried twice (payment calls, webhook
// handlers, retried Celery tasks).
package idempotency

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

// mentionsIdempotency reports whether the function body names an
// idempotency key anywhere (an identifier, attribute or string containing
// "idempoten"): the key may be built in a variable and passed through
// headers, which the call alone does not show.
func mentionsIdempotency(fn pyast.Node) bool {
	for n := range pyast.FindEach(fn, "identifier", "string_content") {
		if n.IsNamed() && strings.Contains(strings.ToLower(n.Text()), "idempoten") {
			return true
		}
	}
	return false
}

// dedupKeywords are keyword names of a lookup that de-duplicates on an
// external identifier.
var dedupKeywords = []string{"event", "webhook", "idempot", "external", "delivery", "message_id", "request_id"}

// dedupGuard returns the first sign, in fn's own body, that repeated
// deliveries are expected: get_or_create/update_or_create, exists(),
// select_for_update(), bulk_create(ignore_conflicts=True), a lookup on an
// event/external id, `except IntegrityError`, a cache lock (cache.add,
// setnx, set(nx=True)). The zero Node means none.
func dedupGuard(fn pyast.Node) pyast.Node {
	var guard pyast.Node
	pyast.Inspect(pyast.Body(fn), func(n pyast.Node) bool {
		if !guard.IsNil() {
			return false
		}
		switch n.Type() {
		case "function_definition", "class_definition":
			return false
		case "except_clause":
			if strings.Contains(n.Text(), "IntegrityError") {
				guard = n
			}
			return true
		case "call":
		default:
			return true
		}
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create", "exists", "aexists", "select_for_update", "setnx":
			guard = n
		case "bulk_create":
			if c.Keyword("ignore_conflicts").Text() == "True" || !c.Keyword("update_conflicts").IsNil() {
				guard = n
			}
		case "add":
			if strings.Contains(strings.ToLower(c.Receiver().Text()), "cache") {
				guard = n
			}
		case "set":
			if c.Keyword("nx").Text() == "True" {
				guard = n
			}
		case "filter", "get", "exclude":
			for k := range c.EachKeyword() {
				lk := strings.ToLower(k)
				for _, w := range dedupKeywords {
					if strings.Contains(lk, w) {
						guard = n
					}
				}
			}
		}
		return true
	})
	return guard
}

// creations returns the row-creating calls of fn: Model.objects.create,
// bulk_create without ignore_conflicts, and `Model(...).save()` /
// `x = Model(...); x.save()`.
func creations(f *effects.File, fn pyast.Node) []effects.Effect {
	var out []effects.Effect
	var ctorLocals map[string]bool
	for _, e := range f.Effects(fn) {
		if e.Kind != effects.DBWrite {
			continue
		}
		switch e.Verb {
		case "create", "bulk_create":
			out = append(out, e)
		case "save":
			if !e.Call.Keyword("update_fields").IsNil() || e.Call.Keyword("force_update").Text() == "True" {
				continue // an UPDATE only: Django never inserts on it
			}
			r := pyast.Unparen(e.Call.Receiver())
			if rc, ok := pyast.AsCall(r); ok && isCtor(rc.Func) {
				out = append(out, e)
				continue
			}
			if ctorLocals == nil {
				ctorLocals = constructed(fn)
			}
			if ctorLocals[pyast.Dotted(r)] {
				out = append(out, e)
			}
		}
	}
	return out
}

// constructed returns the names bound to `Model(...)` in fn.
func constructed(fn pyast.Node) map[string]bool {
	out := map[string]bool{}
	for as := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		c, ok := pyast.AsCall(pyast.Unparen(as.ChildByField("right")))
		if ok && isCtor(c.Func) && as.ChildByField("left").Type() == "identifier" {
			out[as.ChildByField("left").Text()] = true
		}
	}
	return out
}

// isCtor reports whether a callee looks like a model class (CapWords, not a
// Form or Serializer).
func isCtor(fn pyast.Node) bool {
	d := pyast.Dotted(fn)
	last := d[strings.LastIndex(d, ".")+1:]
	if last == "" || last[0] < 'A' || last[0] > 'Z' || strings.ToUpper(last) == last {
		return false
	}
	return !strings.HasSuffix(last, "Form") && !strings.HasSuffix(last, "Serializer")
}

// createdName names what a creation writes, for messages: the model when
// the write names its class (see effects.WriteModel).
func createdName(p *analyzer.Pass, e effects.Effect) string {
	if m := effects.WriteModel(p.Project, p.Unit, e, nil); m != "" {
		return "`" + m + "` rows"
	}
	return "rows (`" + e.Name + "`)"
}

// isWebhookHandler reports whether fn receives webhooks or events: a
// handler the endpoint inventory recognises as a webhook receiver (see
// semantic.Webhook, shared with the SEC webhook rules), or a Celery task
// named for events or webhooks that takes the event (a parameter named
// event, payload, body...) and sends nothing over HTTP. Projects also
// *send* webhooks and name that code alike; requiring a recognised
// receiver or an event parameter, and no outbound call, keeps the sending
// side out.
func isWebhookHandler(p *analyzer.Pass, f *effects.File, fn pyast.Node) bool {
	inv := semantic.InventoryOf(p.Project)
	if sf := semantic.Of(p.Project).File(p.Unit); sf != nil {
		if sfn := sf.FuncOf(fn); sfn != nil {
			for _, e := range inv.ForFunc(sfn) {
				if e.Webhook != nil && e.Judged(inv) {
					return true
				}
			}
		}
	}
	name := strings.ToLower(pyast.DefName(fn))
	if !effects.IsCeleryTask(p.Imports, fn) || !strings.Contains(name, "event") && !strings.Contains(name, "webhook") {
		return false
	}
	eventParam := false
	for _, p := range pyast.ParamNames(fn) {
		switch p {
		case "event", "payload", "event_data", "body", "event_payload", "webhook_event", "data", "message":
			eventParam = true
		}
	}
	if !eventParam {
		return false
	}
	for _, e := range f.Effects(fn) {
		if e.Kind == effects.HTTP {
			return false
		}
	}
	return true
}
