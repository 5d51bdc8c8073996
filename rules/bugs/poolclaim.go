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

//go:embed poolclaim.md
var poolClaimDoc string

// UnlockedPoolClaim reports a row picked from a pool by the value of a
// column (`Code.objects.filter(used=False).first()`) and claimed later by
// setting that column to another value and saving, with no lock on the
// pick: two requests pick the same row and both claim it.
var UnlockedPoolClaim = &analyzer.Rule{
	Code:       "BUG063",
	Name:       "unlocked-pool-claim",
	Doc:        poolClaimDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.24.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   requires,
	Run:        runUnlockedPoolClaim,
}

// poolChainMethods are the queryset methods a pick may chain before
// first()/last(); anything else (select_for_update above all, a custom
// manager method, a slice) leaves the pick alone.
var poolChainMethods = map[string]bool{"filter": true, "exclude": true, "order_by": true, "all": true}

// runUnlockedPoolClaim matches `row = Model.objects.filter(col=V, ...)
// [.order_by(...)].first()` (or last()) where row is bound once in its
// function, every filter keyword is a plain column of the model (no
// relation: a pick among one parent's or one user's rows is not a shared
// pool; no unique key: that is a lookup), and later in the function
// `row.col = W` (W another expression than V) is followed by `row.save(...)`.
func runUnlockedPoolClaim(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for a := range pyast.FindEach(p.Root, "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "identifier" || a.Parent().Type() != "expression_statement" {
			continue
		}
		name := left.Text()
		def := pyast.EnclosingFunction(a)
		if def.IsNil() {
			continue
		}
		pick, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok || pick.Func.Type() != "attribute" || len(pick.Positional) > 0 || len(pick.Keywords) > 0 {
			continue
		}
		if m := pick.MethodName(); m != "first" && m != "last" {
			continue
		}
		kws, ok := poolFilters(pick.Receiver())
		if !ok || len(kws) == 0 {
			continue
		}
		q := f.Eval(pick.Receiver())
		if q == nil || q.Model == nil || q.Model.External || q.Custom {
			continue
		}
		md := q.Model
		claimable := map[string]pyast.Node{}
		plain := true
		for key, val := range kws {
			if !poolConstant(f, def, val) {
				// A value the caller or the code supplies (a phone number
				// and its one-time code): a lookup of one row, not a pick
				// from a shared pool.
				plain = false
				break
			}
			base, _, _ := strings.Cut(key, "__")
			fd := md.Field(base)
			if fd == nil || fd.Kind != project.Plain || fd.Unique || fd.PrimaryKey {
				plain = false
				break
			}
			if !strings.Contains(key, "__") {
				claimable[key] = val
			}
		}
		if !plain || len(claimable) == 0 || !onlyFreshRebinds(f, a, name) {
			continue
		}
		claim, save := poolClaim(def, a, name, claimable)
		if claim.IsNil() {
			continue
		}
		field := claim.ChildByField("left").ChildByField("attribute").Text()
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(a),
			Message: fmt.Sprintf("`%s` is picked from the `%s` rows with `%s=%s` without a lock and claimed by setting `%s` later: two concurrent requests pick the same row and both claim it",
				name, md.Name, field, pyast.OneLine(claimable[field], 50), field),
			Help: fmt.Sprintf("pick under a lock (`%s.objects.select_for_update(skip_locked=True).filter(...).first()` inside `transaction.atomic()`), or claim it conditionally (`%s.objects.filter(pk=%s.pk, %s=%s).update(%s=...)` and pick again when it updates no row)",
				md.Name, md.Name, name, field, pyast.OneLine(claimable[field], 50), field),
			Related: []analyzer.Related{
				{Range: analyzer.RangeOf(claim), Message: "claimed here"},
				{Range: analyzer.RangeOf(save), Message: "saved here"},
			},
		})
	}
	return nil
}

