package report

import (
	"path"
	"sort"
	"strings"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
)

// Options set what the analysis does not know: the submission's name, the
// version and the clock (tests fix it).
type Options struct {
	Name      string
	Version   string
	Now       func() time.Time
	Checklist *Checklist // nil means DefaultChecklist
	Skipped   []string   // entries not analysed (archives), with reasons
}

func orDefault(cl *Checklist) *Checklist {
	if cl == nil {
		return DefaultChecklist()
	}
	return cl
}

func clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// match levels: the most specific claim on a finding wins.
const (
	matchNone = iota
	matchCategory
	matchPrefix
	matchName
	matchCode
)

func (it *ItemSpec) matchLevel(code, name string, cat analyzer.Category) int {
	best := matchNone
	for _, r := range it.Rules {
		switch {
		case strings.EqualFold(r, code):
			return matchCode
		case r != "" && strings.HasPrefix(strings.ToUpper(code), strings.ToUpper(r)):
			best = max(best, matchPrefix)
		}
	}
	for _, g := range it.Names {
		if ok, _ := path.Match(g, name); ok {
			best = max(best, matchName)
		}
	}
	if best == matchNone && it.catchesCategory(cat) {
		best = matchCategory
	}
	return best
}

// claimants returns the indexes of the items a finding is attributed to:
// every item at the highest match level.
func (cl *Checklist) claimants(code, name string, cat analyzer.Category) []int {
	best, out := matchNone, []int(nil)
	for i := range cl.Items {
		l := cl.Items[i].matchLevel(code, name, cat)
		switch {
		case l == matchNone || l < best:
		case l > best:
			best, out = l, []int{i}
		default:
			out = append(out, i)
		}
	}
	return out
}

// Build fills the checklist from a run's findings and the signals.
func Build(res *analyzer.Result, sig *Signals, o Options) *Report {
	cl := orDefault(o.Checklist)
	now := clock(o.Now)
	r := &Report{Header: Header{
		Name:          o.Name,
		Files:         int(sig.Value("files.total")),
		PythonFiles:   int(sig.Value("python.files")),
		PythonLines:   int(sig.Value("python.lines")),
		TestFiles:     int(sig.Value("tests.files")),
		Migrations:    int(sig.Value("migrations.count")),
		Models:        int(sig.Value("models.count")),
		SyntaxErrors:  int(sig.Value("syntax.errors")),
		RubricVersion: o.Version,
		AnalysedAt:    now().UTC(),
		Checklist:     cl.Name,
	}, Signals: sig.List(), Skipped: o.Skipped}
	r.identities = append(append([]string(nil), sig.Authors...), sig.ReadmeTitle)

	// Attribute findings to items.
	findings := make([][]Evidence, len(cl.Items))
	var diags []analyzer.Diagnostic
	if res != nil {
		diags = res.Diagnostics
	}
	r.Header.Findings = len(diags)
	for _, d := range diags {
		e := findingEvidence(res, d)
		idx := cl.claimants(d.Code, d.Name, d.Category)
		if len(idx) == 0 {
			r.Unmapped = append(r.Unmapped, e)
		}
		for _, i := range idx {
			findings[i] = append(findings[i], e)
		}
	}
	// Which items have a rule of this build looking at them.
	covered := make([]bool, len(cl.Items))
	var ran []*analyzer.Rule
	if res != nil {
		ran = res.Rules
	}
	for i := range cl.Items {
		it := &cl.Items[i]
		for _, rule := range ran {
			if l := it.matchLevel(rule.Code, rule.Name, rule.Category); l > matchCategory ||
				l == matchCategory && len(it.Rules) == 0 && len(it.Names) == 0 {
				covered[i] = true
				break
			}
		}
	}

	areaIdx := map[string]int{}
	for _, a := range cl.Areas {
		areaIdx[a.ID] = len(r.Areas)
		r.Areas = append(r.Areas, Area{ID: a.ID, Title: a.Title, Source: a.Source, Category: a.Category})
	}
	for i := range cl.Items {
		it := &cl.Items[i]
		item := evaluate(it, findings[i], covered[i], ran, sig, cl.MaxEvidence)
		a := &r.Areas[areaIdx[it.Area]]
		a.Items = append(a.Items, item)
	}
	for i := range r.Areas {
		a := &r.Areas[i]
		a.Counts = countItems(a.Items)
		a.Band = suggestBand(a.Items)
	}
	for _, k := range cl.Categories {
		c := Category{ID: k.ID, Title: k.Title, Weight: k.Weight, MinScore: k.MinScore, Notes: k.Notes}
		var items []Item
		for _, a := range r.Areas {
			if a.Category == k.ID {
				c.Areas = append(c.Areas, a.Title)
				items = append(items, a.Items...)
			}
		}
		c.Counts = countItems(items)
		c.Band = suggestBand(items)
		r.Categories = append(r.Categories, c)
	}
	return r
}

