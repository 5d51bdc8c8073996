package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed integrity.md
var integrityDoc string

// IntegrityErrorInAtomic reports IntegrityError handlers that go on inside
// a transaction with no savepoint around the failed write.
var IntegrityErrorInAtomic = &analyzer.Rule{
	Code:              "BUG006",
	Name:              "integrity-error-in-atomic",
	Doc:               integrityDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runIntegrityErrorInAtomic,
}

// writeMethods run an INSERT, UPDATE or DELETE that may violate a
// constraint, without a savepoint of their own (get_or_create and
// update_or_create open one).
var writeMethods = map[string]bool{"save": true, "create": true, "bulk_create": true, "update": true,
	"bulk_update": true, "delete": true, "add": true, "set": true}

// runIntegrityErrorInAtomic matches `except IntegrityError` (Django's,
// alone or in a tuple) whose try runs inside transaction.atomic: a with
// block or @atomic in the same function (high confidence), or a function
// every resolved caller calls inside one (medium). The try body must
// write (save, create, bulk_create, update, delete, m2m add/set; or a
// project function without @atomic that does) outside an inner atomic
// block, and the handler must not end by re-raising. Django marks the
// transaction for rollback when such a write fails: the next query raises
// TransactionManagementError and the block rolls back at exit.
func runIntegrityErrorInAtomic(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	for h := range pyast.FindEach(p.Root, "except_clause") {
		typ := exceptType(h)
		if typ.IsNil() || !catchesIntegrity(p.Imports, typ) {
			continue
		}
		try := h.Parent()
		if try.Type() != "try_statement" || reraises(h) {
			continue
		}
		body := try.ChildByField("body")
		write := unprotectedWrite(p, f, body, 0)
		if write.IsNil() {
			continue
		}
		conf := analyzer.High
		scope := project.AtomicScope(p.Imports, try)
		var related []analyzer.Related
		if scope.IsNil() {
			caller, ok := atomicCaller(sm, f, try)
			if !ok {
				continue
			}
			conf = analyzer.Medium
			related = append(related, caller)
		} else if onlyStatement(scope, try) && !queries(h) {
			// `with atomic(): try: bulk_create(...) except IntegrityError:
			// log`: the block holds nothing but the try, so rolling it
			// back at exit undoes exactly the failed writes (a savepoint
			// when nested), and the handler runs no query in between.
			continue
		} else {
			related = append(related, analyzer.Related{Range: analyzer.RangeOf(scopeAnchor(p.Imports, scope)), Message: "transaction opened here"})
		}
		related = append(related, analyzer.Related{Range: analyzer.RangeOf(write), Message: "the write that may fail, with no savepoint of its own"})
		next := "the next query raises `TransactionManagementError`"
		if !queries(h) {
			next = "the transaction is marked for rollback"
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(typ),
			Confidence: conf,
			Message:    fmt.Sprintf("`IntegrityError` caught inside `transaction.atomic` without a savepoint: %s, and the whole block rolls back at exit", next),
			Help:       fmt.Sprintf("give the write its own savepoint: put `%s` in a `with transaction.atomic():` block inside the `try`", pyast.OneLine(write, 60)),
			Related:    related,
		})
	}
	return nil
}

// onlyStatement reports a `with` block whose body is the try alone, with
// no finally clause.
func onlyStatement(scope, try pyast.Node) bool {
	if scope.Type() != "with_statement" {
		return false
	}
	for c := range try.Named() {
		if c.Type() == "finally_clause" {
			return false
		}
	}
	st := pyast.Statements(pyast.Body(scope))
	return len(st) == 1 && st[0].Equal(try)
}

// exceptType returns the exception expression of a handler (without the
// `as` alias).
func exceptType(h pyast.Node) pyast.Node { return pyidiom.DecodeHandler(h).Type }

// catchesIntegrity reports Django's IntegrityError, alone or in a tuple.
func catchesIntegrity(im *pyast.Imports, typ pyast.Node) bool {
	typ = pyast.Unparen(typ)
	if typ.Type() == "tuple" {
		for k := range typ.Named() {
			if catchesIntegrity(im, k) {
				return true
			}
		}
		return false
	}
	q, ok := im.Resolve(typ)
	return ok && (q == "django.db.IntegrityError" || q == "django.db.utils.IntegrityError")
}

// reraises reports a handler whose last statement raises and that never
// returns, breaks or continues: the transaction is rolled back as the
// exception leaves the block.
func reraises(h pyast.Node) bool {
	var block pyast.Node
	for k := range h.Named() {
		if k.Type() == "block" {
			block = k
		}
	}
	return alwaysRaises(block, 0) && len(pyast.FindAll(block, "return_statement", "break_statement", "continue_statement")) == 0
}

