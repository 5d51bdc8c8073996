package bugs

import (
	_ "embed"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed intervalfilter.md
var intervalFilterDoc string

// BrokenIntervalTest reports interval lookups that cannot see the rows
// they are meant to find: a lookup asking for an interval that starts on
// or after a moment and ends on or before that same moment (a stay that
// ends before it starts), and an overlap test that only asks whether the
// start or the end falls inside the window (an enclosing interval passes
// neither). An availability or overlap check written that way lets a slot
// be booked twice, or reports booked rooms free.
var BrokenIntervalTest = &analyzer.Rule{
	Code:              "BUG070",
	Name:              "broken-interval-test",
	Doc:               intervalFilterDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.26.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runInvertedIntervalFilter,
}

// lookupCalls take field lookups as keyword arguments.
var lookupCalls = map[string]bool{"filter": true, "exclude": true, "get": true, "Q": true,
	"get_object_or_404": true, "get_list_or_404": true}

// intervalWords pair the word naming an interval's start with the word
// naming its end, as field names spell them (`start_date`/`end_date`,
// `check_in`/`check_out`, `date_from`/`date_to`). Opening hours
// (`open_time`/`close_time`) are left out: a shop open from 22:00 to 02:00
// closes "before" it opens, and a lookup for such rows is meaningful.
var intervalWords = map[string][]string{"start": {"end", "finish", "stop"}, "starts": {"ends"}, "begin": {"end"},
	"begins": {"ends"}, "from": {"to", "until", "till"}, "in": {"out"}, "checkin": {"checkout"},
	"arrival": {"departure"}, "started": {"ended", "finished"}}

// intervalBound is one comparison of a field with a value in a lookup call.
type intervalBound struct {
	prefix, field, op string
	kw                pyast.Node
}

// runInvertedIntervalFilter reads the keyword lookups of filter(),
// exclude(), get(), Q() and get_object_or_404(): a lower bound on an
// interval's start field (`__gt`, `__gte`) and an upper bound on the
// matching end field (`__lt`, `__lte`), through the same relation path and
// against the same expression, ask for intervals that end no later than
// they start. Different values (`start__gte=day_start, end__lte=day_end`,
// "inside the window"), fields that are not a start/end pair, and bounds
// the other way round (the overlap test) stay silent.
func runInvertedIntervalFilter(p *analyzer.Pass) error {
	endpointsInWindow(p)
	for n := range pyast.FindEach(p.Root, "call") {
		h, _ := pyast.AsCallHead(n)
		name := h.MethodName()
		if h.Func.Type() == "identifier" {
			name = h.Func.Text()
		}
		if !lookupCalls[name] {
			continue
		}
		c, _ := pyast.AsCall(n)
		if len(c.Keywords) < 2 {
			continue
		}
		byValue := map[string][]intervalBound{}
		for k, v := range c.EachKeyword() {
			parts := strings.Split(k, "__")
			if len(parts) < 2 {
				continue
			}
			op := parts[len(parts)-1]
			if op != "gt" && op != "gte" && op != "lt" && op != "lte" {
				continue
			}
			field := parts[len(parts)-2]
			prefix := strings.Join(parts[:len(parts)-2], "__")
			val := pyast.Unparen(v).Text()
			byValue[val] = append(byValue[val], intervalBound{prefix: prefix, field: field, op: op, kw: v.Parent()})
		}
		for _, val := range slices.Sorted(maps.Keys(byValue)) {
			bs := byValue[val]
			sort.Slice(bs, func(i, j int) bool { return bs[i].kw.StartByte() < bs[j].kw.StartByte() })
			reported := false
			for _, lo := range bs {
				if reported || (lo.op != "gt" && lo.op != "gte") {
					continue
				}
				for _, hi := range bs {
					if (hi.op != "lt" && hi.op != "lte") || hi.prefix != lo.prefix || !startEndPair(lo.field, hi.field) {
						continue
					}
					p.Report(analyzer.Diagnostic{
						Range: analyzer.Span(firstOf(lo.kw, hi.kw), lastOf(lo.kw, hi.kw)),
						Message: "`" + lo.field + " " + opSign[lo.op] + " " + pyast.OneLineText(val, 40) + "` and `" + hi.field + " " + opSign[hi.op] + " " + pyast.OneLineText(val, 40) +
							"` together ask for an interval that ends no later than it starts: a row covering that moment never matches, so this `" + name + "()` never selects what it is meant to",
						Help: "an interval covers X when it starts before X and ends after it: `" + joinPath(lo.prefix, lo.field) + "__lte=X, " + joinPath(hi.prefix, hi.field) +
							"__gt=X`; two intervals overlap when each starts before the other ends",
					})
					reported = true
					break
				}
			}
		}
	}
	return nil
}

var opSign = map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// startEndPair reports whether start and end name the two ends of one
// interval: the same words but one, which is a start word in start and
// its end word in end.
func startEndPair(start, end string) bool {
	a, b := strings.Split(strings.ToLower(start), "_"), strings.Split(strings.ToLower(end), "_")
	if len(a) != len(b) {
		return false
	}
	diff := -1
	for i := range a {
		if a[i] != b[i] {
			if diff >= 0 {
				return false
			}
			diff = i
		}
	}
	if diff < 0 {
		return false
	}
	for _, w := range intervalWords[a[diff]] {
		if w == b[diff] {
			return true
		}
	}
	return false
}

func joinPath(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "__" + field
}

func firstOf(a, b pyast.Node) pyast.Node {
	if a.StartByte() <= b.StartByte() {
		return a
	}
	return b
}

func lastOf(a, b pyast.Node) pyast.Node {
	if a.EndByte() >= b.EndByte() {
		return a
	}
	return b
}

// windowTest is one "field falls inside [lo, hi]" test of a Q object.
type windowTest struct {
	prefix, field, lo, hi string
}

// endpointsInWindow reports an overlap test written as two Q objects
// joined by `|` and nothing else: the interval's start inside the window,
// or its end inside the window (`Q(start__range=[a, b]) | Q(end__range=[a,
// b])`, or the same with `__gte`/`__lte`). An interval that starts before
// the window and ends after it passes neither, so a booking enclosing the
// requested stay is not seen. A third alternative (the enclosing case), a
// different window, or fields that are not a start/end pair stay silent.
func endpointsInWindow(p *analyzer.Pass) {
	for n := range pyast.FindEach(p.Root, "binary_operator") {
		if op := n.ChildByField("operator"); op.IsNil() || op.Text() != "|" {
			continue
		}
		if par := n.Parent(); par.Type() == "binary_operator" && par.ChildByField("operator").Text() == "|" {
			continue // read from the outermost `|`
		}
		l, r := pyast.Unparen(n.ChildByField("left")), pyast.Unparen(n.ChildByField("right"))
		a, okA := qWindow(l)
		b, okB := qWindow(r)
		if !okA || !okB || a.prefix != b.prefix || a.lo != b.lo || a.hi != b.hi {
			continue
		}
		start, end := a, b
		if !startEndPair(start.field, end.field) {
			start, end = b, a
			if !startEndPair(start.field, end.field) {
				continue
			}
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(n),
			Message: "the overlap test asks whether `" + start.field + "` or `" + end.field + "` falls inside [`" + pyast.OneLineText(a.lo, 30) + "`, `" + pyast.OneLineText(a.hi, 30) +
				"`]: an interval that starts before that window and ends after it passes neither, so a booking enclosing the requested one is not seen",
			Help: "test the overlap itself: `" + joinPath(start.prefix, start.field) + "__lt=" + pyast.OneLineText(a.hi, 30) + ", " + joinPath(end.prefix, end.field) + "__gt=" + pyast.OneLineText(a.lo, 30) +
				"` (each interval starts before the other ends)",
		})
	}
}

