package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed rawsql.md
var rawSQLDoc string

// SQLFromStrings reports SQL assembled by string formatting.
var SQLFromStrings = &analyzer.Rule{
	Code:       "SEC009",
	Name:       "sql-built-from-strings",
	Doc:        rawSQLDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.Migration,
	Run:        runSQLFromStrings,
}

// runSQLFromStrings matches the SQL argument of cursor.execute/executemany
// (a receiver named like a cursor, connection or session), Model.objects.raw,
// .extra(where=/select=/tables=) and RawSQL(...) when it is an f-string, a
// `%` or `+` or `.format()` on a string, or a local variable assigned (or
// `+=`-extended) from one, with at least one interpolated value that is not
// obviously safe. Safe values: literals, ALL_CAPS constants, names about
// placeholders, tables or columns, quote_name/Identifier/join calls,
// numbers (numericExpr, numericLocals), safe values joined with `+` and
// _meta/db_table attributes. Test files are skipped.
func runSQLFromStrings(p *analyzer.Pass) error {
	// What the sinks need is computed on first need: most files have none.
	var (
		ready bool
		safe  map[varKey]bool
		built map[varKey]pyast.Node
		nosec map[int]bool
	)
	for n := range pyast.FindEach(p.Root, "call") {
		if !sqlSinkMethod(n.ChildByField("function")) {
			continue
		}
		c, _ := pyast.AsCall(n)
		var args []pyast.Node
		sink := sqlSink(p, c)
		switch sink {
		case "":
			continue
		case "extra":
			for _, k := range []string{"where", "select", "tables"} {
				v := c.Keyword(k)
				if v.Is("list", "tuple") {
					args = append(args, v.NamedChildren()...)
				} else if v.Type() == "dictionary" {
					for pair := range v.Named() {
						args = append(args, pair.ChildByField("value"))
					}
				}
			}
		default:
			if a := c.Arg(0, "sql"); !a.IsNil() {
				args = append(args, a)
			}
		}
		if !ready {
			safe = safeSQLLocals(p)
			built = builtSQLVariables(p, safe)
			nosec = nosecLines(p)
			ready = true
		}
		fn := funcID(n)
		for _, a := range args {
			how, bad := sqlBuilt(a, fn, built, safe)
			if how == "" || spansNosec(p, nosec, pyast.StatementOf(bad)) || spansNosec(p, nosec, pyast.StatementOf(n)) {
				continue
			}
			conf := analyzer.Medium
			switch {
			case strings.Contains(bad.Text(), "request."):
				conf = analyzer.High
			case bad.Type() == "identifier" && isParam(pyast.EnclosingFunction(n), bad.Text()) && !quotedValue(bad):
				// A parameter: its callers decide whether it is user data.
				conf = analyzer.Low
			}
			p.Report(analyzer.Diagnostic{
				Range:      analyzer.RangeOf(a),
				Message:    fmt.Sprintf("SQL built with %s reaches `%s`: `%s` is pasted into the query", how, sink, bad.Text()),
				Help:       "pass values as query parameters: `cursor.execute(\"... WHERE id = %s\", [user_id])` (`.raw(sql, params)`, `RawSQL(sql, params)`, `extra(where=[...], params=[...])`); quote identifiers with `connection.ops.quote_name`",
				Confidence: conf,
			})
		}
	}
	return nil
}

// sqlSinkMethod reports whether a callee's name is one sqlSink accepts:
// a test before decoding the call.
func sqlSinkMethod(fn pyast.Node) bool {
	var name []byte
	switch fn.Type() {
	case "attribute":
		name = fn.ChildByField("attribute").Bytes()
	case "identifier":
		name = fn.Bytes()
	default:
		return false
	}
	switch string(name) {
	case "execute", "executemany", "raw", "extra", "RawSQL":
		return true
	}
	return false
}