func findingEvidence(res *analyzer.Result, d analyzer.Diagnostic) Evidence {
	e := Evidence{Path: d.Path, Line: d.Pos.Line, Note: d.Message, Rule: d.Code}
	if f := res.Files[d.Path]; f != nil && d.Pos.Line > 0 {
		e.Code = clip(string(f.Line(d.Pos.Line)))
	}
	return e
}

// evaluate decides an item's status. In order: not met on a finding of a
// claimed rule (a finding proves the item applies); not applicable when no
// applies_when holds; not met when a not_met_when holds; met when a met_when holds, or when a claimed rule ran
// and found nothing; otherwise a human must look.
func evaluate(it *ItemSpec, found []Evidence, covered bool, ran []*analyzer.Rule, sig *Signals, maxEv int) Item {
	item := Item{ID: it.ID, Title: it.Title, Weight: it.Weight}
	var ev []Evidence
	switch {
	case len(found) > 0:
		item.Status = NotMet
		item.Reason = plural(len(found), "finding", "findings") + " of " + rulesOf(found)
		ev = found
	case len(it.applies) > 0 && firstHolding(it.applies, sig) == nil:
		item.Status = NotApplicable
		item.Reason = "does not apply: no " + describeConds(it.applies)
	case firstHolding(it.notMet, sig) != nil:
		c := firstHolding(it.notMet, sig)
		item.Status = NotMet
		item.Reason = "signals: " + describeCond(c, sig)
		ev = condEvidence(c, sig)
	case firstHolding(it.met, sig) != nil:
		c := firstHolding(it.met, sig)
		item.Status = Met
		item.Reason = "signals: " + describeCond(c, sig)
		ev = condEvidence(c, sig)
	case covered:
		item.Status = Met
		item.Reason = "no findings from " + claimedRules(it, ran)
	default:
		item.Status = NeedsHuman
		if len(it.Rules)+len(it.Names) > 0 {
			item.Reason = "no rule of this build checks it"
		} else {
			item.Reason = "the signals are inconclusive"
		}
	}
	if len(ev) == 0 && item.Status != NotApplicable {
		for _, name := range it.Evidence {
			ev = append(ev, sig.Get(name).Evidence...)
		}
		if len(ev) == 0 && len(it.Evidence) > 0 && item.Status == NeedsHuman {
			g := sig.Get(it.Evidence[0])
			item.Reason += "; " + g.Name + " = " + displayOf(g)
		}
	}
	if len(ev) > maxEv {
		item.More = len(ev) - maxEv
		ev = ev[:maxEv]
	}
	item.Evidence = ev
	item.Question = question(it, item.Status, ev, len(found))
	return item
}

func displayOf(g *Signal) string {
	if g.Display != "" {
		return g.Display
	}
	return trimFloat(g.Value)
}

func describeConds(cs []cond) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.String())
	}
	return strings.Join(parts, ", ")
}

