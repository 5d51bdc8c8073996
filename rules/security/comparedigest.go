package security

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed comparedigest.md
var compareDigestDoc string

// CompareDigest reports signatures, MACs and tokens compared with == or !=.
var CompareDigest = &analyzer.Rule{
	Code:       "SEC001",
	Name:       "signature-compared-with-eq",
	Doc:        compareDigestDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Project}, // enumMember's project classes
	Run:        runCompareDigest,
}

// runCompareDigest matches `a == b` / `a != b` where one side is a MAC
// computed with hmac (hmac.new(...).hexdigest(), a variable bound from it,
// hmac.digest(...)), a hashlib digest compared with a request header, or a
// name that holds a signature, digest or token. It skips comparisons with a
// literal (`sig == ""`, `token is None`), chained comparisons, and tests.
func runCompareDigest(p *analyzer.Pass) error {
	var ( // computed on first need
		macVars map[varKey]bool
		consts  map[string]bool
	)
	for n := range pyast.FindEach(p.Root, "comparison_operator") {
		ops := n.ChildrenByField("operators")
		operands := pyast.Statements(n)
		if len(ops) != 1 || len(operands) != 2 {
			continue
		}
		op := ops[0].Text()
		if op != "==" && op != "!=" {
			continue
		}
		if consts == nil {
			macVars = hmacVariables(p)
			consts = literalConstants(p.Root)
		}
		a, b := operands[0], operands[1]
		if isLiteral(a) || isLiteral(b) || isLenCall(a) || isLenCall(b) || consts[a.Text()] || consts[b.Text()] ||
			isConstantName(a) || isConstantName(b) || sameObjectFields(a, b) || loopTarget(a, n) && loopTarget(b, n) ||
			enumMember(p, a) || enumMember(p, b) || op == "!=" && syncsValue(n, a, b) {
			continue
		}
		fn := pyast.EnclosingFunction(n)
		what := ""
		for _, side := range []pyast.Node{a, b} {
			other := b
			if side.Equal(b) {
				other = a
			}
			if w := digestOperand(p, side, other, fn, macVars); w != "" {
				what = w
				break
			}
		}
		if what == "" {
			continue
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n),
			Message: fmt.Sprintf("%s compared with `%s`, which leaks timing", what, op),
			Help:    "compare secrets in constant time: `hmac.compare_digest(expected, received)` (both str or both bytes)",
		}
		if name := compareDigestName(p.Imports); name != "" {
			call := fmt.Sprintf("%s(%s, %s)", name, a.Text(), b.Text())
			if op == "!=" {
				call = "not " + call
			}
			d.Fixes = []analyzer.Fix{{Message: "use " + name, Edits: []analyzer.TextEdit{{Range: analyzer.RangeOf(n), NewText: call}},
				// Unsafe: compare_digest raises TypeError on mixed or non-ASCII str operands.
				Applicability: analyzer.Unsafe}}
		}
		p.Report(d)
	}
	return nil
}

// loopTarget reports a name bound by a for loop around at
// (`for old_token, new_token in zip(tokenize(a), tokenize(b))`), or a key or
// attribute of one (`elem["signature"]` in `for elem in data`): two such
// sides compare the items of two sequences pairwise (lexical tokens, list
// entries, a feed's records against configured names), not a caller's
// secret with the expected one.
func loopTarget(side, at pyast.Node) bool {
	side = pyast.Unparen(side)
	for side.Type() == "subscript" || side.Type() == "attribute" {
		if side.Type() == "subscript" {
			side = pyast.Unparen(side.ChildByField("value"))
		} else {
			side = pyast.Unparen(side.ChildByField("object"))
		}
	}
	if side.Type() != "identifier" {
		return false
	}
	for f := pyast.Ancestor(at, "for_statement"); !f.IsNil(); f = pyast.Ancestor(f, "for_statement") {
		for id := range pyast.FindEach(f.ChildByField("left"), "identifier") {
			if id.Text() == side.Text() {
				return true
			}
		}
	}
	return false
}

