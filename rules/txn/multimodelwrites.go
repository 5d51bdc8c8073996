package txn

import (
	_ "embed"

	"sort"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed multimodelwrites.md
var multiModelWritesDoc string

// MultiModelWrites reports functions writing several models without a
// transaction.
var MultiModelWrites = &analyzer.Rule{
	Code:       "TXN003",
	Name:       "multi-model-writes-without-atomic",
	Doc:        multiModelWritesDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, effects.ProjectPackages},
	Run:        runMultiModelWrites,
}

// runMultiModelWrites matches functions whose body writes at least two
// different models it can name (`A.objects.create`, `B.objects.filter().update`,
// `b = B(...); b.save()`) with no atomic block or decorator. It skips writes
// whose model is unknown (`obj.save()` on a parameter), views under
// ATOMIC_REQUESTS, DRF view hooks their view's atomic handler runs
// (`@transaction.atomic def post(...): return self.create(...)` runs
// perform_create), writes in exclusive branches (if/elif/else, or after a
// branch that returns), functions called from an atomic block (same file, or by name
// elsewhere in the project) or registering on_commit callbacks,
// tests, migrations and seed scripts, and models named by a variable
// (`for model in MODELS: model.objects...`). One finding per function, at
// the first write of the second model. Pairs of queryset-wide
// update()/delete() (a re-run repairs a partial cleanup) and signal
// receivers (the sender's caller owns the transaction) get low confidence.
func runMultiModelWrites(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	txc := &callerTxn{p: p}
	for _, fn := range effects.Functions(p.Root) {
		effs := f.Effects(fn)
		var writes []effects.Effect
		var models []string
		var locals map[string]string
		for _, e := range effs {
			if e.Kind != effects.DBWrite {
				continue
			}
			if locals == nil {
				locals = effects.LocalModels(fn, func(c pyast.Node) bool { return effects.LibraryClass(p.Project, p.Unit, c) })
			}
			if m := effects.WriteModel(p.Project, p.Unit, e, locals); m != "" {
				writes = append(writes, e)
				models = append(models, m)
			}
		}
		writes, models, inferred := withSemanticWrites(p, fn, writes, models)
		writes, models = withoutReferenceLookups(writes, models)
		writes, models = withoutLoginTokens(p, writes, models)
		i, j := firstPair(writes, models)
		if i < 0 {
			continue
		}
		if effects.InRequestTransaction(p.Project, p.Imports, fn) {
			continue
		}
		if txc.covered(fn) {
			if !txc.coveredWhole(fn) {
				reportOutsideAtomic(p, fn, writes, models)
			}
			continue
		}
		conf := analyzer.Medium
		// A write whose model only the semantic model names (a related
		// manager, a model's own save()) is a weaker reading: low.
		if bulkCleanup(writes[i]) && bulkCleanup(writes[j]) || isSignalReceiver(p, fn) ||
			inferred[writes[i].Node().ID()] || inferred[writes[j].Node().ID()] {
			conf = analyzer.Low
		}
		p.Report(analyzer.Diagnostic{
			Confidence: conf,
			Range:      analyzer.RangeOf(writes[j].Callee()),
			Message:    "`" + fn.ChildByField("name").Text() + "` writes `" + models[i] + "` and `" + models[j] + "` without `transaction.atomic`",
			Help:       "wrap the related writes in `with transaction.atomic():` (or decorate the function with `@transaction.atomic`) so a failure between them leaves neither",
			Related:    []analyzer.Related{{Range: analyzer.RangeOf(writes[i].Callee()), Message: "first write (`" + models[i] + "`)"}},
		})
	}
	return nil
}

// firstPair returns the first two writes (in source order of the second)
// to different models that can both run in one call, or -1, -1.
func firstPair(writes []effects.Effect, models []string) (int, int) {
	for j := range writes {
		for i := 0; i < j; i++ {
			if models[i] != models[j] && !effects.Exclusive(writes[i].Node(), writes[j].Node()) {
				return i, j
			}
		}
	}
	return -1, -1
}

