package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed naivedatetime.md
var naiveDatetimeDoc string

// NaiveDatetimeStored reports a naive datetime (`datetime.now()`,
// `datetime.utcnow()`, `fromtimestamp(ts)`...) stored in, or compared with,
// a model's DateTimeField while the project keeps aware datetimes (USE_TZ).
var NaiveDatetimeStored = &analyzer.Rule{
	Code:              "BUG037",
	Name:              "naive-datetime-stored",
	Doc:               naiveDatetimeDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.13.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runNaiveDatetimeStored,
}

// naiveMethods are the ORM methods whose keywords name fields: the value
// of `field=` (or `field__gte=` where lookups are read) is stored or
// compared.
var naiveMethods = map[string]bool{"create": false, "update": false, "get_or_create": true,
	"update_or_create": true, "filter": true, "exclude": true, "get": true}

// naiveLookups are the lookups whose value is compared with the field's
// own datetime (`created_at__gte=`); a transform (`__date`, `__year`)
// compares something else.
var naiveLookups = map[string]bool{"exact": true, "gt": true, "gte": true, "lt": true, "lte": true}

// runNaiveDatetimeStored matches, when the settings keep aware datetimes
// (project.Settings.TimeZones), a naive datetime reaching a field Django
// reads as a DateTimeField: a keyword of create/update/filter/exclude/get/
// get_or_create/update_or_create (and their defaults= dictionary) on a
// queryset or manager of a known model, a keyword of the model's
// constructor, an assignment to a row's attribute, and a DateTimeField's
// default. A naive datetime is a call of datetime.now() or
// fromtimestamp(ts) without a zone, utcnow(), utcfromtimestamp(), today(),
// or strptime() with a literal format that has no %z, through the
// datetime module however imported (django.utils.timezone.datetime
// included), plus or minus anything, or a local name bound to one.
func runNaiveDatetimeStored(p *analyzer.Pass) error {
	ix := p.Project
	if ix == nil || ix.Models == nil || len(ix.Models.All) == 0 || p.Unit == nil {
		return nil
	}
	if !mentionsNaive(p.File.Src()) {
		return nil
	}
	on, known, at := ix.Settings.TimeZones(ix.Django())
	if !on || !known {
		return nil
	}
	sm := semantic.Of(ix)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	c := &naiveCheck{p: p, f: f, why: tzEvidence(ix, at), seen: map[int32]bool{}}
	for call := range pyast.FindEach(p.Root, "call") {
		c.call(call)
	}
	for a := range pyast.FindEach(p.Root, "assignment") {
		c.assign(a)
	}
	for cmp := range pyast.FindEach(p.Root, "comparison_operator") {
		c.compare(cmp)
	}
	return nil
}

// orderings are the comparison operators Python refuses between a naive
// and an aware datetime (== and != answer False instead).
var orderings = map[string]bool{"<": true, "<=": true, ">": true, ">=": true}

// atLine names where the naive value reaches target when that is another
// line than the one the value is made on (src): "... at line N".
func (c *naiveCheck) atLine(target string, use, src pyast.Node) string {
	if line := c.p.File.Position(use.StartByte()).Line; line != c.p.File.Position(src.StartByte()).Line {
		return target + fmt.Sprintf(" at line %d", line)
	}
	return target
}

// compare judges a Python comparison (`row.started_at < datetime.now()`,
// chains included) of a naive datetime with the DateTimeField attribute of
// a row of a known model. Under USE_TZ a row read from the database holds
// an aware datetime: ordering it against a naive one raises TypeError.
func (c *naiveCheck) compare(cmp pyast.Node) {
	ops := cmp.NamedChildren()
	for i := 0; i+1 < len(ops); i++ {
		a, b := ops[i], ops[i+1]
		op := strings.TrimSpace(string(c.p.File.Src()[a.EndByte():b.StartByte()]))
		if !orderings[op] {
			continue
		}
		for _, pair := range [2][2]pyast.Node{{a, b}, {b, a}} {
			field, other := pyast.Unparen(pair[0]), pair[1]
			if field.Type() != "attribute" || !mayBeNaive(other) {
				continue
			}
			md, _, certainty := c.f.InstanceCertainty(field.ChildByField("object"))
			if md == nil || certainty != semantic.Certain {
				continue
			}
			fld := md.Field(field.ChildByField("attribute").Text())
			if fld == nil || !isDateTimeField(fld) {
				continue
			}
			src, kind := c.naive(other, 0)
			if src.IsNil() || c.seen[src.ID()] {
				continue
			}
			c.seen[src.ID()] = true
			target := c.atLine(fmt.Sprintf("`%s` (`%s.%s`, a DateTimeField)", pyast.OneLine(field, 40), md.Name, fld.Name), cmp, src)
			c.p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(src),
				Message: fmt.Sprintf("`%s` is naive, ordered (`%s`) against %s while %s: a row read from the database holds an aware datetime, and Python raises TypeError (\"can't compare offset-naive and offset-aware datetimes\")",
					pyast.OneLine(src, 60), op, target, c.why),
				Help: naiveHelp(kind),
			})
		}
	}
}