// alwaysRaises reports a block whose every path ends in a raise: a last
// raise statement, or an if/elif/else (or with) whose branches all do.
func alwaysRaises(block pyast.Node, depth int) bool {
	sts := pyast.Statements(block)
	if len(sts) == 0 || depth > 8 {
		return false
	}
	last := sts[len(sts)-1]
	switch last.Type() {
	case "raise_statement":
		return true
	case "with_statement":
		return alwaysRaises(pyast.Body(last), depth+1)
	case "if_statement":
		if !alwaysRaises(last.ChildByField("consequence"), depth+1) {
			return false
		}
		hasElse := false
		for k := range last.Named() {
			switch k.Type() {
			case "elif_clause":
				if !alwaysRaises(k.ChildByField("consequence"), depth+1) {
					return false
				}
			case "else_clause":
				hasElse = true
				if !alwaysRaises(k.ChildByField("body"), depth+1) {
					return false
				}
			}
		}
		return hasElse
	}
	return false
}

// queries reports a handler that runs ORM code after the failure.
func queries(h pyast.Node) bool {
	for call := range pyast.FindEach(h, "call") {
		name := string(pyast.CalleeName(call))
		if semantic.RowMethods[name] || semantic.ExecMethods[name] || semantic.ChainMethods[name] || writeMethods[name] ||
			strings.HasPrefix(name, "get_") || name == "refresh_from_db" {
			return true
		}
	}
	return false
}

// unprotectedWrite returns the first write in body not covered by a
// savepoint: not inside a `with transaction.atomic()` within body, and,
// for a project function, one that is not @atomic and writes itself.
func unprotectedWrite(p *analyzer.Pass, f *semantic.File, body pyast.Node, depth int) pyast.Node {
	for call := range pyast.FindEach(body, "call") {
		if inAtomicWithin(p.Imports, call, body) {
			continue
		}
		c, _ := pyast.AsCall(call)
		if c.Func.Type() == "attribute" && writeMethods[c.MethodName()] && isORMWrite(f, c) {
			return call
		}
		if f == nil || depth > 1 {
			continue
		}
		fn, _ := f.Callee(call)
		if fn == nil || project.HasAtomicDecorator(fn.File.Unit.Imports, fn.Node) {
			continue
		}
		if w := unprotectedWrite(p, fn.File, pyast.Body(fn.Node), depth+1); !w.IsNil() {
			return call
		}
	}
	return pyast.Node{}
}

// isORMWrite tells ORM writes from look-alikes (dict.update, set.add):
// save() and delete() on anything, the others on a queryset, a manager or
// a related manager the semantic model recognises.
func isORMWrite(f *semantic.File, c pyast.Call) bool {
	switch c.MethodName() {
	case "save":
		return true
	case "delete":
		return len(c.Positional) == 0
	}
	if d := pyast.Dotted(c.Receiver()); strings.HasSuffix(d, ".objects") || strings.HasSuffix(d, "._default_manager") {
		return true
	}
	return f != nil && f.Eval(c.Receiver()) != nil
}

// inAtomicWithin reports whether n sits in a `with transaction.atomic()`
// nested inside body.
func inAtomicWithin(im *pyast.Imports, n, body pyast.Node) bool {
	for p := n.Parent(); !p.IsNil() && !p.Equal(body); p = p.Parent() {
		if p.Type() == "with_statement" && project.WithIsAtomic(im, p) {
			return true
		}
	}
	return false
}

// atomicCaller finds a caller of the function holding n that calls it
// inside an atomic block, when every resolved caller does.
func atomicCaller(sm *semantic.Model, f *semantic.File, n pyast.Node) (analyzer.Related, bool) {
	if f == nil {
		return analyzer.Related{}, false
	}
	fn := f.EnclosingFunc(n)
	if fn == nil {
		return analyzer.Related{}, false
	}
	callers := fn.Callers()
	if len(callers) == 0 {
		return analyzer.Related{}, false
	}
	var first analyzer.Related
	for i, call := range callers {
		cf := sm.FileOfTree(call.Tree())
		if cf == nil || project.AtomicScope(cf.Unit.Imports, call).IsNil() {
			return analyzer.Related{}, false
		}
		if i == 0 {
			first = analyzer.Related{Path: cf.Unit.File.Rel, Range: analyzer.RangeOf(call), Message: "called here inside `transaction.atomic`"}
		}
	}
	return first, true
}

// scopeAnchor is the with clause or @atomic decorator of a scope.
func scopeAnchor(im *pyast.Imports, scope pyast.Node) pyast.Node {
	if scope.Type() == "with_statement" {
		for c := range scope.Named() {
			if c.Type() == "with_clause" {
				return c
			}
		}
		return scope
	}
	for _, d := range pyast.Decorators(scope) {
		if project.IsAtomic(im, d) {
			return d
		}
	}
	return scope.ChildByField("name")
}
