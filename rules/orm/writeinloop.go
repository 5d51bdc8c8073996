package orm

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed writeinloop.md
var writeInLoopDoc string

// WriteInLoop reports one write query per iteration of a loop.
var WriteInLoop = &analyzer.Rule{
	Code:     "ORM004",
	Name:     "write-per-row",
	Doc:      writeInLoopDoc,
	Category: analyzer.Performance,
	// Info: about 70% of its findings on real projects were worth a
	// change (docs/precision.md), under the 80% a warning needs.
	Severity: analyzer.Info,
	// Low: on the take-homes 2 of 19 findings were worth a comment
	// (session 20), and the true ones (a CSV importer, a receiver's
	// per-client inserts) have the same shape as the noise (a billing
	// task's invoice per subscription, a per-client message).
	Confidence:        analyzer.Low,
	Since:             "0.1.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runWriteInLoop,
}

// runWriteInLoop matches, in the body of a loop that is not over a
// literal or range():
//   - `row.save()` / `row.delete()` where row is the variable of a loop
//     over a queryset of a known model;
//   - `Model.objects.create(...)` (and `obj = Model(...)` then `obj.save()`)
//     whose arguments use the loop's names;
//   - `Model.objects.filter(...).update(...)` / `.delete()` whose arguments
//     use the loop's names.
//
// Row writes are skipped when the model overrides save()/delete() (the
// bulk form would skip that code) and in loops over iterator() (chunked
// batch jobs).
// Loops over what one request carries (semantic.File.RequestPayload)
// are skipped: the request bounds them.
// It skips writes through related managers (`row.tags.add`), writes that
// do not depend on the row (a counter bumped once per loop is ORM003-like
// but rarer), tests and migrations. Confidence is medium: save() may be
// overridden or fire signals that bulk operations skip.
func runWriteInLoop(p *analyzer.Pass) error {
	t := NewTracker(p)
	loops := t.Loops()
	cache := map[int32]map[string]bool{}
	reported := map[int32]bool{}
	connected := semantic.PostSaveConnected(p.Root)
	for _, l := range loops {
		if l.Bounded() || l.Once() || l.QS != nil && l.QS.Iterator {
			continue // a chunked iterator() loop is a deliberate batch job
		}
		if signalsOnPurpose(p.File.Src(), l.Node) {
			// The author says the per-row write is there for the
			// signals a bulk write would skip.
			continue
		}
		if l.QS == nil && t.File.RequestPayload(l.Iter) {
			// Once per item one request carries (the lines of a nested
			// serializer's order, the events of one delivery): the
			// request bounds the loop, and one write per item is DRF's
			// own pattern for nested writes.
			continue
		}
		if l.QS != nil && (l.QS.Scoped || l.QS.Related) {
			// The rows of one parent (`order.items.all()`,
			// `Offer.objects.filter(loan=loan)`): a handful, bounded by
			// the parent, and one write each is not a reviewer's point.
			continue
		}
		if semantic.InTaskOrReceiver(p.Imports, l.Node, connected) {
			// A Celery task or a signal receiver writing one row per
			// row it selected: the loop is the job, run off the
			// request (or once per saved object), not a bulk import.
			continue
		}
		if t.callsOut(l) {
			// The per-row cost is the remote call, and a bulk write after
			// the loop would lose the rows already done if a call fails.
			continue
		}
		// A chunked iterator() over rows is a deliberate batch job.
		rowLoop := !l.Var.IsNil() && l.QS != nil && l.QS.Model != nil && !l.QS.Values && !l.QS.Iterator
		built := map[string]string{} // obj = Model(...) in the body: name -> model
		assigned := map[string][]string{}
		l.Walk(func(n pyast.Node) bool {
			switch n.Type() {
			case "assignment":
				left := n.ChildByField("left")
				if left.Type() == "identifier" {
					if c, ok := pyast.AsCall(n.ChildByField("right")); ok {
						if m := t.g.Lookup(p.Unit, pyast.Dotted(c.Func)); m != nil && !m.External && !m.Overrides("save") {
							built[left.Text()] = m.Name
						}
					}
				}
				if left.Type() == "attribute" && left.ChildByField("object").Type() == "identifier" {
					o := left.ChildByField("object").Text()
					assigned[o] = append(assigned[o], left.ChildByField("attribute").Text())
				}
			case "call":
				if reported[n.ID()] || l.LeavesAfter(n) {
					return true
				}
				c, _ := pyast.AsCall(n)
				method := c.MethodName()
				recv := pyast.Unparen(c.Receiver())
				if recv.IsNil() {
					return true
				}
				// row.save() / row.delete()
				if recv.Type() == "identifier" && (method == "save" || method == "delete") {
					name := recv.Text()
					if rowLoop && name == l.Var.Text() && t.loopOf(recv) == l && !l.QS.Model.Overrides(method) {
						reported[n.ID()] = true
						p.Report(rowWrite(l, n, method, assigned[name]))
					} else if model, ok := built[name]; ok && method == "save" {
						reported[n.ID()] = true
						p.Report(analyzer.Diagnostic{
							Range:   analyzer.RangeOf(n),
							Message: fmt.Sprintf("`%s.save()` inserts one `%s` per iteration of the loop over %s", name, model, loopName(l)),
							Help:    fmt.Sprintf("collect the unsaved objects in a list and call `%s.objects.bulk_create(objs)` once after the loop (save() overrides and signals do not run)", model),
						})
					}
					return true
				}
				if !writeMethods[method] || method == "bulk_create" || method == "bulk_update" {
					return true
				}
				q := t.Eval(recv)
				if q == nil || q.Model == nil || q.Related || batched(n) {
					return true
				}
				if (method == "create" || method == "get_or_create" || method == "update_or_create") && q.Model.Overrides("save") {
					return true // bulk_create would skip the model's save()
				}
				if dl := t.dependentLoop(n, cache); dl == nil || !dl.Node.Equal(l.Node) {
					return true
				}
				reported[n.ID()] = true
				p.Report(managerWrite(l, n, method, q))
			}
			return true
		})
	}
	return nil
}