// withoutReferenceLookups drops the get_or_create calls whose every
// argument is a constant (`SourceType.objects.get_or_create(name=self.NAME)`,
// `PaymentEventType.objects.get_or_create(name=PaymentEventTypeName.PAID)`):
// they fetch a shared reference row, made once and the same on every run,
// so a failure after one leaves nothing half done.
func withoutReferenceLookups(writes []effects.Effect, models []string) ([]effects.Effect, []string) {
	var ws []effects.Effect
	var ms []string
	for k, w := range writes {
		if w.Verb == "get_or_create" && constantArgs(w.Call) {
			continue
		}
		ws = append(ws, w)
		ms = append(ms, models[k])
	}
	return ws, ms
}

// withoutLoginTokens drops the writes of a login token (DRF's authtoken
// `Token`, knox's `AuthToken`) when a routed view issues such tokens at
// log-in (obtain_auth_token, ObtainAuthToken, a sign-in view whose only
// write is the token): a sign-up whose token insert fails leaves a user who
// gets a token at the next log-in, nothing half done.
func withoutLoginTokens(p *analyzer.Pass, writes []effects.Effect, models []string) ([]effects.Effect, []string) {
	var ws []effects.Effect
	var ms []string
	issued := map[string]bool{}
	for k, w := range writes {
		if m := loginToken(p, w); m != "" {
			ok, seen := issued[m]
			if !seen {
				ok = semantic.InventoryOf(p.Project).IssuesTokenAtLogin(m)
				issued[m] = ok
			}
			if ok {
				continue
			}
		}
		ws = append(ws, w)
		ms = append(ms, models[k])
	}
	return ws, ms
}

// loginTokenModels are the token models of DRF and knox, by import path.
var loginTokenModels = map[string]string{
	"rest_framework.authtoken.models.Token":      "Token",
	"rest_framework.authtoken.models.TokenProxy": "Token",
	"knox.models.AuthToken":                      "AuthToken",
}

// loginToken returns the token model a write goes through
// (`Token.objects.get_or_create(user=user)`, `AuthToken.objects.create(user)`),
// or "".
func loginToken(p *analyzer.Pass, w effects.Effect) string {
	root := semantic.ManagerRoot(w.Call.Func)
	if root == "" {
		return ""
	}
	for n := w.Call.Func; !n.IsNil(); {
		if pyast.Dotted(n) == root {
			q, _ := p.Imports.Resolve(n)
			return loginTokenModels[q]
		}
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
		case "attribute":
			n = n.ChildByField("object")
		default:
			return ""
		}
	}
	return ""
}

// constantArgs reports a call with keyword arguments only, at least one,
// each a literal or a constant's name (UPPER_CASE, or an attribute ending
// in one: `self.NAME`, `Status.PAID`), or a dict of those (`defaults=`).
func constantArgs(c pyast.Call) bool {
	if len(c.Positional) > 0 || c.StarKwargs || len(c.Keywords) == 0 {
		return false
	}
	for _, v := range c.EachKeyword() {
		if !constantExpr(pyast.Unparen(v)) {
			return false
		}
	}
	return true
}

func constantExpr(v pyast.Node) bool {
	switch v.Type() {
	case "string", "integer", "float", "true", "false", "none":
		return true
	case "identifier":
		return upperName(v.Text())
	case "attribute":
		return upperName(v.ChildByField("attribute").Text())
	case "dictionary": // defaults={"label": LABEL}
		for pair := range v.Named() {
			if pair.Type() != "pair" || !constantExpr(pyast.Unparen(pair.ChildByField("value"))) {
				return false
			}
		}
		return true
	}
	return false
}

// upperName reports a name written as a constant: letters all upper case.
func upperName(s string) bool {
	letters := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			return false
		case r >= 'A' && r <= 'Z':
			letters = true
		}
	}
	return letters
}

// bulkCleanup reports a queryset-wide update() or delete()
// (`Reservation.objects.filter(...).delete()`): running it again after a
// failure finishes the job, unlike a create.
func bulkCleanup(e effects.Effect) bool {
	return e.Model != "" && (e.Verb == "update" || e.Verb == "delete")
}

