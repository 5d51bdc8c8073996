package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed amountbound.md
var amountBoundDoc string

// AmountWithoutLowerBound reports a money amount that clients send
// through a form or serializer field with no lower bound: a negative
// amount reverses the operation.
var AmountWithoutLowerBound = &analyzer.Rule{
	Code:       "BUG026",
	Name:       "amount-without-lower-bound",
	Doc:        amountBoundDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   requires,
	Run:        runAmountWithoutLowerBound,
}

// numberFields are the form and serializer field classes that accept
// negative numbers unless bounded.
var numberFields = map[string]bool{"DecimalField": true, "FloatField": true, "IntegerField": true}

// runAmountWithoutLowerBound matches class-level fields named `amount`
// (or ending in `_amount`) of a Django form or DRF serializer class,
// built with forms/serializers DecimalField, FloatField or IntegerField
// without min_value, validators, read_only or disabled, when the class
// (and its project bases) has no clean_<name>/validate_<name> method and
// no clean()/validate() that compares the name with anything: a client
// sends -100 and a deposit debits, a withdrawal credits, a transfer runs
// backwards. Model fields are not judged (they validate only in
// full_clean, and a positive check may live in a constraint).
func runAmountWithoutLowerBound(p *analyzer.Pass) error {
	if !bytes.Contains(p.File.Src(), []byte("amount")) {
		return nil
	}
	if amountChecked.Get(p.Project) {
		return nil
	}
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	reportRawAmounts(p, f)
	for _, c := range f.Classes {
		modelClass := false
		if inputClassKind(c) == "" {
			reportDirectedModelAmount(p, sm, c)
			if !directedName.MatchString(c.Name) || !modelInputClass(c) {
				continue
			}
			modelClass = true
			// A model serializer named for one direction of money: the
			// fields it declares itself are judged as a plain
			// serializer's are (the model's may be signed ledger rows,
			// these are the client's input).
		}
		for st := range pyast.EachStatement(pyast.Body(c.Node)) {
			if st.Type() != "expression_statement" || st.NamedChild(0).Type() != "assignment" {
				continue
			}
			a := st.NamedChild(0)
			name := a.ChildByField("left").Text()
			if !amountName.MatchString(name) {
				continue
			}
			call, ok := pyast.AsCall(a.ChildByField("right"))
			if !ok {
				continue
			}
			q, ok := p.Imports.Resolve(call.Func)
			last := q[strings.LastIndex(q, ".")+1:]
			if !ok || !numberFields[last] || !strings.HasPrefix(q, "django.forms") && !strings.HasPrefix(q, "rest_framework.serializers") && !strings.HasPrefix(q, "rest_framework.fields") {
				continue
			}
			if help, _ := pyast.StringValue(call.Keyword("help_text")); strings.Contains(strings.ToLower(help), "negative") {
				continue // a signed adjustment by design
			}
			if modelClass && !call.Keyword("source").IsNil() {
				continue // a model attribute shown under this name (`source="wallet.balance"`), not the client's amount
			}
			if !call.Keyword("min_value").IsNil() || !call.Keyword("validators").IsNil() || call.StarKwargs ||
				isTrue(call.Keyword("read_only")) || isTrue(call.Keyword("disabled")) {
				continue
			}
			if checkedElsewhere(c, name) {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(a),
				Message: fmt.Sprintf("`%s` accepts any number, negatives included: no min_value, validator or check in `%s`, so a client can send -100 and run the operation backwards",
					name, c.Name),
				Help: fmt.Sprintf("bound it: `%s(..., min_value=Decimal(\"0.01\"))`", pyast.Dotted(call.Func)),
			})
		}
	}
	return nil
}

// amountName matches the names of an amount a client moves: `amount`,
// `deposit_amount`, `transfer_amount`... (not signed adjustments such as
// `increase_by_amount`).
var amountName = regexp.MustCompile(`^((deposit|withdraw|withdrawal|transfer|payment|pay|charge|refund|topup|top_up|send|payout|transaction)_)?amount$`)

// lowerBoundCheck matches a source line that bounds an amount from below:
// `amount <= 0`, `0 < amount`, `amount < Decimal("0.01")`, a constraint
// `amount__gt=0`, a MinValueValidator. It judges a method's comparisons
// (checkedElsewhere); a whole file is read through its tree
// (boundsSomeAmount).
var lowerBoundCheck = regexp.MustCompile(`(?i)amount\w*\s*(<|<=|>|>=)\s*(0|0\.0+|Decimal\(\s*['"]?0)\b|\b0(\.0+)?\s*(<|<=|>|>=)\s*[\w.\[\]'"]*amount|amount__(gt|gte|lt|lte)\s*=\s*0|MinValueValidator`)