// syncsValue reports a `!=` comparison in an if's condition whose body
// assigns one side's value to the other (`if HexBytes(conf.signature) !=
// exported: conf.signature = exported`): a stored copy brought up to date,
// not a secret checked against a caller's input.
func syncsValue(cmp, a, b pyast.Node) bool {
	ifs := pyast.Ancestor(cmp, "if_statement")
	cond := ifs.ChildByField("condition")
	if cond.IsNil() || cmp.StartByte() < cond.StartByte() || cmp.EndByte() > cond.EndByte() {
		return false
	}
	a, b = unwrapConversion(a), unwrapConversion(b)
	for asg := range pyast.FindEach(ifs.ChildByField("consequence"), "assignment") {
		left, right := asg.ChildByField("left"), unwrapConversion(asg.ChildByField("right"))
		if right.IsNil() {
			continue
		}
		if left.Text() == a.Text() && right.Text() == b.Text() || left.Text() == b.Text() && right.Text() == a.Text() {
			return true
		}
	}
	return false
}

// unwrapConversion returns the argument of a one-argument call
// (`HexBytes(x)`, `str(x)`), else n itself.
func unwrapConversion(n pyast.Node) pyast.Node {
	n = pyast.Unparen(n)
	if c, ok := pyast.AsCall(n); ok && len(c.Positional) == 1 && len(c.Keywords) == 0 {
		return pyast.Unparen(c.Positional[0])
	}
	return n
}

// earlierState are the words that name a value's earlier, stored state.
var earlierState = []string{"initial", "old", "original", "orig", "previous", "prev", "saved", "stored", "last", "existing", "persisted"}

// sameObjectFields reports an attribute of one object compared with its
// earlier value kept on the same object (`instance._initial_token !=
// instance.token`, `self.old_key != self.key`), or the same attribute of
// the row as stored, in an object named for it (`old_instance.api_key !=
// instance.api_key` in a pre_save receiver, `previous.token != obj.token`):
// a model's change detection; no secret is checked against a caller's
// input.
func sameObjectFields(a, b pyast.Node) bool {
	a, b = pyast.Unparen(a), pyast.Unparen(b)
	if a.Type() != "attribute" || b.Type() != "attribute" {
		return false
	}
	oa, ob := a.ChildByField("object"), b.ChildByField("object")
	if oa.Type() != "identifier" || ob.Type() != "identifier" {
		return false
	}
	na := strings.Trim(a.ChildByField("attribute").Text(), "_")
	nb := strings.Trim(b.ChildByField("attribute").Text(), "_")
	if oa.Text() != ob.Text() {
		return na == nb && (namesEarlierState(oa.Text()) != namesEarlierState(ob.Text()))
	}
	for _, pre := range earlierState {
		if na == pre+"_"+nb || nb == pre+"_"+na {
			return true
		}
	}
	return false
}

// namesEarlierState reports a name with a word for a stored, earlier state
// (old_instance, previous, existing_user).
func namesEarlierState(name string) bool {
	for _, w := range semantic.IdentWords(name) {
		if slices.Contains(earlierState, w) {
			return true
		}
	}
	return false
}

// digestOperand describes side when it is a MAC, signature or token, or
// returns "".
func digestOperand(p *analyzer.Pass, side, other, fn pyast.Node, macVars map[varKey]bool) string {
	side = pyast.Unparen(side)
	if c, ok := pyast.AsCall(side); ok {
		switch {
		case p.Imports.Is(c.Func, "hmac.digest"):
			return "HMAC `hmac.digest(...)`"
		case c.MethodName() == "hexdigest" || c.MethodName() == "digest":
			if hasHMACCall(p, c.Receiver()) || isMACVar(c.Receiver(), fn, macVars) {
				return "HMAC `" + c.MethodName() + "()`"
			}
			if hasHashlibCall(p, c.Receiver()) && readsRequestHeader(other) {
				return "digest `" + c.MethodName() + "()` of a request header"
			}
			return ""
		}
	}
	if isMACVar(side, fn, macVars) {
		return "HMAC `" + side.Text() + "`"
	}
	if side.Type() == "call" {
		// Only .get("X-Signature") / getenv("TOKEN") name their value.
		c, _ := pyast.AsCall(side)
		if c.MethodName() != "get" && c.MethodName() != "getenv" {
			return ""
		}
	}
	if name := lastName(side); name != "" && isDigestName(name) {
		if slices.Contains(semantic.IdentWords(strings.ToLower(name)), "lock") {
			// `current_value == self.lock_token`: the id a distributed
			// lock's owner wrote, compared to release or extend its own
			// lock; no caller's credential is checked.
			return ""
		}
		if strings.ToLower(name) == "token" && !corroborates(other) {
			// A bare `token` is often a content hash or message id; ask the
			// other side to look like a credential too.
			return ""
		}
		return "`" + name + "`"
	}
	return ""
}