// isSignalReceiver reports a function decorated with Django's @receiver:
// it runs inside whatever transaction the sender's caller holds.
func isSignalReceiver(p *analyzer.Pass, fn pyast.Node) bool {
	for _, d := range pyast.Decorators(fn) {
		if c, ok := pyast.AsCall(d); ok {
			d = c.Func
		}
		if q, ok := p.Imports.Resolve(d); ok && q == "django.dispatch.receiver" || pyast.Dotted(d) == "receiver" {
			return true
		}
	}
	return false
}

// withSemanticWrites adds the writes whose model only the semantic model
// knows: creates and updates through a related manager
// (`self.wallet.transactions.create(...)`), `super().save()` in a model's
// own save(), and `row.save()` on a row it knows (`wallet = self.wallet`
// in a model method). The result is in source order.
func withSemanticWrites(p *analyzer.Pass, fn pyast.Node, writes []effects.Effect, models []string) ([]effects.Effect, []string, map[int32]bool) {
	f := semantic.Of(p.Project).File(p.Unit)
	seen := map[int32]bool{}
	for _, w := range writes {
		seen[w.Node().ID()] = true
	}
	added := map[int32]bool{}
	for n := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		if seen[n.ID()] {
			continue
		}
		h, _ := pyast.AsCallHead(n)
		if h.Func.Type() != "attribute" {
			continue
		}
		m, verb := "", h.MethodName()
		recv := h.Receiver()
		switch verb {
		case "create", "bulk_create", "get_or_create", "update_or_create", "update", "delete":
			if qs := f.Eval(recv); qs != nil && qs.Model != nil && qs.Related {
				m = qs.Model.Name
			}
		}
		if verb == "perform_create" || verb == "perform_update" {
			// `super().perform_create(serializer)`: DRF's hook saves the
			// serializer it is handed.
			if rc, ok := pyast.AsCallHead(recv); ok && pyast.Dotted(rc.Func) == "super" {
				if c, _ := pyast.AsCall(n); len(c.Positional) == 1 {
					if md := f.SerializerSaveModel(c.Positional[0]); md != nil {
						m = md.Name
					}
				}
			}
		}
		if verb == "save" || verb == "delete" && m == "" {
			if rc, ok := pyast.AsCallHead(recv); ok && pyast.Dotted(rc.Func) == "super" {
				// The model whose own save() (or delete()) this is.
				if ef := f.EnclosingFunc(n); ef != nil && ef.Class != nil && f.M.Graph != nil && pyast.DefName(fn) == verb {
					if md := f.M.Graph.ByQual(ef.Class.Qual); md != nil {
						m = md.Name
					}
				}
			} else if md := rowModel(f, recv); md != nil {
				if c, _ := pyast.AsCall(n); len(c.Positional) == 0 {
					m = md.Name
				}
			} else if md := f.SerializerSaveModel(recv); md != nil && verb == "save" {
				m = md.Name // a serializer or model form saves its model's row
			}
		}
		if m == "" {
			m = savingMethod(f, recv, verb)
		}
		if m == "" {
			continue
		}
		c, _ := pyast.AsCall(n)
		writes = append(writes, effects.Effect{Kind: effects.DBWrite, Call: c, Verb: verb, Name: pyast.Dotted(c.Func)})
		models = append(models, m)
		added[n.ID()] = true
	}
	if len(added) == 0 {
		return writes, models, nil
	}
	idx := make([]int, len(writes))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return writes[idx[a]].Node().StartByte() < writes[idx[b]].Node().StartByte() })
	ws, ms := make([]effects.Effect, len(writes)), make([]string, len(writes))
	for i, k := range idx {
		ws[i], ms[i] = writes[k], models[k]
	}
	return ws, ms, added
}