// signalsOnPurpose reports a loop with a comment, inside it or in the
// comment lines right above it, that mentions signals (`# do it in a
// loop, so we trigger signals`): the per-row save() or delete() is chosen
// because bulk operations skip them.
func signalsOnPurpose(src []byte, loop pyast.Node) bool {
	for c := range pyast.FindEach(loop, "comment") {
		if strings.Contains(strings.ToLower(c.Text()), "signal") {
			return true
		}
	}
	// Walk back over the comment lines right above the loop's line.
	end := bytes.LastIndexByte(src[:loop.StartByte()], '\n') // the newline ending the line above
	for k := 0; k < 3 && end > 0; k++ {
		start := bytes.LastIndexByte(src[:end], '\n') + 1
		line := strings.TrimSpace(string(src[start:end]))
		if !strings.HasPrefix(line, "#") {
			break
		}
		if strings.Contains(strings.ToLower(line), "signal") {
			return true
		}
		end = start - 1
	}
	return false
}

func rowWrite(l *Loop, call pyast.Node, method string, fields []string) analyzer.Diagnostic {
	v := l.Var.Text()
	model := l.QS.Model.Name
	d := analyzer.Diagnostic{
		Range:   analyzer.RangeOf(call),
		Message: fmt.Sprintf("`%s.%s()` writes one row per iteration of %s", v, method, loopName(l)),
	}
	if method == "delete" {
		d.Help = "delete them in one query: call `.delete()` on the queryset itself (per-object delete() overrides do not run; signals still do)"
		return d
	}
	fs := uniq(fields)
	if len(fs) == 0 {
		fs = []string{"<field>"}
	}
	d.Help = fmt.Sprintf("collect the rows and call `%s.objects.bulk_update(rows, [%s])` once after the loop, or `.update(...)` on the queryset when every row gets the same value (save() overrides and signals do not run)", model, quote(fs))
	return d
}

func managerWrite(l *Loop, call pyast.Node, method string, q *QS) analyzer.Diagnostic {
	model := q.Model.Name
	d := analyzer.Diagnostic{
		Range:   analyzer.RangeOf(call),
		Message: fmt.Sprintf("`%s` writes once per iteration of the loop over %s", compact(call), loopName(l)),
	}
	switch method {
	case "create":
		d.Help = fmt.Sprintf("build the objects in the loop and call `%s.objects.bulk_create(objs)` once after it", model)
	case "get_or_create", "update_or_create":
		d.Help = fmt.Sprintf("fetch the existing rows once (`filter(<key>__in=...)`), then `%s.objects.bulk_create(new)` and `bulk_update(changed, [...])`, or `bulk_create(objs, update_conflicts=True, ...)`", model)
	case "update":
		d.Help = fmt.Sprintf("update all rows in one query: `%s.objects.filter(<key>__in=...).update(...)`, or `bulk_update(objs, [...])` when values differ per row", model)
	case "delete":
		d.Help = fmt.Sprintf("delete in one query: `%s.objects.filter(<key>__in=...).delete()`", model)
	}
	return d
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] && !strings.HasPrefix(x, "_") {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// callsOut reports whether a loop's body makes an HTTP call (or a payment
// SDK call), directly or in a project function it calls (two calls deep).
func (t *Tracker) callsOut(l *Loop) bool {
	found := false
	l.Walk(func(n pyast.Node) bool {
		if found {
			return false
		}
		if n.Type() == "call" && t.reachesHTTP(t.File, n, 0) {
			found = true
		}
		return !found
	})
	return found
}

func (t *Tracker) reachesHTTP(f *semantic.File, call pyast.Node, depth int) bool {
	if effects.Of(f.Unit).Classify(call).Kind == effects.HTTP || f.OutboundCall(call) {
		return true
	}
	if depth >= 2 {
		return false
	}
	fn, _ := f.Callee(call)
	if fn == nil || fn.File == nil {
		return false
	}
	for c := range pyast.FindEach(fn.Node, "call") {
		if t.reachesHTTP(fn.File, c, depth+1) {
			return true
		}
	}
	return false
}
