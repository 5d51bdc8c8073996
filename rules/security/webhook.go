package security

import (
	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// webhookView is a webhook receiver of the file (see semantic.Webhook).
type webhookView struct {
	ep       *semantic.Endpoint
	hook     *semantic.Webhook
	fn       pyast.Node // the handler's function_definition
	bodyRead pyast.Node // first read of the raw body in the handler (request.body, request.read()), or zero
	asgi     bool       // FastAPI/Starlette, where no framework limit applies
}

// webhookViews returns the webhook receivers whose handler the file
// defines: endpoints of the inventory that semantic.Webhook recognises
// (handlers, classes or routes named for webhooks, callbacks, IPN or
// notify; csrf_exempt views reading the raw body) and that read the
// delivery, directly or in a helper they hand the request to. The
// signature, replay and body-size rules share it, and so does IDM002.
func webhookViews(p *analyzer.Pass) []webhookView {
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	var out []webhookView
	seen := map[*semantic.Func]bool{}
	for _, e := range inv.InFile(f) {
		if e.Webhook == nil || e.Handler == nil || seen[e.Handler] || !e.Judged(inv) {
			continue
		}
		seen[e.Handler] = true
		out = append(out, webhookView{ep: e, hook: e.Webhook, fn: e.Handler.Node, bodyRead: e.Webhook.BodyRead, asgi: e.Kind == "asgi"})
	}
	return out
}

// isMethod reports whether a function definition is a method of a class.
func isMethod(fn pyast.Node) bool {
	b := fn.Parent()
	if b.Type() == "decorated_definition" {
		b = b.Parent()
	}
	return b.Type() == "block" && b.Parent().Type() == "class_definition"
}

// hasWord reports whether one of name's words is one of want.
func hasWord(name string, want ...string) bool {
	for _, w := range semantic.NameWords(name) {
		for _, x := range want {
			if w == x {
				return true
			}
		}
	}
	return false
}
