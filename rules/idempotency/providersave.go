package idempotency

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed providersave.md
var providerSaveDoc string

// ProviderObjectOnEverySave reports a model's save() that creates an object
// at a payment provider (`stripe.Product.create`, `stripe.Coupon.create`)
// whatever the save is: every edit of the row creates another one.
var ProviderObjectOnEverySave = &analyzer.Rule{
	Code:       "IDM006",
	Name:       "provider-object-on-every-save",
	Doc:        providerSaveDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.14.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project},
	Run:        runProviderObjectOnEverySave,
}

// runProviderObjectOnEverySave matches the save() method of a model class
// rubric knows, and in it a call of a payment SDK's `create` (the callee
// resolved through the imports to one of sdkModules), made by save() itself
// or by a method of the same class that save() calls on self. Silent when
// the call, or the self-call leading to it, sits under a condition (an if,
// a conditional expression, a loop, a boolean operator: `if not
// self.stripe_price_id:`, `if self._state.adding:`), where the code may
// tell a creation from an update; the rule does not judge the condition.
func runProviderObjectOnEverySave(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil || p.Project == nil || p.Project.Models == nil {
		return nil
	}
	for _, fn := range sf.Funcs {
		if fn.Name != "save" || fn.Class == nil || p.Project.Models.ByQual(fn.Class.Qual) == nil {
			continue
		}
		call, sdk, via := providerCreate(p, fn, fn.Class, true)
		if call.IsNil() {
			continue
		}
		where := "`save()`"
		if via != "" {
			where = fmt.Sprintf("`save()` (through `self.%s()`)", via)
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(call),
			Message: fmt.Sprintf("%s of `%s` calls `%s` on every save, updates included: each edit of the row (the admin, a PUT) creates another object at the provider, and the row keeps only the last one's id",
				where, fn.Class.Name, sdk),
			Help: "create the provider's object once: guard the call with `if not self.<provider_id_field>:` (or `if self._state.adding:`) and keep the id on the row; update the existing object on later saves",
		})
	}
	return nil
}

// providerCreate returns the first unconditional payment-SDK `create` call
// in fn's own body (or, when follow is set, in a method of cls that fn
// calls unconditionally on self), its resolved name, and the name of the
// method it was found in ("" for fn itself).
func providerCreate(p *analyzer.Pass, fn *semantic.Func, cls *semantic.Class, follow bool) (pyast.Node, string, string) {
	for call := range pyast.FindEach(pyast.Body(fn.Node), "call") {
		if conditional(call, fn.Node) {
			continue
		}
		c, ok := pyast.AsCall(call)
		if !ok || c.Func.Type() != "attribute" {
			continue
		}
		if c.MethodName() == "create" {
			if q, ok := fn.File.Unit.Imports.Resolve(c.Func); ok && paymentModule(q) {
				return call, q, ""
			}
			continue
		}
		if !follow || len(fn.Params) == 0 || pyast.Dotted(c.Receiver()) != fn.Params[0] {
			continue
		}
		m := cls.Method(c.MethodName())
		if m == nil || m == fn || m.Name == "save" {
			continue
		}
		if inner, q, _ := providerCreate(p, m, cls, false); !inner.IsNil() {
			return inner, q, m.Name
		}
	}
	return pyast.Node{}, "", ""
}

// paymentModule reports a resolved name inside a payment SDK's package.
func paymentModule(q string) bool {
	for _, m := range sdkModules {
		if q == m || strings.HasPrefix(q, m+".") {
			return true
		}
	}
	return false
}

// conditional reports a node under a condition of fn: an if, elif or
// else branch, a conditional expression, a boolean operator, a loop, a
// nested function or lambda, or an except clause.
func conditional(n, fn pyast.Node) bool {
	for a := n.Parent(); !a.IsNil() && !a.Equal(fn); a = a.Parent() {
		switch a.Type() {
		case "if_statement", "elif_clause", "else_clause", "conditional_expression", "boolean_operator",
			"for_statement", "while_statement", "function_definition", "lambda", "except_clause", "match_statement":
			return true
		}
	}
	return false
}
