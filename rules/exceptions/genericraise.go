package exceptions

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed genericraise.md
var genericRaiseDoc string

// GenericRaise reports `raise Exception(...)` and `raise BaseException(...)`.
var GenericRaise = &analyzer.Rule{
	Code:       "ERR004",
	Name:       "generic-raise",
	Doc:        genericRaiseDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	// A habit more than a place: one comment ("raise a specific
	// exception") covers the submission (session 22: the second and third
	// places were judged repeats).
	Habit: true,
	// No caller catches what a settings module, a migration, a script or a
	// seed-data command raises: it stops the program, which is the point.
	Skip: semantic.Migration | semantic.Settings | semantic.Script | semantic.DevData,
	Run:  runGenericRaise,
}

// invariantComment reports a raise right under comment lines that say it
// cannot happen (`# should never occur, the form validates it first`).
func invariantComment(src []byte, raise pyast.Node) bool {
	end := bytes.LastIndexByte(src[:raise.StartByte()], '\n')
	for k := 0; k < 3 && end > 0; k++ {
		start := bytes.LastIndexByte(src[:end], '\n') + 1
		line := strings.ToLower(strings.TrimSpace(string(src[start:end])))
		if !strings.HasPrefix(line, "#") {
			return false
		}
		if semantic.InvariantText(line) {
			return true
		}
		end = start - 1
	}
	return false
}

// caughtHere reports a raise in the body of a try, in the same function,
// whose handler catches it (a bare except, `except Exception` or `except
// BaseException`) and does not raise it again: no caller ever sees it (`try: raise Exception("stop
// using this") except Exception: log.exception(...)`, a raise to log a
// stack trace).
func caughtHere(raise pyast.Node, name string) bool {
	for n := raise; !n.IsNil(); n = n.Parent() {
		p := n.Parent()
		switch p.Type() {
		case "function_definition", "class_definition", "lambda", "module", "":
			return false
		case "try_statement":
			if !n.Equal(p.ChildByField("body")) {
				continue
			}
			for c := range p.Named() {
				if c.Type() != "except_clause" {
					continue
				}
				caught := exceptTypes(c)
				catches := len(caught) == 0 // bare except
				for _, t := range caught {
					if t == "Exception" && name == "Exception" || t == "BaseException" {
						catches = true
					}
				}
				if catches {
					// Unless the handler raises it again (`raise`, `raise e`
					// hand the generic exception on to the caller); raising
					// another (`raise ValidationError("Invalid value")`)
					// hands the caller that one.
					return !reraises(c)
				}
			}
		}
	}
	return false
}

// reraises reports an except clause with a bare `raise`, a `raise e` of
// the name it binds (`except Exception as e`), or a `raise self.retry(exc=e)`
// handing it to Celery, which raises it when the retries run out.
func reraises(c pyast.Node) bool {
	bound := ""
	for k := range c.Named() {
		if k.Type() == "as_pattern" {
			bound = k.ChildByField("alias").Text()
		}
	}
	for _, r := range pyast.FindAllShallow(c, "raise_statement") {
		e := raisedExpr(r)
		if e.IsNil() || bound != "" && pyast.Unparen(e).Text() == bound {
			return true
		}
		// `raise self.retry(exc=exc)`: once the retries run out, Celery
		// raises the exception it was given.
		if rc, ok := pyast.AsCall(e); ok && bound != "" && rc.MethodName() == "retry" {
			for _, a := range append(append([]pyast.Node(nil), rc.Positional...), keywordValues(rc)...) {
				if pyast.Unparen(a).Text() == bound {
					return true
				}
			}
		}
	}
	return false
}

// keywordValues returns a call's keyword argument values.
func keywordValues(c pyast.Call) []pyast.Node {
	var out []pyast.Node
	for _, v := range c.EachKeyword() {
		out = append(out, v)
	}
	return out
}

// exceptTypes returns the names an except clause catches (`except E`,
// `except (E, F) as e`), last dotted part; none for a bare except.
func exceptTypes(c pyast.Node) []string {
	var out []string
	for k := range c.Named() {
		if k.Type() == "block" {
			break
		}
		if k.Type() == "as_pattern" {
			k = k.NamedChild(0)
		}
		k = pyast.Unparen(k)
		items := []pyast.Node{k}
		if k.Is("tuple", "expression_list") {
			items = items[:0]
			for e := range k.Named() {
				items = append(items, e)
			}
		}
		for _, e := range items {
			d := pyast.Dotted(e)
			out = append(out, d[strings.LastIndex(d, ".")+1:])
		}
	}
	return out
}

// runGenericRaise matches raise statements whose exception is the builtin
// Exception or BaseException, called or not (an import shadowing the name
// is respected). Test files get low confidence: a fake that raises a plain
// Exception is common and harmless there.
func runGenericRaise(p *analyzer.Pass) error {
	conf := analyzer.High
	if paths.IsTest(paths.Rel(p)) {
		conf = analyzer.Low
	}
	var reported pyast.Node // the walk used to skip the subtree of a reported raise
	for n := range pyast.FindEach(p.Root, "raise_statement") {
		if reported.Contains(n) {
			continue
		}
		name := genericRaised(p, n)
		if name == "" {
			continue
		}
		reported = n
		e := raisedExpr(n)
		if semantic.InvariantMessage(e) || invariantComment(p.File.Src(), n) || caughtHere(n, name) {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(e),
			Message:    fmt.Sprintf("`raise %s` is generic: callers can only catch it with `except %s`", name, name),
			Help:       "raise a specific built-in exception (`ValueError`, `RuntimeError`...) or a domain exception (`class AccountCreationError(Exception)`)",
			Confidence: conf,
		})
	}
	return nil
}
