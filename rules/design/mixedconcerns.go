package design

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed mixedconcerns.md
var mixedConcernsDoc string

// MixedConcerns reports functions that do transport, persistence and
// notification in one body.
var MixedConcerns = &analyzer.Rule{
	Code:       "ARC004",
	Name:       "transport-persistence-notification-mixed",
	Doc:        mixedConcernsDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Info,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.Migration | semantic.Settings,
	Run:        runMixedConcerns,
}

// runMixedConcerns matches functions whose own body (nested functions and
// lambdas excluded) makes an HTTP call, writes through the ORM and enqueues
// a task, sends e-mail or publishes a message. It reports at the function
// name with the three first occurrences as related locations. Settings
// modules, tests and migrations are skipped.
func runMixedConcerns(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		var transport, persist, notify *effects.Effect
		effs := f.Effects(fn)
		for i, e := range effs {
			switch {
			case e.Kind == effects.HTTP && transport == nil:
				transport = &effs[i]
			case e.Kind == effects.DBWrite && persist == nil:
				persist = &effs[i]
			case e.Kind.Notifies() && notify == nil:
				notify = &effs[i]
			}
		}
		if transport == nil || persist == nil || notify == nil {
			continue
		}
		name := fn.ChildByField("name")
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(name),
			Message: "`" + name.Text() + "` mixes transport (`" + transport.Name + "`), persistence (`" + persist.Name + "`) and notification (`" + notify.Name + "`)",
			Help:    "split it: a client that only speaks HTTP, a repository or model method that only writes, and a notifier; the service method composes the three (each injected), so each can be tested and mocked alone",
			Related: []analyzer.Related{
				{Range: analyzer.RangeOf(transport.Callee()), Message: "transport"},
				{Range: analyzer.RangeOf(persist.Callee()), Message: "persistence"},
				{Range: analyzer.RangeOf(notify.Callee()), Message: "notification"},
			},
		})
	}
	return nil
}
