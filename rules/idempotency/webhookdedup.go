package idempotency

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
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
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration | semantic.DevData,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runWebhookWithoutDedup,
}

// runWebhookWithoutDedup matches webhook/event handlers (see
// isWebhookHandler: the endpoint inventory's webhook receivers, Celery
// tasks named for events taking the event) whose own body creates rows (objects.create,
// bulk_create, Model(...).save()) and shows no de-duplication (see
// dedupGuard). One finding per handler, at the first creation. It skips
// handlers that delegate creation to helpers, tests and migrations, and
// creations the database de-duplicates (see uniqueKeyed).
func runWebhookWithoutDedup(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		if !isWebhookHandler(p, f, fn) {
			continue
		}
		cs := creations(f, fn)
		if len(cs) == 0 || !dedupGuard(fn).IsNil() {
			continue
		}
		cs = slices.DeleteFunc(cs, func(e effects.Effect) bool { return uniqueKeyed(p, fn, e) })
		if len(cs) == 0 {
			continue
		}
		e := cs[0]
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(e.Callee()),
			Message: "webhook handler `" + pyast.DefName(fn) + "` creates " + createdName(p, e) + " without de-duplicating on the event id",
			Help:    "providers redeliver events: store the event id with a unique constraint and use `get_or_create(event_id=...)` (or check `.filter(event_id=...).exists()` first) and return 200 for a duplicate",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(fn.ChildByField("name")), Message: "handler"}},
		})
	}
	return nil
}

// uniqueKeyed reports whether the model graph shows that a creation cannot
// insert the same event twice: the fields it sets from the delivery
// (keywords of `Model.objects.create(...)` or of the `Model(...)` a saved
// local was built from, values that are not freshly generated) include
// the primary key, a unique field, a one-to-one relation, or every field
// of a unique_together set or UniqueConstraint. The duplicate delivery
// then fails with IntegrityError instead of booking twice.
func uniqueKeyed(p *analyzer.Pass, fn pyast.Node, e effects.Effect) bool {
	if p.Project == nil || p.Project.Models == nil {
		return false
	}
	var model *project.Model
	var kw map[string]pyast.Node
	switch e.Verb {
	case "create":
		model, kw = managedModel(p, e.Call.Receiver()), e.Call.Keywords
	case "save":
		ctor, ok := pyast.AsCall(pyast.Unparen(e.Call.Receiver()))
		if !ok {
			ctor, ok = constructorOf(fn, pyast.Dotted(pyast.Unparen(e.Call.Receiver())), e.Node().StartByte())
		}
		if ok {
			model, kw = p.Project.Models.Lookup(p.Unit, pyast.Dotted(ctor.Func)), ctor.Keywords
		}
	}
	if model == nil {
		return false
	}
	var set []string
	for k, v := range kw {
		if !generated(v) {
			set = append(set, k)
		}
	}
	if model.UniqueBy(set) {
		return true
	}
	for _, k := range set {
		f := model.Field(k)
		if f == nil {
			f = model.FKColumn(k)
		}
		if f != nil && f.Kind == project.OneToOne {
			return true
		}
	}
	return false
}

// managedModel resolves `Model.<manager>` to a model of the graph.
func managedModel(p *analyzer.Pass, recv pyast.Node) *project.Model {
	recv = pyast.Unparen(recv)
	if recv.Type() != "attribute" {
		return nil
	}
	m := p.Project.Models.Lookup(p.Unit, pyast.Dotted(recv.ChildByField("object")))
	if m == nil || !m.HasManager(recv.ChildByField("attribute").Text()) {
		return nil
	}
	return m
}

// constructorOf returns the `Model(...)` call last bound to name in fn
// before offset.
func constructorOf(fn pyast.Node, name string, before int) (pyast.Call, bool) {
	var found pyast.Call
	ok := false
	for as := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		if as.StartByte() > before || as.ChildByField("left").Text() != name {
			continue
		}
		found, ok = pyast.AsCall(pyast.Unparen(as.ChildByField("right")))
	}
	return found, ok
}

// generated reports whether a value is made up on the spot (uuid4(),
// timezone.now(), secrets.token_hex()) rather than read from the delivery:
// a unique column holding it de-duplicates nothing.
func generated(v pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(v))
	if !ok {
		return false
	}
	d := strings.ToLower(pyast.Dotted(c.Func))
	for _, w := range []string{"uuid", "now", "random", "token_", "time"} {
		if strings.Contains(d, w) {
			return true
		}
	}
	return false
}