// amountChecked is set when some file of the project bounds an amount
// from below: the check may sit in the view or service that reads the
// field, which this rule does not follow.
var amountChecked = &project.ProjectAnalysis[bool]{Name: "bugs.amountChecked", Run: func(ix *project.Index) bool {
	for _, f := range semantic.Of(ix).Files() {
		if boundsSomeAmount(f.Unit.Tree.Root(), f.Unit.File.Src()) {
			return true
		}
	}
	return false
}}

// boundsSomeAmount reports code in the tree at root (of source src) that
// bounds an amount from below: a comparison `amount <= 0`, `0 < amount`,
// `amount < Decimal("0.01")` (the amount the last name before the
// operator, any name holding "amount", in any letter case), a lookup
// keyword `amount__gt=0`, a MinValueValidator. Not a funds check whose
// amount is one term of a sum (`wallet.balance - amount < 0`), nor a
// balance's amount (`payment.balance_from.money.amount < 0`): both bound
// a result (resultCheck). The tree gives the places (comparison
// operators, names); the text around them is read as written, so a
// comment between a name and its operator counts as the space it sits
// in. Strings and comments bound nothing.
func boundsSomeAmount(root pyast.Node, src []byte) bool {
	for op := range pyast.FindEach(root, "<", "<=", ">", ">=") {
		if comparesAmountWithZero(src, op.StartByte(), op.EndByte()) {
			return true
		}
	}
	for cmp := range pyast.FindEach(root, "comparison_operator") {
		if floorComparison(cmp) {
			return true
		}
	}
	for id := range pyast.FindEach(root, "identifier") {
		s, e := id.StartByte(), id.EndByte()
		if e-s < len("amount__lt") {
			continue
		}
		if containsFold(src[s:e], "minvaluevalidator") || lookupBoundAt(src, s, e) {
			return true
		}
	}
	return false
}

// comparesAmountWithZero reports a comparison operator at [start, end)
// of src between an amount and zero: `amount <= 0`, `total_amount < 0.01`,
// `amount < Decimal("0")` (the amount not a result, resultCheck), or
// `0 < amount`, `0 <= data["amount"]`.
func comparesAmountWithZero(src []byte, start, end int) bool {
	left := start
	for left > 0 && isSpaceByte(src[left-1]) {
		left--
	}
	right := end
	for right < len(src) && isSpaceByte(src[right]) {
		right++
	}
	// The amount on the left: the last word before the operator holds
	// "amount"; zero, or Decimal of zero, on the right.
	w := left
	for w > 0 && isIdentByte(src[w-1]) {
		w--
	}
	if i := indexFold(src[w:left], "amount"); i >= 0 && zeroAt(src, right) && !resultCheck(src, w+i) {
		return true
	}
	// Zero on the left (`0`, `0.00`, a word's own start), the amount in
	// the name, attribute or key on the right.
	if !zeroBefore(src, left) {
		return false
	}
	r := right
	for r < len(src) && (isIdentByte(src[r]) || strings.IndexByte(".[]'\"", src[r]) >= 0) {
		r++
	}
	return indexFold(src[right:r], "amount") >= 0
}

// zeroAt reports zero at i: `0` not followed by a word byte (`0`, `0.01`),
// or `Decimal(` (any case), spaces, an optional quote, then such a `0`.
func zeroAt(src []byte, i int) bool {
	if hasFoldAt(src, i, "decimal(") {
		i += len("decimal(")
		for i < len(src) && isSpaceByte(src[i]) {
			i++
		}
		if i < len(src) && (src[i] == '\'' || src[i] == '"') {
			i++
		}
	}
	return i < len(src) && src[i] == '0' && (i+1 == len(src) || !isIdentByte(src[i+1]))
}

// zeroBefore reports a zero ending at end: `0` or `0.00` (zeros after
// the point), that a non-word byte precedes.
func zeroBefore(src []byte, end int) bool {
	if end == 0 || src[end-1] != '0' {
		return false
	}
	if end == 1 || !isIdentByte(src[end-2]) {
		return true // `0`, `-0`, `1.0` (its last zero)
	}
	k := end
	for k > 0 && src[k-1] == '0' {
		k--
	}
	return k >= 2 && src[k-1] == '.' && src[k-2] == '0' && (k == 2 || !isIdentByte(src[k-3]))
}

