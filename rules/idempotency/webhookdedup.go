package idempotency

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/effects"
)

//go:embed webhookdedup.md
var webhookDedupDoc string

// WebhookWithoutDedup reports webhook and event handlers that create rows
// without de-duplicating on the event id.
var WebhookWithoutDedup = &analyzer.Rule{
	Code:       "IDM002",
	Name:       "webhook-without-deduplication",
	Doc:        webhookDedupDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runWebhookWithoutDedup,
}

// runWebhookWithoutDedup matches webhook/event handlers (see
// isWebhookHandler: views named or classed for webhooks, @csrf_exempt views
// reading request.body, Celery tasks named for events taking the event) whose own body creates rows (objects.create,
// bulk_create, Model(...).save()) and shows no de-duplication (see
// dedupGuard). One finding per handler, at the first creation. It skips
// handlers that delegate creation to helpers, tests and migrations. The
// model graph (a unique constraint on the event-id field) is not consulted
// yet.
func runWebhookWithoutDedup(p *analyzer.Pass) error {
	if skipFile(p) {
		return nil
	}
	f := effects.Of(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		if !isWebhookHandler(p.Imports, f, fn) {
			continue
		}
		cs := creations(f, fn)
		if len(cs) == 0 || !dedupGuard(fn).IsNil() {
			continue
		}
		e := cs[0]
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(e.Callee()),
			Message: "webhook handler `" + pyast.DefName(fn) + "` creates " + createdName(e) + " without de-duplicating on the event id",
			Help:    "providers redeliver events: store the event id with a unique constraint and use `get_or_create(event_id=...)` (or check `.filter(event_id=...).exists()` first) and return 200 for a duplicate",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(fn.ChildByField("name")), Message: "handler"}},
		})
	}
	return nil
}