// poolConstant reports a filter value that is the same on every call: a
// literal (`False`, `"inactive"`, a number, `None`) or a dotted name whose
// root the function does not bind, a module-level constant or enum member
// (`Status.INACTIVE`). Parameters, locals and `self` are the caller's.
func poolConstant(f *semantic.File, def, v pyast.Node) bool {
	v = pyast.Unparen(v)
	switch v.Type() {
	case "true", "false", "none", "integer", "string":
		if v.Type() == "string" {
			_, ok := pyast.StringValue(v)
			return ok
		}
		return true
	case "attribute":
		root := v
		for root.Type() == "attribute" {
			root = root.ChildByField("object")
		}
		v = root
	}
	if v.Type() != "identifier" {
		return false
	}
	for _, p := range pyast.ParamNames(def) {
		if p == v.Text() {
			return false
		}
	}
	// No binding in the function: a module's name, an import, a class.
	return f.BindingCount(v, v.Text()) == 0 && !boundInLoopOrWith(def, v.Text())
}

// boundInLoopOrWith reports a name def binds as a loop target or a `with`
// target, which Bindings does not list.
func boundInLoopOrWith(def pyast.Node, name string) bool {
	for n := range pyast.FindEach(pyast.Body(def), "for_statement", "as_pattern_target", "for_in_clause") {
		t := n
		if n.Type() != "as_pattern_target" {
			t = n.ChildByField("left")
		}
		for id := range pyast.FindEach(t, "identifier") {
			if id.Text() == name {
				return true
			}
		}
	}
	return false
}

// onlyFreshRebinds reports whether every binding of name in a's scope
// other than a makes a new row (`Model.objects.create(...)`, the fallback
// when the pool is empty): a row no one else can have picked.
func onlyFreshRebinds(f *semantic.File, a pyast.Node, name string) bool {
	right := a.ChildByField("right")
	for _, b := range f.Bindings(a, name) {
		if b.Equal(right) {
			continue
		}
		c, ok := pyast.AsCall(pyast.Unparen(b))
		if !ok || c.Func.Type() != "attribute" || c.MethodName() != "create" {
			return false
		}
	}
	return true
}

// poolFilters walks a queryset chain down to its manager and returns the
// keyword filters of its filter() calls; ok is false when the chain holds
// anything but poolChainMethods (a lock, a slice, positional Q objects,
// **kwargs, an exclude).
func poolFilters(n pyast.Node) (map[string]pyast.Node, bool) {
	kws := map[string]pyast.Node{}
	for {
		n = pyast.Unparen(n)
		if n.Type() != "call" {
			break
		}
		c, _ := pyast.AsCall(n)
		if c.Func.Type() != "attribute" {
			return nil, false
		}
		m := c.MethodName()
		if !poolChainMethods[m] {
			return nil, false
		}
		if m == "filter" || m == "exclude" {
			if m == "exclude" || len(c.Positional) > 0 || c.StarArgs || c.StarKwargs {
				return nil, false
			}
			for k, v := range c.EachKeyword() {
				kws[k] = v
			}
		}
		n = c.Receiver()
	}
	if n.Type() != "attribute" || n.ChildByField("attribute").Text() != "objects" {
		return nil, false
	}
	return kws, true
}

// poolClaim finds, after the pick a in def, an assignment `name.col = W`
// of a claimable column to another expression than the one filtered on,
// followed by `name.save(...)`; zero Nodes when there is none.
func poolClaim(def, a pyast.Node, name string, claimable map[string]pyast.Node) (claim, save pyast.Node) {
	for s := range pyast.FindEach(pyast.Body(def), "assignment") {
		if s.StartByte() < a.EndByte() || !pyast.EnclosingFunction(s).Equal(def) {
			continue
		}
		l := s.ChildByField("left")
		if l.Type() != "attribute" || l.ChildByField("object").Type() != "identifier" || l.ChildByField("object").Text() != name {
			continue
		}
		v, ok := claimable[l.ChildByField("attribute").Text()]
		if !ok || s.ChildByField("right").Text() == v.Text() {
			continue
		}
		for call := range pyast.FindEach(pyast.Body(def), "call") {
			if call.StartByte() < s.EndByte() || !pyast.EnclosingFunction(call).Equal(def) {
				continue
			}
			c, _ := pyast.AsCall(call)
			if c.Func.Type() == "attribute" && c.MethodName() == "save" && pyast.Unparen(c.Receiver()).Type() == "identifier" && c.Receiver().Text() == name {
				return s, call
			}
		}
	}
	return
}
