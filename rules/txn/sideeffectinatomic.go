package txn

import (
	_ "embed"

	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed sideeffectinatomic.md
var sideEffectInAtomicDoc string

// SideEffectInAtomic reports tasks, e-mail, publishes and mutating HTTP
// calls issued inside a transaction without transaction.on_commit.
var SideEffectInAtomic = &analyzer.Rule{
	Code:       "TXN001",
	Name:       "side-effect-in-atomic",
	Doc:        sideEffectInAtomicDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Run:        runSideEffectInAtomic,
}

// runSideEffectInAtomic matches, in each function, a Celery enqueue, an
// e-mail send, a publish or a POST/PUT/PATCH/DELETE (or unknown-method) HTTP
// call that runs inside `with transaction.atomic()` or an @atomic function,
// or in a view under ATOMIC_REQUESTS (enqueue/mail/publish only, lower
// confidence). It skips calls inside transaction.on_commit(...) (lambdas and
// nested functions are not the atomic body's calls), blocks on a read
// replica (`using=` naming a replica), reads (GET/HEAD), HTTP
// calls after a DB write in the same block (TXN004 reports those), tests
// and migrations.
func runSideEffectInAtomic(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		effs := f.Effects(fn)
		reqTxn := -1 // unknown until needed
		for _, e := range effs {
			if !e.Kind.IsSideEffect() || effects.InOnCommit(p.Imports, e.Node()) {
				continue
			}
			scope := effects.AtomicScope(p.Imports, e.Node())
			if readReplica(p, scope) || readOnlyBlock(p, scope) {
				continue
			}
			if e.Kind == effects.HTTP {
				if scope.IsNil() || e.Verb == "GET" || e.Verb == "HEAD" || e.Verb == "OPTIONS" {
					continue
				}
				if len(writesBefore(effs, e.Node(), scope)) > 0 {
					continue
				}
			}
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(e.Callee()),
				Help:  "run it after the commit: `transaction.on_commit(lambda: ...)` (or `functools.partial`), so a rollback also cancels it and a worker never reads uncommitted rows",
			}
			if scope.IsNil() {
				if reqTxn < 0 {
					reqTxn = 0
					if effects.InRequestTransaction(p.Project, p.Imports, fn) {
						reqTxn = 1
					}
				}
				if reqTxn == 0 {
					continue
				}
				d.Message = "`" + e.Name + "` (" + kindName(e.Kind) + ") runs inside the request transaction (ATOMIC_REQUESTS) without `transaction.on_commit`"
				d.Confidence = analyzer.Medium
			} else {
				d.Message = "`" + e.Name + "` (" + kindName(e.Kind) + ") inside `transaction.atomic` is not undone by a rollback and may run before the commit"
				d.Related = []analyzer.Related{{Range: analyzer.RangeOf(effects.ScopeAnchor(p.Imports, scope)), Message: "transaction opened here"}}
			}
			if e.Kind == effects.HTTP {
				d.Help = "make the HTTP call outside the transaction (before it, or after commit with `transaction.on_commit`), or record it in an outbox row that a worker sends"
			} else {
				d.Fixes = onCommitFix(p, e)
			}
			p.Report(d)
		}
	}
	return nil
}

// readReplica reports whether an atomic block runs on a read replica
// (`atomic(using=settings.DATABASE_CONNECTION_REPLICA_NAME)`): nothing it
// does is rolled back or awaited by a worker.
func readReplica(p *analyzer.Pass, scope pyast.Node) bool {
	if scope.Type() != "with_statement" {
		return false
	}
	for call := range pyast.FindEach(effects.ScopeAnchor(p.Imports, scope), "call") {
		c, _ := pyast.AsCall(call)
		if !effects.IsAtomic(p.Imports, call) {
			continue
		}
		u := strings.ToLower(c.Keyword("using").Text())
		if strings.Contains(u, "replica") || strings.Contains(u, "read") {
			return true
		}
	}
	return false
}

// readOnlyBlock reports a `with transaction.atomic():` block of a Celery
// task that reads rows and writes nothing: every call in it reads through the ORM (`filter`, `annotate`,
// `values_list`, `iterator`...; not `select_for_update`), builds a query
// expression of django.db.models (`Q`, `F`, `Subquery`), is a builtin or a
// list's append, or queues a task. Such a block is opened for a
// server-side cursor (`.iterator()` behind a transaction pooler) or a
// consistent read: a rollback undoes nothing and no worker can miss an
// uncommitted row. A call of anything else (a project function, a save,
// an update) may write, and the block is judged as before.
func readOnlyBlock(p *analyzer.Pass, scope pyast.Node) bool {
	if scope.Type() != "with_statement" {
		return false
	}
	body := scope.ChildByField("body")
	if body.IsNil() || !inTask(scope) {
		return false
	}
	reads := false
	for n := range pyast.FindEach(body, "call") {
		c, ok := pyast.AsCall(n)
		if !ok {
			return false
		}
		switch c.Func.Type() {
		case "identifier":
			if readOnlyBuiltins[c.Func.Text()] {
				continue
			}
		case "attribute":
			if readOnlyMethods[c.MethodName()] {
				reads = reads || ormReads[c.MethodName()]
				continue
			}
		}
		if q, ok := p.Imports.Resolve(c.Func); ok && strings.HasPrefix(q, "django.db.models.") {
			continue // Q, F, Subquery, OuterRef, ExpressionWrapper, a field as output_field
		}
		return false
	}
	return reads
}

// inTask reports a node inside a function decorated as a Celery task
// (`@shared_task`, `@app.task(...)`): a worker runs it on its own
// connection, outside any caller's transaction, so an atomic block of its
// own is the only transaction around what it does.
func inTask(n pyast.Node) bool {
	def := pyast.Ancestor(n, "function_definition")
	if def.IsNil() {
		return false
	}
	for _, d := range pyast.Decorators(def) {
		callee := d
		if c, ok := pyast.AsCall(d); ok {
			callee = c.Func
		}
		name := pyast.Dotted(callee)
		if name == "shared_task" || name == "task" || strings.HasSuffix(name, ".task") || strings.HasSuffix(name, ".shared_task") {
			return true
		}
	}
	return false
}

// ormReads are the read methods that make a block a read of its own.
var ormReads = map[string]bool{"filter": true, "exclude": true, "annotate": true, "values": true, "values_list": true,
	"iterator": true, "all": true, "count": true, "exists": true, "first": true, "last": true, "aggregate": true, "in_bulk": true}

// readOnlyBuiltins and readOnlyMethods are the calls readOnlyBlock takes
// for reads: builtins, a local list's append, the ORM's read methods and
// the task enqueues this rule reports.
var readOnlyBuiltins = map[string]bool{"enumerate": true, "len": true, "list": true, "range": true, "tuple": true,
	"set": true, "dict": true, "sorted": true, "min": true, "max": true, "zip": true, "iter": true, "next": true,
	"int": true, "str": true, "bool": true, "any": true, "all": true, "sum": true, "isinstance": true}

var readOnlyMethods = map[string]bool{"append": true, "extend": true,
	"filter": true, "exclude": true, "annotate": true, "alias": true, "values": true, "values_list": true,
	"order_by": true, "iterator": true, "all": true, "select_related": true, "prefetch_related": true,
	"only": true, "defer": true, "distinct": true, "count": true, "exists": true, "first": true, "last": true,
	"aggregate": true, "in_bulk": true, "none": true,
	"delay": true, "apply_async": true}