// lookupBoundAt reports a name at [s, e) of src ending in a lookup that
// bounds an amount (`amount__gt`, `amount__gte`, `amount__lt`,
// `amount__lte`, any case) assigned zero: `amount__gt=0`,
// `total_amount__gte = 0.01` (the amount not a result, resultCheck).
func lookupBoundAt(src []byte, s, e int) bool {
	for _, suffix := range []string{"amount__gt", "amount__gte", "amount__lt", "amount__lte"} {
		if e-s < len(suffix) || !hasFoldAt(src, e-len(suffix), suffix) {
			continue
		}
		i := e
		for i < len(src) && isSpaceByte(src[i]) {
			i++
		}
		if i == len(src) || src[i] != '=' {
			return false
		}
		i++
		for i < len(src) && isSpaceByte(src[i]) {
			i++
		}
		return i < len(src) && src[i] == '0' && !resultCheck(src, e-len(suffix))
	}
	return false
}

// isSpaceByte is a byte of regexp's \s: space, tab, newline, form feed or
// carriage return.
func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

// indexFold is the index of the first pat (lower-case ASCII letters) in
// b, in any letter case, or -1.
func indexFold(b []byte, pat string) int {
	for i := 0; i+len(pat) <= len(b); i++ {
		if b[i]|0x20 == pat[0] && hasFoldAt(b, i, pat) {
			return i
		}
	}
	return -1
}

// containsFold reports pat (lower-case ASCII letters) in b, in any letter
// case.
func containsFold(b []byte, pat string) bool { return indexFold(b, pat) >= 0 }

// resultCheck reports a match starting at i whose amount is a term of a
// sum or difference, or an attribute of something named for a balance.
func resultCheck(src []byte, i int) bool {
	if !hasFoldAt(src, i, "amount") {
		return false // `0 < amount`, `amount__gt=0`, a validator: as written
	}
	// The dotted chain the amount ends: payment.balance_from.money.amount.
	j := i
	for j > 0 && (isIdentByte(src[j-1]) || src[j-1] == '.') {
		j--
	}
	if bytes.Contains(bytes.ToLower(src[j:i]), []byte("balance")) {
		return true
	}
	// The operator before it: `balance - amount < 0`.
	k := j
	for k > 0 && (src[k-1] == ' ' || src[k-1] == '\t' || src[k-1] == '(') {
		k--
	}
	return k > 0 && (src[k-1] == '-' || src[k-1] == '+')
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// hasFoldAt reports whether src holds pat (lower-case ASCII) at i, its
// letters in any case.
func hasFoldAt(src []byte, i int, pat string) bool {
	if i < 0 || len(src)-i < len(pat) {
		return false
	}
	for k := 0; k < len(pat); k++ {
		c := src[i+k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != pat[k] {
			return false
		}
	}
	return true
}

// inputClassKind says whether c is a plain Django form or DRF serializer
// (through project bases): the input of one operation, whose direction
// the endpoint gives. Model forms and model serializers are "" (a ledger
// row may carry a signed amount by design), and so is anything else.
func inputClassKind(c *semantic.Class) string {
	kind := ""
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			last := b[strings.LastIndex(b, ".")+1:]
			switch {
			case strings.HasPrefix(last, "Model") || strings.Contains(last, "Model"):
				return ""
			case b == "django.forms.Form" || b == "django.forms.forms.Form":
				kind = "form"
			case b == "rest_framework.serializers.Serializer":
				kind = "serializer"
			}
		}
	}
	return kind
}

// checkedElsewhere reports a clean_<name>/validate_<name> method in c or
// its project bases, or a clean()/validate() that compares name.
func checkedElsewhere(c *semantic.Class, name string) bool {
	if c.Method("clean_"+name) != nil || c.Method("validate_"+name) != nil {
		return true
	}
	for _, m := range []string{"clean", "validate", "is_valid", "to_internal_value", "__init__"} {
		fn := c.Method(m)
		if fn == nil {
			continue
		}
		for cmp := range pyast.FindEach(fn.Node, "comparison_operator") {
			if strings.Contains(cmp.Text(), name) && (lowerBoundCheck.MatchString(cmp.Text()) || floorComparison(cmp)) {
				return true
			}
		}
		if text := fn.Node.Text(); strings.Contains(text, "fields[\""+name+"\"]") || strings.Contains(text, "fields['"+name+"']") {
			return true
		}
	}
	return false
}