// describeCond shows a condition with the values that made it hold.
func describeCond(c cond, sig *Signals) string {
	var parts []string
	for _, t := range c {
		parts = append(parts, t.signal+" = "+displayOf(sig.Get(t.signal)))
	}
	return strings.Join(parts, ", ")
}

func condEvidence(c cond, sig *Signals) []Evidence {
	var ev []Evidence
	for _, t := range c {
		if t.op == "!" {
			continue
		}
		ev = append(ev, sig.Get(t.signal).Evidence...)
	}
	return ev
}

func rulesOf(ev []Evidence) string {
	seen := map[string]bool{}
	var codes []string
	for _, e := range ev {
		if !seen[e.Rule] {
			seen[e.Rule] = true
			codes = append(codes, e.Rule)
		}
	}
	sort.Strings(codes)
	return strings.Join(codes, ", ")
}

func claimedRules(it *ItemSpec, ran []*analyzer.Rule) string {
	var codes []string
	for _, r := range ran {
		if it.matchLevel(r.Code, r.Name, r.Category) > matchNone {
			codes = append(codes, r.Code)
		}
	}
	if len(codes) > 6 {
		codes = append(codes[:6], "…")
	}
	return strings.Join(codes, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

// question picks the status's question and fills it from the first
// evidence. A template needing evidence falls back to the generic question
// when there is none.
func question(it *ItemSpec, st Status, ev []Evidence, count int) string {
	var q string
	switch st {
	case NotApplicable:
		return ""
	case Met:
		q = it.QuestionMet
	case NotMet:
		q = it.QuestionNotMet
	case NeedsHuman:
		q = it.QuestionHuman
	}
	if q == "" {
		q = it.Question
	}
	if strings.Contains(q, "{") && len(ev) == 0 {
		q = it.Question
	}
	if len(ev) == 0 {
		return q
	}
	e := ev[0]
	code := e.Code
	if code == "" {
		code = e.Path
	}
	note := e.Note
	if note == "" {
		note = "see " + e.Location()
	}
	return strings.NewReplacer(
		"{location}", e.Location(), "{path}", e.Path, "{line}", itoa(e.Line),
		"{code}", strings.ReplaceAll(code, "`", "'"), "{note}", note, "{rule}", e.Rule,
		"{count}", itoa(count),
	).Replace(q)
}

func countItems(items []Item) Counts {
	var c Counts
	for _, it := range items {
		switch it.Status {
		case Met:
			c.Met++
		case NotMet:
			c.NotMet++
		case NeedsHuman:
			c.NeedsHuman++
		case NotApplicable:
			c.NotApplicable++
		}
		if it.Status != NotApplicable {
			c.Evidence += len(it.Evidence) + it.More
		}
	}
	return c
}

// suggestBand maps the weighted share of decided items that are met to the
// guide's 1-5 scale. Static analysis cannot tell "exceptional" from
// "strong", so a clean sheet suggests 4-5.
func suggestBand(items []Item) Band {
	var met, decided float64
	n := 0
	for _, it := range items {
		switch it.Status {
		case Met:
			met += it.Weight
			decided += it.Weight
			n++
		case NotMet:
			decided += it.Weight
			n++
		}
	}
	if n == 0 {
		return Band{Label: "no evidence: decide in the interview"}
	}
	if n < 3 {
		return Band{Label: "too little evidence (" + plural(n, "item", "items") + " decided)"}
	}
	ratio := met / decided
	switch {
	case ratio >= 0.999 && n >= 3:
		return Band{Low: 4, High: 5, Label: "4-5 Strong or better"}
	case ratio >= 0.75:
		return Band{Low: 4, High: 4, Label: "4 Strong"}
	case ratio >= 0.5:
		return Band{Low: 3, High: 3, Label: "3 Adequate"}
	case ratio >= 0.25:
		return Band{Low: 2, High: 2, Label: "2 Below"}
	}
	return Band{Low: 1, High: 1, Label: "1 Poor"}
}
