package txn

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed reapply.md
var reapplyDoc string

// AppliedOnEverySave reports a model's save() (or a post_save receiver)
// that moves a balance of another row by this row's amount on every save,
// updates included.
var AppliedOnEverySave = &analyzer.Rule{
	Code:       "TXN007",
	Name:       "applied-on-every-save",
	Doc:        reapplyDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints},
	Run:        runAppliedOnEverySave,
}

// runAppliedOnEverySave matches `row.f += self.x` (or `-=`, or
// `row.f = row.f ± self.x`) on a money or stock field of another row,
// followed by `row.save()` (or, in save(), a call `row.method(self.x)` of a
// model method doing that to its own row: reportMovingCalls), in:
//   - the save() method of a model class, where the row is not `self`
//     and the amount reads `self`;
//   - a post_save receiver (decorated with @receiver(post_save, ...) or
//     connected with post_save.connect), where the amount reads the
//     receiver's instance parameter.
//
// It is silent when the function reads anything that tells a creation
// from an update (`_state.adding`, `self.pk`/`self.id`, `created`,
// `update_fields`, a name containing "new" or "created" in a condition):
// the rule cannot tell a correct guard from a wrong one, so any such read
// keeps it quiet.
func runAppliedOnEverySave(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil || p.Project == nil || p.Project.Models == nil {
		return nil
	}
	receivers := semantic.PostSaveConnected(p.Root)
	for _, fn := range sf.Funcs {
		var amountOf string // the name the row's own values are read through
		var kind string
		switch {
		case fn.Name == "save" && fn.Class != nil && p.Project.Models.ByQual(fn.Class.Qual) != nil && len(fn.Params) > 0:
			amountOf, kind = fn.Params[0], "save"
		case isPostSaveReceiver(fn.Node, receivers[fn.Name]) && len(fn.Params) > 1:
			amountOf, kind = instanceParam(fn), "receiver"
		default:
			continue
		}
		if amountOf == "" || tellsCreation(fn.Node) {
			continue
		}
		if kind == "save" && !editedSomewhere(semantic.Of(p.Project), semantic.InventoryOf(p.Project), p.Project.Models.ByQual(fn.Class.Qual)) {
			continue // nothing saves a row of the model twice: the premise does not hold
		}
		if kind == "save" {
			reportMovingCalls(p, sf, fn, amountOf)
		}
		saves := saveCalls(fn.Node)
		for _, r := range readModifyWrites(fn.Node) {
			if !counterField(r.field) || r.row == amountOf || !readsName(r.stmt.ChildByField("right"), amountOf) {
				continue
			}
			persisted := false
			for _, s := range saves {
				if s.Node.StartByte() > r.stmt.EndByte() && pyast.Dotted(s.Receiver()) == r.row {
					persisted = true
				}
			}
			if !persisted {
				continue
			}
			model := "this row"
			if fn.Class != nil && kind == "save" {
				model = "a `" + fn.Class.Name + "`"
			}
			verb := "adds"
			if r.sign == "-" {
				verb = "subtracts"
			}
			where := "`save()`"
			help := "apply it only when the row is created (`if self._state.adding:` before `super().save()`), or move it to the function that creates the row, and reverse it where the row is deleted"
			if kind == "receiver" {
				where = fmt.Sprintf("the post_save receiver `%s`", fn.Name)
				help = "apply it only `if created:` (post_save passes it), and reverse it where the row is deleted"
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(r.stmt),
				Message: fmt.Sprintf("%s %s `%s` %s `%s.%s` on every save, updates included: saving %s again (an edit, a PUT or PATCH, the admin) applies it a second time",
					where, verb, pyast.OneLine(amountExpr(r), 60), map[bool]string{true: "to", false: "from"}[r.sign == "+"], r.row, r.field, model),
				Help: help,
			})
		}
	}
	return nil
}

// reportMovingCalls reports, in a model's save(), the calls of a method of
// another row (`self.wallet.deposit(self.amount)`) passing an amount read
// from the saved row, when that method moves a money or stock field of its
// own row by the parameter and saves it (movesOwnCounter): the same balance
// move as `row.f += self.x`, one call away.
func reportMovingCalls(p *analyzer.Pass, sf *semantic.File, fn *semantic.Func, amountOf string) {
	for _, call := range ownCalls(fn.Node) {
		c, ok := pyast.AsCall(call)
		if !ok || c.Func.Type() != "attribute" {
			continue
		}
		row := pyast.Dotted(c.Receiver())
		if row == "" || row == amountOf {
			continue
		}
		arg := -1
		for i, a := range c.Positional {
			if readsName(a, amountOf) {
				arg = i
				break
			}
		}
		if arg < 0 {
			continue
		}
		g, bound := sf.Callee(call)
		if g == nil || g.Class == nil || !bound || g == fn || len(g.Params) <= arg+1 {
			continue
		}
		field, sign := movesOwnCounter(g, g.Params[arg+1])
		if field == "" {
			continue
		}
		verb, to := "adds", "to"
		if sign == "-" {
			verb, to = "subtracts", "from"
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(call),
			Message: fmt.Sprintf("`save()` calls `%s`, which %s `%s` %s `%s.%s`, on every save, updates included: saving a `%s` again (an edit, a PUT or PATCH, the admin) applies it a second time",
				pyast.OneLine(call, 60), verb, pyast.OneLine(c.Positional[arg], 40), to, row, field, fn.Class.Name),
			Help:    "apply it only when the row is created (`if self._state.adding:` before `super().save()`), or move it to the function that creates the row, and reverse it where the row is deleted",
			Related: []analyzer.Related{{Path: g.File.Unit.File.Rel, Range: analyzer.RangeOf(g.Node.ChildByField("name")), Message: "the balance moved here"}},
		})
	}
}