// floorComparison reports a comparison that refuses amounts below a
// positive floor: the amount under a minimum, `data["amount"] < 1`,
// `int(amount) <= 1`, `amount < Decimal("0.01")`, or the same written the
// other way round, `1 > data["amount"]`. The amount is a name holding
// "amount", an attribute of that name on something not named for a
// balance, or a read of such a key (`data["amount"]`,
// `data.get("amount")`); the floor a literal number, or Decimal of one.
// A comparison with zero is comparesAmountWithZero's (any operator); one
// with a larger number only in this direction (`amount > 1000` caps the
// amount, it does not bound it from below).
func floorComparison(cmp pyast.Node) bool {
	if cmp.NamedChildCount() != 2 {
		return false
	}
	left, right := cmp.NamedChild(0), cmp.NamedChild(1)
	op := ""
	for _, c := range cmp.Children() {
		if !c.IsNamed() {
			op += c.Type()
		}
	}
	switch {
	case (op == "<" || op == "<=") && amountOperand(left) && floorNumber(right):
		return true
	case (op == ">" || op == ">=") && floorNumber(left) && amountOperand(right):
		return true
	}
	return false
}

// amountOperand reports an amount as floorComparison reads it.
func amountOperand(n pyast.Node) bool {
	n = unwrapConversion(n)
	switch n.Type() {
	case "identifier":
		return containsFold([]byte(n.Text()), "amount")
	case "attribute":
		d := strings.ToLower(pyast.Dotted(n))
		return d != "" && containsFold([]byte(n.ChildByField("attribute").Text()), "amount") && !strings.Contains(d, "balance")
	case "subscript", "call":
		_, key, ok := pyast.KeyedRead(n)
		if !ok {
			return false
		}
		k, ok := pyast.StringValue(key)
		return ok && containsFold([]byte(k), "amount")
	}
	return false
}

// floorNumber reports a literal number, or Decimal/int/float of one
// (`1`, `0.01`, `Decimal("0.01")`).
func floorNumber(n pyast.Node) bool {
	n = pyast.Unparen(n)
	return n.Type() == "integer" || n.Type() == "float" || n.Type() == "call" && isNumberCall(n)
}

// isTrue reports the literal True.
func isTrue(n pyast.Node) bool { return !n.IsNil() && n.Type() == "true" }

// directedName matches a class named for one direction of money
// (NewCreditTransactionSerializer, DepositForm, WithdrawalSerializer,
// TransferSerializer: from its sender to its receiver): the client sends a
// positive amount and the class says which way it goes.
var directedName = regexp.MustCompile(`(?i)(deposit|credit|debit|withdraw|topup|top_up|payout|refund|transfer|paymentcreate|createpayment|newpayment)`)

// reportDirectedModelAmount judges a model serializer or model form named
// for one direction of money (deposit, credit, debit, withdraw...) whose
// explicit Meta.fields list an amount the model declares as a number with
// no validators, when nothing in the class declares or bounds it: the
// model may hold signed ledger amounts, but this class takes one
// direction, and a negative amount sent to it runs that way backwards.
//
// A model serializer not named for a direction is judged the same way
// when its model is a transfer (two foreign keys to one model named as
// its two ends: sender and receiver, from_ and to_, payer and payee) and
// a routed create uses it: the transfer's direction is in the model, and
// then `fields = "__all__"` counts as listing every field of the model.
func reportDirectedModelAmount(p *analyzer.Pass, sm *semantic.Model, c *semantic.Class) {
	if !modelInputClass(c) {
		return
	}
	md := sm.SerializerModel(c)
	if md == nil {
		return
	}
	direction := strings.ToLower(directedName.FindString(c.Name))
	if direction == "" {
		if !transferModel(md) || !createSerializers(sm)[c] {
			return
		}
		direction = "transfer"
	}
	meta := semantic.MetaClass(c.Node)
	if meta.IsNil() {
		return
	}
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" {
			continue
		}
		switch a.ChildByField("left").Text() {
		case "extra_kwargs", "read_only_fields":
			r := pyast.Unparen(a.ChildByField("right"))
			if strings.Contains(r.Text(), "amount") || !r.Is("list", "tuple", "dictionary") {
				return // configured there (min_value, read-only), or computed (`read_only_fields = fields`)
			}
		}
	}
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "fields" {
			continue
		}
		v := pyast.Unparen(a.ChildByField("right"))
		type listed struct {
			name string
			at   pyast.Node
		}
		var names []listed
		switch all, _ := pyast.StringValue(v); {
		case v.Is("list", "tuple"):
			for e := range v.Named() {
				if name, ok := pyast.StringValue(e); ok {
					names = append(names, listed{name, e})
				}
			}
		case all == "__all__" && direction == "transfer":
			_, excluded, _ := semantic.MetaList(meta, "exclude")
			for _, fl := range md.Fields {
				if !slices.Contains(excluded, fl.Name) {
					names = append(names, listed{fl.Name, v})
				}
			}
		default:
			return
		}
		for _, l := range names {
			name := l.name
			if !amountName.MatchString(name) {
				continue
			}
			if _, declared := c.Attrs[name]; declared || checkedElsewhere(c, name) || !unboundedModelNumber(sm, md, name) {
				continue
			}
			var related []analyzer.Related
			if read := validatedRead(c, name); !read.IsNil() {
				related = []analyzer.Related{{Range: analyzer.RangeOf(read), Message: "the amount is used here as sent"}}
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(l.at),
				Related: related,
				Message: fmt.Sprintf("`%s` takes `%s` from the model's `%s` field with no lower bound (no validators there, no min_value or check here): a client can send -100 and run the %s backwards",
					c.Name, name, md.Name, direction),
				Help: fmt.Sprintf("bound it in the class: `extra_kwargs = {\"%s\": {\"min_value\": Decimal(\"0.01\")}}`, or a `validate_%s` that rejects amounts <= 0", name, name),
			})
		}
	}
}