// sqlSink names the SQL-executing call, or "".
func sqlSink(p *analyzer.Pass, c pyast.Call) string {
	m := c.MethodName()
	switch {
	case c.Func.Type() == "attribute" && (m == "execute" || m == "executemany"):
		recv := pyast.Unparen(c.Receiver())
		if rc, ok := pyast.AsCall(recv); ok && rc.MethodName() == "cursor" {
			return m
		}
		if hasWord(lastName(recv), "cursor", "cur", "cr", "c", "conn", "connection", "session", "db", "database") {
			return m
		}
	case c.Func.Type() == "attribute" && m == "raw":
		if strings.Contains(c.Receiver().Text(), "objects") {
			return "raw"
		}
	case c.Func.Type() == "attribute" && m == "extra":
		return "extra"
	case m == "RawSQL":
		return "RawSQL"
	}
	return ""
}

// sqlBuilt returns how n was formatted and the first unsafe interpolated
// value, or "" when n is not a formatted string with an unsafe value.
func sqlBuilt(n pyast.Node, fn int32, built map[varKey]pyast.Node, safe map[varKey]bool) (string, pyast.Node) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if src, ok := built[varKey{fn, n.Text()}]; ok {
			return sqlBuilt(src, fn, nil, safe)
		}
	case "string", "concatenated_string":
		if !pyast.IsFString(n) {
			return "", pyast.Node{}
		}
		for i := range pyast.FindEachShallow(n, "interpolation") {
			if e := i.ChildByField("expression"); !numericFormat(i) && !safeSQLValue(e, fn, safe) {
				return "an f-string", e
			}
		}
	case "binary_operator":
		op := n.ChildByField("operator").Text()
		left, right := pyast.Unparen(n.ChildByField("left")), pyast.Unparen(n.ChildByField("right"))
		switch op {
		case "%":
			if !left.Is("string", "concatenated_string") {
				return "", pyast.Node{}
			}
			vals := []pyast.Node{right}
			if right.Is("tuple", "dictionary") {
				vals = right.NamedChildren()
			}
			convs := percentConversions(left.Text())
			for i, v := range vals {
				if v.Type() == "pair" {
					v = v.ChildByField("value")
				}
				if right.Type() != "dictionary" && i < len(convs) && strings.ContainsRune("diouxXeEfFgG", convs[i]) {
					continue // `%d` takes numbers only: a string raises TypeError
				}
				if !safeSQLValue(v, fn, safe) {
					return "`%` formatting", v
				}
			}
		case "+":
			for _, side := range [][2]pyast.Node{{left, right}, {right, left}} {
				if side[0].Is("string", "concatenated_string") && !safeSQLValue(side[1], fn, safe) {
					if how, bad := sqlBuilt(side[1], fn, built, safe); how != "" {
						return how, bad
					}
					return "`+` concatenation", side[1]
				}
			}
			if how, bad := sqlBuilt(left, fn, built, safe); how != "" {
				return how, bad
			}
			return sqlBuilt(right, fn, built, safe)
		}
	case "call":
		c, _ := pyast.AsCall(n)
		if c.MethodName() == "format" && pyast.Unparen(c.Receiver()).Is("string", "concatenated_string") {
			for _, a := range c.Positional {
				if !safeSQLValue(a, fn, safe) {
					return "`.format()`", a
				}
			}
			for _, a := range c.EachKeyword() {
				if !safeSQLValue(a, fn, safe) {
					return "`.format()`", a
				}
			}
		}
	}
	return "", pyast.Node{}
}

// percentConversions returns the conversion character of each
// placeholder of a %-format string, in order (`%%` skipped).
func percentConversions(format string) []rune {
	var out []rune
	rs := []rune(format)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			continue
		}
		j := i + 1
		if j < len(rs) && rs[j] == '%' {
			i = j
			continue
		}
		if j < len(rs) && rs[j] == '(' {
			for j < len(rs) && rs[j] != ')' {
				j++
			}
			j++
		}
		for j < len(rs) && strings.ContainsRune("-#0 +.*0123456789hlL", rs[j]) {
			j++
		}
		if j < len(rs) {
			out = append(out, rs[j])
		}
		i = j
	}
	return out
}