// movesOwnCounter returns the money or stock field a method moves on its
// own row by its parameter param (`self.balance += amount` or
// `self.balance = self.balance - amount`, then `self.save()`), and the
// sign; "" when it does not.
func movesOwnCounter(g *semantic.Func, param string) (string, string) {
	if len(g.Params) == 0 || g.Static || g.ClassMethod || g.Property {
		return "", ""
	}
	self := g.Params[0]
	saves := saveCalls(g.Node)
	for _, r := range readModifyWrites(g.Node) {
		if r.row != self || !counterField(r.field) || !readsName(amountExpr(r), param) {
			continue
		}
		for _, s := range saves {
			if s.Node.StartByte() > r.stmt.EndByte() && pyast.Dotted(s.Receiver()) == self {
				return r.field, r.sign
			}
		}
	}
	return "", ""
}

// amountExpr is the right-hand side of an augmented assignment, or the
// other operand of `row.f = row.f ± x`.
func amountExpr(r rmw) pyast.Node {
	right := pyast.Unparen(r.stmt.ChildByField("right"))
	if r.stmt.Type() == "assignment" && right.Type() == "binary_operator" {
		return right.ChildByField("right")
	}
	return right
}

// readsName reports whether n reads `name` or an attribute of it.
func readsName(n pyast.Node, name string) bool {
	found := false
	pyast.Inspect(n, func(c pyast.Node) bool {
		if c.Type() == "identifier" && c.Text() == name {
			found = true
		}
		return !found
	})
	return found
}

// creationWords are names that tell a creation from an update (besides
// any name containing "new", "created" or "adding").
var creationWords = map[string]bool{"update_fields": true, "pk": true, "id": true, "exists": true}

// tellsCreation reports whether fn reads something that tells a creation
// from an update, anywhere in its own body.
func tellsCreation(fn pyast.Node) bool {
	found := false
	pyast.Inspect(pyast.Body(fn), func(n pyast.Node) bool {
		if found {
			return false
		}
		switch n.Type() {
		case "function_definition", "lambda", "class_definition":
			return false
		case "if_statement", "conditional_expression", "while_statement", "elif_clause", "assert_statement":
			cond := n.ChildByField("condition")
			if n.Type() == "conditional_expression" {
				cond = n.NamedChild(1)
			} else if n.Type() == "assert_statement" {
				cond = n.NamedChild(0)
			}
			if mentionsCreation(cond) {
				found = true
			}
		case "assignment":
			// is_new = self.pk is None / self._state.adding
			if mentionsCreation(n.ChildByField("right")) && !pyast.Unparen(n.ChildByField("right")).Is("call") {
				found = true
			}
		case "keyword_argument":
			if n.ChildByField("name").Text() == "update_fields" {
				found = true
			}
		}
		return true
	})
	return found
}

// mentionsCreation reports whether an expression reads a name or attribute
// from creationWords (`self._state.adding`, `self.pk is None`, `created`).
func mentionsCreation(n pyast.Node) bool {
	if n.IsNil() {
		return false
	}
	found := false
	pyast.Inspect(n, func(c pyast.Node) bool {
		if found {
			return false
		}
		var name string
		switch c.Type() {
		case "identifier":
			if p := c.Parent(); p.Type() == "attribute" && p.ChildByField("attribute").Equal(c) {
				return true // the attribute's name: read with its attribute below
			}
			name = c.Text()
		case "attribute":
			name = c.ChildByField("attribute").Text()
			if (name == "pk" || name == "id") && c.ChildByField("object").Type() != "identifier" {
				// `instance.product.id`: the key of a related row, which
				// says nothing about whether this one is new.
				return true
			}
		default:
			return true
		}
		found = creationWords[name] || strings.Contains(name, "new") || strings.Contains(name, "created") || strings.Contains(name, "adding")
		return !found
	})
	return found
}

// isPostSaveReceiver reports whether fn is decorated with
// @receiver(post_save, ...) or connected to post_save.
func isPostSaveReceiver(fn pyast.Node, connected bool) bool {
	if connected {
		return true
	}
	for _, d := range pyast.Decorators(fn) {
		c, ok := pyast.AsCall(d)
		if !ok || !strings.HasSuffix(pyast.Dotted(c.Func), "receiver") || len(c.Positional) == 0 {
			continue
		}
		sig := pyast.Unparen(c.Positional[0])
		for _, s := range append([]pyast.Node{sig}, sig.NamedChildren()...) {
			if strings.HasSuffix(pyast.Dotted(s), "post_save") {
				return true
			}
		}
	}
	return false
}

// instanceParam is the receiver's parameter holding the saved row:
// `instance` by name, else the second positional one.
func instanceParam(fn *semantic.Func) string {
	for _, p := range fn.Params {
		if p == "instance" {
			return p
		}
	}
	if len(fn.Params) > 1 && !strings.HasPrefix(fn.Params[1], "*") {
		return fn.Params[1]
	}
	return ""
}