// modelInputClass reports a ModelSerializer or ModelForm (through project
// bases).
func modelInputClass(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			switch b {
			case "rest_framework.serializers.ModelSerializer", "django.forms.ModelForm", "django.forms.models.ModelForm":
				return true
			}
		}
	}
	return false
}

// unboundedModelNumber reports a DecimalField, FloatField or IntegerField
// (not Positive*) of the model, declared without validators.
func unboundedModelNumber(sm *semantic.Model, md *project.Model, name string) bool {
	fd := md.Field(name)
	if fd == nil {
		return false
	}
	last := fd.Class[strings.LastIndex(fd.Class, ".")+1:]
	switch last {
	case "DecimalField", "FloatField", "IntegerField", "BigIntegerField":
	default:
		return false
	}
	mc := sm.ClassOfModel(fd.Model)
	if mc == nil {
		return false
	}
	v, ok := mc.Attrs[name]
	if !ok {
		return false
	}
	call, ok := pyast.AsCall(v)
	return ok && call.Keyword("validators").IsNil() && !call.StarKwargs
}

// transferEnds are pairs of names for a transfer's two ends.
var transferEnds = [][2]string{{"sender", "receiver"}, {"sender", "recipient"}, {"payer", "payee"},
	{"source", "destination"}, {"from", "to"}}

// transferModel reports a model with an amount and two foreign keys to
// one model named as a transfer's two ends: `sender`/`receiver`,
// `from_wallet`/`to_wallet`, `source_account`/`destination_account`.
func transferModel(md *project.Model) bool {
	ends := map[string]*project.Model{}
	for _, fl := range md.Fields {
		at := md.Attr(fl.Name)
		if at.Kind == project.AttrForward && at.Target != nil {
			ends[strings.ToLower(fl.Name)] = at.Target
		}
	}
	for _, pair := range transferEnds {
		for a, ta := range ends {
			ra, ok := endRest(a, pair[0])
			if !ok {
				continue
			}
			for b, tb := range ends {
				if rb, ok := endRest(b, pair[1]); ok && ra == rb && ta == tb {
					return true
				}
			}
		}
	}
	return false
}

// endRest returns what a field name holds besides the end word, when the
// word is a whole underscore-separated part of it: `from_wallet` and
// "from" give "wallet", `sender` and "sender" give "".
func endRest(name, word string) (string, bool) {
	switch {
	case name == word:
		return "", true
	case strings.HasPrefix(name, word+"_"):
		return name[len(word)+1:], true
	case strings.HasSuffix(name, "_"+word):
		return name[:len(name)-len(word)-1], true
	}
	return "", false
}

// validatedRead returns the first read of the amount in the class's own
// create() or update(): `validated_data["name"]` or
// `validated_data.get("name")`.
func validatedRead(c *semantic.Class, name string) pyast.Node {
	for _, m := range []string{"create", "update"} {
		fn := c.Method(m)
		if fn == nil {
			continue
		}
		for n := range pyast.FindEach(pyast.Body(fn.Node), "subscript", "call") {
			var key pyast.Node
			var obj string
			if n.Type() == "subscript" {
				obj, key = n.ChildByField("value").Text(), n.ChildByField("subscript")
			} else if call, ok := pyast.AsCall(n); ok && call.MethodName() == "get" && len(call.Positional) > 0 {
				obj, key = pyast.Dotted(call.Receiver()), call.Positional[0]
			}
			if obj != "validated_data" || key.IsNil() {
				continue
			}
			if k, ok := pyast.StringValue(key); ok && k == name {
				return n
			}
		}
	}
	return pyast.Node{}
}