// mentionsNaive is a cheap test that the file may make a naive datetime.
func mentionsNaive(src []byte) bool {
	for _, w := range []string{"now", "today", "fromtimestamp", "strptime"} {
		if bytes.Contains(src, []byte(w)) {
			return true
		}
	}
	return false
}

// tzEvidence says why USE_TZ is on: the assignment, or the Django version
// whose default it is.
func tzEvidence(ix *project.Index, at *project.Setting) string {
	if at != nil {
		return fmt.Sprintf("USE_TZ = True (%s:%d)", at.Path, at.Line)
	}
	d := ix.Django()
	return fmt.Sprintf("USE_TZ is on (the default since Django 5.0; the project declares %d.%d in %s:%d)", d.Major, d.Minor, d.Path, d.Line)
}

type naiveCheck struct {
	p    *analyzer.Pass
	f    *semantic.File
	why  string
	seen map[int32]bool // the naive values reported
}

// call judges one call: an ORM method, a model's constructor, or a
// DateTimeField declaration.
func (c *naiveCheck) call(call pyast.Node) {
	fn := call.ChildByField("function")
	switch fn.Type() {
	case "attribute", "identifier":
	default:
		return
	}
	name := fn.Text()
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if name == "DateTimeField" {
		c.fieldDefault(call)
		return
	}
	lookups, orm := naiveMethods[name]
	if orm && fn.Type() == "attribute" {
		cl, _ := pyast.AsCall(call)
		q := c.f.Eval(cl.Receiver())
		if q == nil || q.Model == nil || q.Certainty != semantic.Certain {
			return
		}
		for _, kw := range sortedKeys(cl.Keywords) {
			v := cl.Keywords[kw]
			if (kw == "defaults" || kw == "create_defaults") && lookups {
				c.dict(q.Model, v)
				continue
			}
			c.store(q.Model, kw, v, lookups, name)
		}
		return
	}
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return
	}
	md := c.p.Project.Models.Lookup(c.p.Unit, pyast.Dotted(fn))
	if md == nil || md.External {
		return
	}
	cl, _ := pyast.AsCall(call)
	for _, kw := range sortedKeys(cl.Keywords) {
		c.store(md, kw, cl.Keywords[kw], false, "")
	}
}

// dict judges the string keys of a defaults= dictionary literal.
func (c *naiveCheck) dict(md *project.Model, d pyast.Node) {
	if d.Type() != "dictionary" {
		return
	}
	for pair := range d.Named() {
		if pair.Type() != "pair" {
			continue
		}
		if key, ok := pyast.StringValue(pair.ChildByField("key")); ok {
			c.store(md, key, pair.ChildByField("value"), false, "defaults")
		}
	}
}

// assign judges `row.field = value` on a row of a known model.
func (c *naiveCheck) assign(a pyast.Node) {
	left := a.ChildByField("left")
	if left.Type() != "attribute" {
		return
	}
	right := a.ChildByField("right")
	if right.IsNil() || !mayBeNaive(right) {
		return
	}
	md, _, certainty := c.f.InstanceCertainty(left.ChildByField("object"))
	if md == nil || certainty != semantic.Certain {
		return
	}
	c.store(md, left.ChildByField("attribute").Text(), right, false, "=")
}

// mayBeNaive is a cheap test before a row's model is looked up.
func mayBeNaive(v pyast.Node) bool {
	switch pyast.Unparen(v).Type() {
	case "call", "binary_operator", "identifier", "conditional_expression":
		return true
	}
	return false
}

// store reports value when it is naive and path names a DateTimeField of
// md (with a comparison lookup where lookups are read).
func (c *naiveCheck) store(md *project.Model, path string, value pyast.Node, lookups bool, how string) {
	name, rest, _ := strings.Cut(path, "__")
	if rest != "" && (!lookups || !naiveLookups[rest]) {
		return
	}
	fld := md.Field(name)
	if fld == nil || !isDateTimeField(fld) {
		return
	}
	src, kind := c.naive(value, 0)
	if src.IsNil() {
		return
	}
	verb := "stored in"
	switch how {
	case "filter", "exclude", "get":
		verb = "compared with"
	case "get_or_create", "update_or_create":
		if rest != "" {
			verb = "compared with"
		}
	}
	if c.seen[src.ID()] {
		return // one finding where the value is made, however many fields it reaches
	}
	c.seen[src.ID()] = true
	target := c.atLine(fmt.Sprintf("`%s.%s` (a DateTimeField)", md.Name, fld.Name), value, src)
	c.p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(src),
		Message: fmt.Sprintf("`%s` is naive, %s %s while %s: Django warns (\"received a naive datetime\") and takes it as TIME_ZONE time, whatever zone it was read in",
			pyast.OneLine(src, 60), verb, target, c.why),
		Help: naiveHelp(kind),
	})
}

