package txn

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed resend.md
var resendDoc string

// SentOnEverySave reports a post_save receiver that sends (queues a
// sending task, sends a mail) on every save of its model, updates
// included: it never reads `created`.
var SentOnEverySave = &analyzer.Rule{
	Code:       "TXN010",
	Name:       "sent-on-every-save",
	Doc:        resendDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.20.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints},
	Run:        runSentOnEverySave,
}

// sendWords name a task that delivers something to someone: a task named
// for them (`send_messages`, `notify_client`, `send_sms`) is a delivery,
// while one named otherwise (`reindex`, `sync_row`) may be meant to run on
// every change.
var sendWords = map[string]bool{"send": true, "notify": true, "notification": true, "notifications": true,
	"mail": true, "email": true, "emails": true, "sms": true, "message": true, "messages": true, "push": true,
	"alert": true, "mailing": true, "newsletter": true}

// runSentOnEverySave matches functions connected to post_save (decorated
// with @receiver(post_save, sender=M) or `post_save.connect(fn, sender=M)`
// in the file) for a model M the project knows, whose own body sends an
// e-mail (send_mail, EmailMessage.send, email_user) or queues a task named
// for a delivery (sendWords), not under any condition that reads the saved
// row, while nothing in the body tells a creation from an update
// (receiverTellsCreation). The premise is that a row of M is saved again: some
// endpoint, the admin or product code edits it (TXN007's editedSomewhere).
// One finding per receiver, at its first send.
func runSentOnEverySave(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	sf := sm.File(p.Unit)
	if sf == nil || p.Project == nil || p.Project.Models == nil {
		return nil
	}
	connected := semantic.PostSaveSenders(p.Root)
	ef := effects.Of(p.Unit)
	for _, fn := range sf.Funcs {
		sender, ok := semantic.PostSaveSender(fn.Node, connected)
		if !ok || len(fn.Params) < 2 {
			continue
		}
		md := p.Project.Models.Lookup(p.Unit, sender)
		inst := instanceParam(fn)
		if md == nil || receiverTellsCreation(fn.Node, inst) {
			continue
		}
		var send *effects.Effect
		effs := ef.Effects(fn.Node)
		for i, e := range effs {
			if !deliveryEffect(e) || underRowCondition(fn.Node, e.Node(), inst) {
				continue
			}
			send = &effs[i]
			break
		}
		if send == nil {
			continue
		}
		if !editedSomewhere(sm, semantic.InventoryOf(p.Project), md) {
			continue // rows of the model are never saved twice: the premise does not hold
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(send.Callee()),
			Message: fmt.Sprintf("the post_save receiver `%s` %s `%s` on every save of `%s`, updates included: saving a `%s` again (an edit, a status written back) sends it again",
				fn.Name, map[bool]string{true: "queues", false: "calls"}[send.Kind == effects.Enqueue], send.Name, md.Name, md.Name),
			Help: "send only when the row is created (`if created:`, which post_save passes), or on the change that calls for it (compare the stored state), and record what was sent so a repeat is refused",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(fn.Node.ChildByField("name")),
				Message: "connected to post_save; nothing in it reads `created`"}},
		})
	}
	return nil
}

// receiverTellsCreation reports whether a receiver's body reads anything
// that tells a creation from an update: the `created` argument (by name,
// or as `kwargs["created"]`/`kwargs.get("created")`), `update_fields`,
// `_state.adding`, or a condition reading the row's key
// (`if instance.pk ...`) or a name with "new", "created" or "adding".
func receiverTellsCreation(fn pyast.Node, inst string) bool {
	found := false
	pyast.Inspect(pyast.Body(fn), func(n pyast.Node) bool {
		if found {
			return false
		}
		switch n.Type() {
		case "identifier":
			t := n.Text()
			found = t == "created" || t == "update_fields" || t == "_state" || t == "adding"
		case "string":
			if v, ok := pyast.StringValue(n); ok {
				found = v == "created" || v == "update_fields"
			}
		case "if_statement", "elif_clause", "while_statement", "conditional_expression", "assert_statement":
			cond := n.ChildByField("condition")
			if cond.IsNil() {
				cond = n.NamedChild(0)
			}
			pyast.Inspect(cond, func(c pyast.Node) bool {
				switch c.Type() {
				case "attribute":
					a := c.ChildByField("attribute").Text()
					if (a == "pk" || a == "id") && c.ChildByField("object").Text() == inst {
						found = true
					}
				case "identifier":
					t := strings.ToLower(c.Text())
					if strings.Contains(t, "new") || strings.Contains(t, "created") || strings.Contains(t, "adding") {
						found = true
					}
				}
				return !found
			})
		}
		return !found
	})
	return found
}

// deliveryEffect reports an e-mail sent, or a task queued whose name says
// it delivers something (sendWords).
func deliveryEffect(e effects.Effect) bool {
	switch e.Kind {
	case effects.Mail:
		return true
	case effects.Enqueue:
		name := e.Name
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".delay"), ".apply_async")
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		for _, w := range semantic.IdentWords(name) {
			if sendWords[strings.ToLower(w)] {
				return true
			}
		}
	}
	return false
}

// underRowCondition reports whether the call sits under an if, elif,
// while or conditional expression of fn whose condition reads the saved
// row (`if instance.status == "READY":`): the author sends on a state,
// which the rule does not judge.
func underRowCondition(fn, call pyast.Node, inst string) bool {
	if inst == "" {
		return false
	}
	for n := call.Parent(); !n.IsNil() && !n.Equal(fn); n = n.Parent() {
		switch n.Type() {
		case "if_statement", "elif_clause", "while_statement", "conditional_expression", "else_clause":
			cond := n.ChildByField("condition")
			if n.Type() == "else_clause" {
				cond = n.Parent().ChildByField("condition")
			}
			if !cond.IsNil() && readsName(cond, inst) {
				return true
			}
		}
	}
	return false
}