// safeSQLValue reports whether an interpolated value is obviously not user
// data.
func safeSQLValue(n pyast.Node, fn int32, safe map[varKey]bool) bool {
	n = pyast.Unparen(n)
	if isLiteral(n) {
		return true
	}
	text := n.Text()
	low := strings.ToLower(text)
	for _, w := range []string{"placeholder", "table", "column", "quote", "_meta", "qn(", "identifier"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	if ws := semantic.NameWords(lastName(n)); len(ws) > 1 && ws[len(ws)-1] == "name" && dbObjectWords[ws[len(ws)-2]] {
		return true
	}
	if numericExpr(n, fn, nil) {
		return true
	}
	switch n.Type() {
	case "identifier":
		return strings.ToUpper(text) == text || safe[varKey{fn, text}]
	case "binary_operator":
		// Safe values joined with `+` ("select id from t where " + "x
		// IN (...)", a literal split over lines) are as safe as their parts.
		// Arithmetic on safe values (`TIMEOUT_SECONDS * 1000`) is a
		// constant of the code too.
		switch n.ChildByField("operator").Text() {
		case "+", "-", "*", "//", "/", "%":
			return safeSQLValue(n.ChildByField("left"), fn, safe) && safeSQLValue(n.ChildByField("right"), fn, safe)
		}
		return false
	case "string":
		// An f-string whose every interpolation is safe
		// (f"'{instance.pk}'") is as safe as its parts.
		found := false
		for k := range n.Named() {
			if k.Type() != "interpolation" {
				continue
			}
			found = true
			if e := k.ChildByField("expression"); e.IsNil() || !safeSQLValue(e, fn, safe) {
				return false
			}
		}
		return found
	case "attribute":
		name := n.ChildByField("attribute").Text()
		if classConstant(n) || name == "pk" || name == "id" {
			return true // a row's primary key: a number or UUID the database gave
		}
		if name == "value" || name == "label" {
			// An enum member's value (DebateSide.AFF.value,
			// Status.PAID.label): a constant of the code.
			if obj := n.ChildByField("object"); obj.Type() == "attribute" {
				m := obj.ChildByField("attribute").Text()
				return strings.ToUpper(m) == m
			}
		}
		return strings.ToUpper(name) == name
	case "call":
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "join", "quote_name", "Identifier", "Literal", "bool", "isoformat":
			return true // isoformat: a date's digits and separators
		}
		if dateConstructors[pyast.Dotted(c.Func)] {
			return true // a date or datetime prints as digits and separators
		}
		if c.Func.Type() == "identifier" && len(c.Positional) == 0 && len(c.Keywords) == 0 && constantHelper(n, c.Func.Text()) {
			return true
		}
	case "subscript":
		// An item of a constant row (`af[0]` of a loop over a literal
		// list of tuples).
		v := pyast.Unparen(n.ChildByField("value"))
		return v.Type() == "identifier" && safeSQLValue(v, fn, safe) && isLiteral(n.ChildByField("subscript"))
	case "conditional_expression":
		// a if cond else b: both branches must be safe.
		ch := n.NamedChildren()
		return len(ch) == 3 && safeSQLValue(ch[0], fn, safe) && safeSQLValue(ch[2], fn, safe)
	}
	return false
}

// dateConstructors build a date or a datetime from the standard library
// (or Django's timezone.now): its text is digits, separators and an offset,
// whatever arguments it was given (non-numbers raise TypeError).
var dateConstructors = map[string]bool{
	"date": true, "datetime": true, "datetime.date": true, "datetime.datetime": true,
	"date.today": true, "datetime.today": true, "datetime.now": true, "datetime.utcnow": true,
	"datetime.date.today": true, "datetime.datetime.today": true, "datetime.datetime.now": true,
	"datetime.datetime.utcnow": true, "timezone.now": true, "timezone.localdate": true,
}

// classConstant reports `self.X` or `cls.X` where the enclosing class sets
// X to a string literal in its body (`json_field = "form_data"` on a
// queryset class): a column the code names, not a caller's input.
func classConstant(n pyast.Node) bool {
	obj := n.ChildByField("object")
	if obj.Type() != "identifier" || obj.Text() != "self" && obj.Text() != "cls" {
		return false
	}
	name := n.ChildByField("attribute").Text()
	cls := pyast.Ancestor(n, "class_definition")
	if cls.IsNil() {
		return false
	}
	found := false
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.Type() != "expression_statement" {
			continue
		}
		a := st.NamedChild(0)
		if a.Type() != "assignment" || a.ChildByField("left").Text() != name {
			continue
		}
		if r := pyast.Unparen(a.ChildByField("right")); !r.Is("string") || pyast.IsFString(r) {
			return false
		}
		found = true
	}
	return found
}