// fieldDefault judges `models.DateTimeField(default=...)`.
func (c *naiveCheck) fieldDefault(call pyast.Node) {
	cl, _ := pyast.AsCall(call)
	v := cl.Keyword("default")
	if v.IsNil() {
		return
	}
	v = pyast.Unparen(v)
	switch v.Type() {
	case "attribute", "identifier":
		q, ok := c.p.Imports.Resolve(v)
		if !ok {
			return
		}
		switch normDatetime(q) {
		case "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today":
			c.p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(v),
				Message: fmt.Sprintf("`default=%s` gives every new row a naive datetime, while %s: Django warns on each save and reads it in TIME_ZONE",
					v.Text(), c.why),
				Help: "`default=timezone.now` (`from django.utils import timezone`): an aware datetime, taken when the row is created",
			})
		}
	case "call":
		if kind := c.naiveCall(v); kind != "" {
			c.p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(v),
				Message: fmt.Sprintf("`default=%s` is evaluated once, when the module is imported: every row gets that same moment, and a naive one while %s",
					pyast.OneLine(v, 60), c.why),
				Help: "pass the function, not its result: `default=timezone.now` (`from django.utils import timezone`)",
			})
		}
	}
}

// naive returns the naive-datetime call v is made from, and its kind
// (see naiveCall), or the zero Node.
func (c *naiveCheck) naive(v pyast.Node, depth int) (pyast.Node, string) {
	v = pyast.Unparen(v)
	switch v.Type() {
	case "call":
		if kind := c.naiveCall(v); kind != "" {
			return v, kind
		}
	case "binary_operator":
		op := v.ChildByField("operator").Text()
		if op != "+" && op != "-" {
			break
		}
		if n, kind := c.naive(v.ChildByField("left"), depth); !n.IsNil() {
			return n, kind
		}
		if op == "+" {
			return c.naive(v.ChildByField("right"), depth)
		}
	case "conditional_expression":
		// `now() + delta if cond else None`: the value or the alternative.
		kids := v.NamedChildren()
		for _, i := range []int{0, 2} {
			if i < len(kids) {
				if n, kind := c.naive(kids[i], depth); !n.IsNil() {
					return n, kind
				}
			}
		}
	case "identifier":
		if depth >= 3 {
			break
		}
		if rhs := c.f.Binding(v, v.Text(), v.StartByte()); !rhs.IsNil() {
			return c.naive(rhs, depth+1)
		}
	}
	return pyast.Node{}, ""
}

// naiveCall returns the name of the datetime constructor a call makes a
// naive datetime with ("now", "utcnow", "fromtimestamp", "strptime"...),
// or "".
func (c *naiveCheck) naiveCall(call pyast.Node) string {
	cl, ok := pyast.AsCall(call)
	if !ok || cl.StarArgs || cl.StarKwargs {
		return ""
	}
	q, ok := c.p.Imports.Resolve(cl.Func)
	if !ok {
		return ""
	}
	method, ok := strings.CutPrefix(normDatetime(q), "datetime.datetime.")
	if !ok {
		return ""
	}
	_, tz := cl.Keywords["tz"]
	switch method {
	case "utcnow", "utcfromtimestamp", "today":
		return method
	case "now":
		if len(cl.Positional) == 0 && !tz {
			return method
		}
	case "fromtimestamp":
		if len(cl.Positional) == 1 && !tz {
			return method
		}
	case "strptime":
		if len(cl.Positional) == 2 {
			if format, ok := pyast.StringValue(cl.Positional[1]); ok && !strings.Contains(format, "%z") {
				return method
			}
		}
	}
	return ""
}

// normDatetime maps the datetime class as django.utils.timezone
// re-exports it onto the datetime module's, and `datetime.now` read as
// the module's (a file that does `import datetime` and later `from
// datetime import datetime`: the first import names it) onto the class:
// the module has no such function, so only the class can be meant.
func normDatetime(q string) string {
	if rest, ok := strings.CutPrefix(q, "django.utils.timezone.datetime."); ok {
		return "datetime.datetime." + rest
	}
	if rest, ok := strings.CutPrefix(q, "datetime."); ok && classMethods[rest] {
		return "datetime.datetime." + rest
	}
	return q
}

// classMethods are the datetime class's constructors the rule reads.
var classMethods = map[string]bool{"now": true, "utcnow": true, "today": true, "fromtimestamp": true,
	"utcfromtimestamp": true, "strptime": true}

// isDateTimeField reports a field declared as Django's DateTimeField.
func isDateTimeField(f *project.Field) bool {
	return f.Class == "django.db.models.DateTimeField" || f.Class == "models.DateTimeField" || f.Class == "DateTimeField"
}

func naiveHelp(kind string) string {
	switch kind {
	case "fromtimestamp", "utcfromtimestamp":
		return "give it the zone: `datetime.fromtimestamp(ts, tz=datetime.timezone.utc)`"
	case "strptime":
		return "make it aware: `timezone.make_aware(datetime.strptime(...))`, or parse the offset with `%z`"
	}
	return "`timezone.now()` (`from django.utils import timezone`): aware, in UTC"
}