// savingMethod returns the model of a row of known model whose project
// method the call runs when that method saves the row itself
// (`self.source.withdraw(amount)`, where `Account.withdraw` ends in
// `self.save()`): the call writes that row, in a transaction of its own
// even when the method opens an atomic block around its save. "" for a
// method that saves nothing, and for save()/delete() themselves, read
// above.
func savingMethod(f *semantic.File, recv pyast.Node, verb string) string {
	switch verb {
	case "save", "delete", "refresh_from_db", "full_clean", "clean":
		return ""
	}
	md := rowModel(f, recv)
	if md == nil {
		return ""
	}
	meth := f.M.ModelMethod(md, verb)
	if meth == nil || meth.Property || meth.Static || meth.ClassMethod || len(meth.Params) == 0 {
		return ""
	}
	for _, c := range saveCalls(meth.Node) {
		if pyast.Dotted(c.Receiver()) == meth.Params[0] {
			return md.Name
		}
	}
	return ""
}

// reportOutsideAtomic reports, in a function whose only transactions are
// its own `with transaction.atomic():` blocks, the first write made after
// such a block, outside any, of a model holding a foreign key to a model
// written inside it (or the reverse): the record of a change (a
// `Transaction` row of the `Wallet` whose balance the block saved) is
// committed apart from the change, so a failure between them leaves one
// without the other. Writes of unrelated models (a log line, a
// notification) are left alone, and so are writes in exclusive branches.
func reportOutsideAtomic(p *analyzer.Pass, fn pyast.Node, writes []effects.Effect, models []string) {
	block := func(n pyast.Node) pyast.Node {
		for a := n.Parent(); !a.IsNil() && !a.Equal(fn); a = a.Parent() {
			if a.Type() == "with_statement" && effects.WithIsAtomic(p.Imports, a) {
				return a
			}
			if a.Type() == "function_definition" || a.Type() == "lambda" {
				break
			}
		}
		return pyast.Node{}
	}
	loop := func(n pyast.Node) pyast.Node { return pyast.Ancestor(n, "for_statement", "while_statement") }
	for j, wj := range writes {
		if !block(wj.Node()).IsNil() || effects.InOnCommit(p.Imports, wj.Node()) || !pyast.Ancestor(wj.Node(), "except_clause").IsNil() ||
			!recordWrite[wj.Verb] {
			continue
		}
		for i, wi := range writes {
			b := block(wi.Node())
			if b.IsNil() || wj.Node().StartByte() < b.EndByte() || models[i] == models[j] ||
				effects.Exclusive(wi.Node(), wj.Node()) || !relatedModels(p, models[i], models[j]) {
				continue
			}
			// A block run once per row of a loop the later write is outside
			// of is a transaction per row, by design.
			if l := loop(b); !l.IsNil() && !l.Contains(wj.Node()) {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Confidence: analyzer.Medium,
				Range:      analyzer.RangeOf(writes[j].Callee()),
				Message: "`" + fn.ChildByField("name").Text() + "` writes `" + models[i] + "` inside `transaction.atomic()` and `" + models[j] +
					"` after the block has committed: a failure of the second write leaves the first without it",
				Help:    "move the write into the atomic block (or make the whole function `@transaction.atomic`) so both commit or neither does",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(writes[i].Callee()), Message: "written inside the atomic block (`" + models[i] + "`)"}},
			})
			return
		}
	}
}

// recordWrite are the writes that make or save a row (a record of the
// change), as opposed to a queryset-wide update() or delete() that a re-run
// repeats.
var recordWrite = map[string]bool{"create": true, "save": true, "bulk_create": true, "get_or_create": true,
	"update_or_create": true, "perform_create": true, "perform_update": true}

// relatedModels reports two models of the project graph, by name, one of
// which has a relation field to the other.
func relatedModels(p *analyzer.Pass, a, b string) bool {
	if p.Project == nil || p.Project.Models == nil {
		return false
	}
	ma, mb := p.Project.Models.Named(a), p.Project.Models.Named(b)
	for _, x := range ma {
		for _, y := range mb {
			for _, r := range x.Reverse {
				if r.From == y {
					return true
				}
			}
			for _, r := range y.Reverse {
				if r.From == x {
					return true
				}
			}
		}
	}
	return false
}