// safeSQLLocals returns the locals whose every assignment in their function
// is a safe SQL value (mode = "READ ONLY" if x else "READ WRITE"), or SQL
// compiled by Django together with its params
// (sql, params = qs.query.sql_with_params()).
func safeSQLLocals(p *analyzer.Pass) map[varKey]bool {
	verdict := map[varKey]bool{}
	for n := range pyast.FindEach(p.Root, "assignment") {
		left, right := n.ChildByField("left"), n.ChildByField("right")
		fn := funcID(n)
		switch left.Type() {
		case "identifier":
			k := varKey{fn, left.Text()}
			ok, seen := verdict[k]
			verdict[k] = (ok || !seen) && !right.IsNil() && safeSQLValue(right, fn, nil)
		case "pattern_list", "tuple_pattern":
			c, isCall := pyast.AsCall(right)
			compiled := isCall && (c.MethodName() == "sql_with_params" || c.MethodName() == "as_sql" || c.MethodName() == "compile")
			for id := range left.Named() {
				if id.Type() == "identifier" {
					k := varKey{fn, id.Text()}
					ok, seen := verdict[k]
					verdict[k] = (ok || !seen) && compiled
				}
			}
		}
	}
	// A local list of SQL fragments the code writes (`where = ["a.x IN
	// (...)", "b.y IN (...)"]`), each item only ever set or extended with
	// safe values (`where[0] += " AND name LIKE %s"`, `where[1] = "1=0"`),
	// holds constants: the caller's values go in as parameters.
	fragments := map[varKey]bool{}
	for n := range pyast.FindEach(p.Root, "assignment", "augmented_assignment") {
		left, right := n.ChildByField("left"), pyast.Unparen(n.ChildByField("right"))
		fn := funcID(n)
		switch {
		case n.Type() == "assignment" && left.Type() == "identifier" && right.Is("list", "tuple"):
			k := varKey{fn, left.Text()}
			ok, seen := fragments[k]
			all := right.NamedChildCount() > 0
			for e := range right.Named() {
				if e.Type() != "comment" {
					all = all && safeSQLValue(e, fn, nil)
				}
			}
			fragments[k] = (ok || !seen) && all
		case left.Type() == "subscript" && pyast.Unparen(left.ChildByField("value")).Type() == "identifier":
			k := varKey{fn, pyast.Unparen(left.ChildByField("value")).Text()}
			if _, ok := fragments[k]; ok {
				fragments[k] = fragments[k] && safeSQLValue(right, fn, nil)
			}
		}
	}
	for n := range pyast.FindEach(p.Root, "call") {
		// `where.append(clause)`: the list takes what it is given.
		if c, _ := pyast.AsCall(n); c.Func.Type() == "attribute" && c.Receiver().Type() == "identifier" {
			k := varKey{funcID(n), c.Receiver().Text()}
			if _, ok := fragments[k]; ok {
				for _, a := range c.Positional {
					fragments[k] = fragments[k] && safeSQLValue(a, k.fn, nil)
				}
			}
		}
	}
	for k, ok := range fragments {
		if ok && !verdict[k] {
			if _, assigned := verdict[k]; assigned {
				verdict[k] = true
			}
		}
	}
	// A local only ever assigned numbers (`start = max(ids) + buffer` with
	// `buffer = int(...)`) holds a number.
	for k, num := range numericLocals(p) {
		if num {
			verdict[k] = true
		}
	}
	// A loop over a literal list of literals (`for cagg in ["summary_1day",
	// "summary_7day"]`, or a local holding one) yields constants.
	lists := map[varKey]pyast.Node{}
	changed := map[varKey]bool{}
	for n := range pyast.FindEach(p.Root, "assignment", "augmented_assignment", "call") {
		if n.Type() == "call" {
			// `configs.append(...)`: the list grows with what it is given.
			if c, _ := pyast.AsCall(n); c.Func.Type() == "attribute" && c.Receiver().Type() == "identifier" {
				changed[varKey{funcID(n), c.Receiver().Text()}] = true
			}
			continue
		}
		if left := n.ChildByField("left"); left.Type() == "identifier" {
			k := varKey{funcID(n), left.Text()}
			if _, again := lists[k]; again || n.Type() == "augmented_assignment" {
				changed[k] = true
			}
			lists[k] = pyast.Unparen(n.ChildByField("right"))
		}
	}
	for n := range pyast.FindEach(p.Root, "for_statement") {
		left := n.ChildByField("left")
		if left.Type() != "identifier" {
			continue
		}
		fn := funcID(n)
		seq := pyast.Unparen(n.ChildByField("right"))
		if seq.Type() == "identifier" {
			k := varKey{fn, seq.Text()}
			if _, local := lists[k]; !local && strings.ToUpper(k.name) == k.name {
				k.fn = -1 // a module constant (AFFECTED_FIELDS = [(table, column), ...])
			}
			if changed[k] {
				seq = pyast.Node{}
			} else {
				seq = lists[k]
			}
		}
		k := varKey{fn, left.Text()}
		ok, seen := verdict[k]
		verdict[k] = (ok || !seen) && literalSeq(seq)
	}
	return verdict
}