// qWindow reads `Q(f__range=[lo, hi])` or `Q(f__gte=lo, f__lte=hi)` (strict
// bounds too), with no other keyword.
func qWindow(n pyast.Node) (windowTest, bool) {
	c, ok := pyast.AsCall(n)
	if !ok || c.Func.Type() != "identifier" || c.Func.Text() != "Q" || len(c.Positional) != 0 {
		return windowTest{}, false
	}
	split := func(k string) (prefix, field, op string) {
		parts := strings.Split(k, "__")
		if len(parts) < 2 {
			return "", "", ""
		}
		return strings.Join(parts[:len(parts)-2], "__"), parts[len(parts)-2], parts[len(parts)-1]
	}
	switch len(c.Keywords) {
	case 1:
		for k, v := range c.EachKeyword() {
			prefix, field, op := split(k)
			v = pyast.Unparen(v)
			if op != "range" || !v.Is("list", "tuple") || v.NamedChildCount() != 2 {
				return windowTest{}, false
			}
			return windowTest{prefix, field, v.NamedChild(0).Text(), v.NamedChild(1).Text()}, true
		}
	case 2:
		var w windowTest
		seen := 0
		for k, v := range c.EachKeyword() {
			prefix, field, op := split(k)
			if seen > 0 && (prefix != w.prefix || field != w.field) {
				return windowTest{}, false
			}
			w.prefix, w.field = prefix, field
			switch op {
			case "gt", "gte":
				w.lo = pyast.Unparen(v).Text()
			case "lt", "lte":
				w.hi = pyast.Unparen(v).Text()
			default:
				return windowTest{}, false
			}
			seen++
		}
		return w, w.lo != "" && w.hi != ""
	}
	return windowTest{}, false
}