type varKey struct {
	fn   int32
	name string
}

// hmacVariables maps (function, name) for every name assigned a value
// computed by hmac in that function (or at module level, fn -1).
func hmacVariables(p *analyzer.Pass) map[varKey]bool {
	out := map[varKey]bool{}
	for n := range pyast.FindEach(p.Root, "assignment") {
		left := n.ChildByField("left")
		right := n.ChildByField("right")
		if left.Type() != "identifier" || right.IsNil() || !hasHMACCall(p, right) {
			continue
		}
		out[varKey{funcID(n), left.Text()}] = true
	}
	return out
}

func funcID(n pyast.Node) int32 {
	if fn := pyast.EnclosingFunction(n); !fn.IsNil() {
		return fn.ID()
	}
	return -1
}

func isMACVar(n pyast.Node, fn pyast.Node, macVars map[varKey]bool) bool {
	n = pyast.Unparen(n)
	if n.Type() != "identifier" {
		return false
	}
	id := int32(-1)
	if !fn.IsNil() {
		id = fn.ID()
	}
	return macVars[varKey{id, n.Text()}]
}

// hasHMACCall reports whether n contains a call to hmac.new, hmac.HMAC or
// hmac.digest.
func hasHMACCall(p *analyzer.Pass, n pyast.Node) bool {
	return containsCallTo(p, n, "hmac.new", "hmac.HMAC", "hmac.digest")
}

func hasHashlibCall(p *analyzer.Pass, n pyast.Node) bool {
	for m := range pyast.FindEach(n, "call") {
		if q, ok := p.Imports.Resolve(m.ChildByField("function")); ok && len(q) > 8 && q[:8] == "hashlib." {
			return true
		}
	}
	return false
}

func containsCallTo(p *analyzer.Pass, n pyast.Node, qualified ...string) bool {
	if n.IsNil() {
		return false
	}
	for m := range pyast.FindEach(n, "call") {
		if p.Imports.Is(m.ChildByField("function"), qualified...) {
			return true
		}
	}
	return false
}

// readsRequestHeader reports whether n reads request.headers / request.META.
func readsRequestHeader(n pyast.Node) bool {
	for m := range pyast.FindEach(n, "attribute") {
		switch string(m.ChildByField("attribute").Bytes()) {
		case "headers", "META":
			return true
		}
	}
	return false
}

func isLenCall(n pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	return ok && c.Func.Type() == "identifier" && c.Func.Text() == "len"
}

// compareDigestName returns how this file can call compare_digest without a
// new import, or "".
func compareDigestName(im *pyast.Imports) string {
	if q, ok := im.Lookup("hmac"); ok && q == "hmac" {
		return "hmac.compare_digest"
	}
	if q, ok := im.Lookup("compare_digest"); ok && (q == "hmac.compare_digest" || q == "secrets.compare_digest") {
		return "compare_digest"
	}
	if q, ok := im.Lookup("secrets"); ok && q == "secrets" {
		return "secrets.compare_digest"
	}
	return ""
}

// isConstantName reports whether n is an ALL_CAPS name that is a code
// constant (CONSTRAINT_TOKEN_USER, self.REQUEST_TOKEN) rather than a
// configured secret (settings.API_TOKEN, os.environ["TOKEN"]).
func isConstantName(n pyast.Node) bool {
	n = pyast.Unparen(n)
	var name string
	switch n.Type() {
	case "identifier":
		name = n.Text()
	case "attribute":
		name = n.ChildByField("attribute").Text()
		switch lastName(n.ChildByField("object")) {
		case "settings", "conf", "config", "environ", "app_settings":
			return false
		}
	default:
		return false
	}
	return strings.ToUpper(name) == name && strings.ToLower(name) != name
}

// corroborates reports whether the other side of a comparison with a bare
// `token` also looks like a credential: a secret name, or a value read from
// request headers or settings.
func corroborates(other pyast.Node) bool {
	if name := lastName(other); name != "" && isDigestName(name) {
		return true
	}
	if readsRequestHeader(other) {
		return true
	}
	return strings.HasPrefix(pyast.Unparen(other).Text(), "settings.")
}