// numericExpr reports an expression whose value is a number or the
// evaluation raises TypeError: a number literal; int(), float(), len(),
// round(), abs(), math.ceil()/floor() or a .count(); a local of nums; `-x`;
// `a + b`, `a - b`, `a / b`, `a // b` or `a ** b` with a numeric side (`x +
// 1` with a string x raises); `a * b` with both numeric (`"ab" * 2` is
// text). `%` is left out: on a string it formats.
func numericExpr(n pyast.Node, fn int32, nums map[varKey]bool) bool {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "integer", "float":
		return true
	case "identifier":
		return nums[varKey{fn, n.Text()}]
	case "unary_operator":
		return n.ChildByField("operator").Text() != "not" && numericExpr(n.ChildByField("argument"), fn, nums)
	case "call":
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "int", "float", "len", "round", "abs", "ceil", "floor", "count":
			return true
		}
	case "binary_operator":
		l, r := numericExpr(n.ChildByField("left"), fn, nums), numericExpr(n.ChildByField("right"), fn, nums)
		switch n.ChildByField("operator").Text() {
		case "+", "-", "/", "//", "**":
			return l || r
		case "*":
			return l && r
		}
	}
	return false
}

// numericLocals returns the locals whose every assignment, and every `+=`,
// `-=` or `*=`, is numeric (numericExpr), reading locals already known to be
// numeric: `id_buffer = int(...)`, then `start = max(ids) + id_buffer`.
func numericLocals(p *analyzer.Pass) map[varKey]bool {
	var nums map[varKey]bool
	for range 4 {
		verdict := map[varKey]bool{}
		for n := range pyast.FindEach(p.Root, "assignment", "augmented_assignment") {
			left, right := n.ChildByField("left"), n.ChildByField("right")
			if left.Type() != "identifier" {
				continue
			}
			k := varKey{funcID(n), left.Text()}
			ok, seen := verdict[k]
			num := !right.IsNil() && numericExpr(right, k.fn, nums)
			if n.Type() == "augmented_assignment" {
				switch n.ChildByField("operator").Text() {
				case "+=", "-=", "*=":
				default:
					num = false
				}
			}
			verdict[k] = (ok || !seen) && num
		}
		same := len(verdict) == len(nums)
		for k, v := range verdict {
			if v != nums[k] {
				same = false
			}
		}
		nums = verdict
		if same {
			break
		}
	}
	return nums
}

// literalSeq reports a list or tuple display of literals only (or of
// such lists and tuples: rows of table and column names).
func literalSeq(n pyast.Node) bool {
	if n.IsNil() || n.Type() != "list" && n.Type() != "tuple" {
		return false
	}
	items := n.NamedChildren()
	for _, it := range items {
		if it = pyast.Unparen(it); !isLiteral(it) && !literalSeq(it) {
			return false
		}
	}
	return len(items) > 0
}

