package bugs

import (
	_ "embed"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed intervalfilter.md
var intervalFilterDoc string

// InvertedIntervalFilter reports a lookup that asks for an interval that
// starts on or after a moment and ends on or before that same moment: a
// stay that ends before it starts. No booking covering the moment ever
// matches, so an availability or overlap test written that way finds
// nothing and every slot looks free.
var InvertedIntervalFilter = &analyzer.Rule{
	Code:              "BUG070",
	Name:              "inverted-interval-filter",
	Doc:               intervalFilterDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.26.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runInvertedIntervalFilter,
}

// lookupCalls take field lookups as keyword arguments.
var lookupCalls = map[string]bool{"filter": true, "exclude": true, "get": true, "Q": true,
	"get_object_or_404": true, "get_list_or_404": true}

// intervalWords pair the word naming an interval's start with the word
// naming its end, as field names spell them (`start_date`/`end_date`,
// `check_in`/`check_out`, `date_from`/`date_to`).
var intervalWords = map[string][]string{"start": {"end", "finish", "stop"}, "starts": {"ends"}, "begin": {"end"},
	"begins": {"ends"}, "from": {"to", "until", "till"}, "in": {"out"}, "checkin": {"checkout"},
	"arrival": {"departure"}, "open": {"close"}, "opens": {"closes"}, "started": {"ended", "finished"}}

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
	for n := range pyast.FindEach(p.Root, "call") {
		c, _ := pyast.AsCall(n)
		name := c.MethodName()
		if c.Func.Type() == "identifier" {
			name = c.Func.Text()
		}
		if !lookupCalls[name] || len(c.Keywords) < 2 {
			continue
		}
		byValue := map[string][]intervalBound{}
		for k, v := range c.Keywords {
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
		vals := make([]string, 0, len(byValue))
		for v := range byValue {
			vals = append(vals, v)
		}
		sort.Strings(vals)
		for _, val := range vals {
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
