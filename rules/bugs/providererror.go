package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed providererror.md
var providerErrorDoc string

// ProviderError500 reports an endpoint that sends a request to a payment
// provider's SDK with no `except` on the way: the provider's errors (a
// declined card, an invalid request, a network failure) reach the client
// as a 500.
var ProviderError500 = &analyzer.Rule{
	Code:       "BUG038",
	Name:       "provider-error-500",
	Doc:        providerErrorDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.13.0",
	Skip:       semantic.ProductCode,
	Distinct:   true,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, exceptionMiddleware},
	Run:        runProviderError500,
}

// runProviderError500 matches, in the handlers of judged endpoints, the
// first request to a payment provider (semantic.File.ProviderRequest:
// `stripe.PaymentIntent.create(...)`, made by the handler or by the
// project functions it calls) where neither the handler's call leading to
// it nor the SDK call itself is inside a `try` with an `except`. Silent in
// projects that name a DRF EXCEPTION_HANDLER or define a middleware's
// process_exception, and for handlers whose decorators handle errors.
func runProviderError500(p *analyzer.Pass) error {
	done := map[*semantic.Func]bool{}
	for _, e := range unansweredEndpoints(p) {
		fn := e.Handler
		if fn == nil || done[fn] {
			continue
		}
		done[fn] = true
		if mapsExceptions(fn.Node) || e.Class != nil && mapsExceptions(e.Class.Node) || answeringDecorator(fn) {
			continue
		}
		for _, x := range e.Does.Effects {
			if x.Kind != semantic.HTTPCall || x.Entry.IsNil() || x.File == nil || !fn.Node.Contains(x.Entry) {
				continue
			}
			name := x.File.ProviderRequest(x.Call)
			if name == "" || underExcept(x.Entry) || underExcept(x.Call) {
				continue
			}
			sdk, _, _ := strings.Cut(name, ".")
			what := fmt.Sprintf("`%s`", callText(x.Entry))
			if !x.Entry.Equal(x.Call) {
				what += fmt.Sprintf(" reaches `%s` (in `%s`), which", name, x.File.Unit.File.Rel)
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(x.Entry),
				Message: fmt.Sprintf("%s sends a request to %s with no `except` on the way: a declined card, an invalid request or a network failure answers `%s` with a 500",
					what, sdkName(sdk), e.ViewName()),
				Help: fmt.Sprintf("catch the provider's error around the call (%s), log it with its request id, and answer 402 for a declined payment or 502 for a provider failure, with a message the client can show", sdkError(sdk)),
			})
			break
		}
	}
	return nil
}

// underExcept reports n inside the body of a `try` that has an except
// clause, in its own function.
func underExcept(n pyast.Node) bool {
	for child, a := n, n.Parent(); !a.IsNil(); child, a = a, a.Parent() {
		switch a.Type() {
		case "function_definition", "lambda", "class_definition", "module":
			return false
		case "try_statement":
			if !a.ChildByField("body").Equal(child) {
				continue // in a handler or finally: not what the try guards
			}
			for c := range a.Named() {
				if c.Type() == "except_clause" || c.Type() == "except_group_clause" {
					return true
				}
			}
		}
	}
	return false
}

// callText shows a call as its callee with its arguments elided
// (`stripe.PaymentIntent.create(...)`).
func callText(call pyast.Node) string {
	if c, ok := pyast.AsCallHead(call); ok {
		if d := pyast.Dotted(c.Func); d != "" {
			return d + "(...)"
		}
	}
	return pyast.OneLine(call, 60)
}

func sdkName(sdk string) string {
	switch sdk {
	case "stripe":
		return "Stripe"
	case "paypalrestsdk":
		return "PayPal"
	case "braintree":
		return "Braintree"
	case "razorpay":
		return "Razorpay"
	case "yookassa":
		return "YooKassa"
	}
	return "the payment provider (`" + sdk + "`)"
}

func sdkError(sdk string) string {
	switch sdk {
	case "stripe":
		return "`stripe.error.StripeError`, `stripe.StripeError` in recent versions"
	case "braintree":
		return "`braintree.exceptions.BraintreeError`"
	case "razorpay":
		return "`razorpay.errors.BadRequestError` and its siblings"
	}
	return "the SDK's base error class"
}