// builtSQLVariables maps local names to the formatted-string expression
// they were assigned (`sql = f"..."`, `sql += " AND x = %s" % v`).
func builtSQLVariables(p *analyzer.Pass, safe map[varKey]bool) map[varKey]pyast.Node {
	out := map[varKey]pyast.Node{}
	for n := range pyast.FindEach(p.Root, "assignment", "augmented_assignment") {
		if n.ChildByField("left").Type() != "identifier" {
			continue
		}
		right := n.ChildByField("right")
		if right.IsNil() {
			continue
		}
		key := varKey{funcID(n), n.ChildByField("left").Text()}
		if how, _ := sqlBuilt(right, key.fn, nil, safe); how != "" {
			out[key] = right
		}
	}
	return out
}

// dbObjectWords qualify a "name" that names a database object, not data.
var dbObjectWords = map[string]bool{"field": true, "sequence": true, "index": true, "constraint": true,
	"table": true, "column": true, "schema": true, "db": true, "model": true, "relation": true,
	"trigger": true, "function": true, "view": true}

func isParam(fn pyast.Node, name string) bool {
	for _, p := range pyast.ParamNames(fn) {
		if p == name {
			return true
		}
	}
	return false
}

// quotedValue reports whether an interpolated value sits inside SQL quotes
// ('{email}', '%s' % email): a data value, never an identifier.
func quotedValue(v pyast.Node) bool {
	parent := v.Parent()
	if parent.Type() == "interpolation" {
		prev := parent.Parent().NamedChildren()
		for i, c := range prev {
			if c.Equal(parent) && i > 0 && prev[i-1].Type() == "string_content" {
				t := prev[i-1].Text()
				return strings.HasSuffix(t, "'") || strings.HasSuffix(t, "%")
			}
		}
		return false
	}
	for ; !parent.IsNil() && parent.Type() != "binary_operator"; parent = parent.Parent() {
	}
	if parent.IsNil() {
		return false
	}
	left, _ := pyast.StringValue(pyast.Unparen(parent.ChildByField("left")))
	return strings.Contains(left, "'%s'") || strings.HasSuffix(left, "'")
}

// numericFormat reports an f-string interpolation whose format spec ends in
// a numeric presentation type (`{n:d}`, `{bits:8x}`, `{v:.2f}`): it prints
// digits only, and a string there raises ValueError.
func numericFormat(i pyast.Node) bool {
	spec := strings.TrimSpace(i.ChildByField("format_specifier").Text())
	if spec == "" || strings.ContainsAny(spec, "{}") {
		return false
	}
	return strings.ContainsRune("bdoxXneEfFgG%", rune(spec[len(spec)-1]))
}

// constantHelper reports a call of a function the file defines once, by
// name, taking no argument, every return of which is a plain string or an
// f-string of numeric formats only (`def _suffix(): return
// f"{random.getrandbits(64):8x}"`): it returns digits, never a caller's
// text.
func constantHelper(n pyast.Node, name string) bool {
	root := n
	for !root.Parent().IsNil() {
		root = root.Parent()
	}
	// The nearest definition: in the enclosing function, then outwards.
	var def pyast.Node
	for scope := pyast.EnclosingFunction(n); ; scope = pyast.EnclosingFunction(scope) {
		count := 0
		for d := range pyast.FindEach(root, "function_definition") {
			if pyast.DefName(d) == name && pyast.EnclosingFunction(d) == scope {
				def = d
				count++
			}
		}
		if count > 1 {
			return false // two definitions: which one runs is not read
		}
		if count == 1 || scope.IsNil() {
			break
		}
	}
	if def.IsNil() {
		return false
	}
	returns := 0
	for r := range pyast.FindEach(pyast.Body(def), "return_statement") {
		if pyast.EnclosingFunction(r) != def {
			continue
		}
		returns++
		v := pyast.Unparen(r.NamedChild(0))
		if !v.Is("string") {
			return false
		}
		for i := range pyast.FindEachShallow(v, "interpolation") {
			if !numericFormat(i) {
				return false
			}
		}
	}
	return returns > 0
}
