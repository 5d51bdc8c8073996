package report

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/filter"
)

// Options set what the analysis does not know: the submission's name, the
// version and the clock (tests fix it).
type Options struct {
	Name      string
	Version   string
	Now       func() time.Time
	Checklist *Checklist // nil means DefaultChecklist
	Skipped   []string   // entries not analysed (archives), with reasons
	// RespectSuppressions leaves out the findings that the submission's
	// suppression comments silence; by default they count.
	RespectSuppressions bool
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
// Findings that the candidate's suppression comments silenced count like
// any other unless o.RespectSuppressions is set; either way the report
// lists the comments and what they hide.
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
	}, Signals: sig.List(), Skipped: o.Skipped, Respected: o.RespectSuppressions, Endpoints: sig.Endpoints}
	r.identities = append(append([]string(nil), sig.Authors...), sig.ReadmeTitle)

	var diags []analyzer.Diagnostic
	var ran []*analyzer.Rule
	if res != nil {
		diags = res.Diagnostics
		ran = res.Rules
		r.Suppressions = suppressions(res)
		// The one filter pipeline: the candidate's suppression comments do
		// not hide findings from the reviewer unless asked; repeats of one
		// rule in one function or file are one finding, with the others as
		// its related locations.
		view := *res
		view.Diagnostics = append([]analyzer.Diagnostic(nil), res.Diagnostics...)
		filter.Pipeline{RestoreSuppressed: !o.RespectSuppressions}.Apply(&view)
		diags = filter.Collapse(&view)
		r.Models = modelNodes(res)
		r.NotJudged = notJudged(res)
	}
	r.Header.Findings = len(diags)

	// Attribute findings to items.
	findings := make([][]Evidence, len(cl.Items))
	silencedBy := suppressedIndex(res)
	for _, d := range diags {
		e := findingEvidence(res, d)
		e.Suppressed = silencedBy[diagKey(d)]
		idx := cl.claimants(d.Code, d.Name, d.Category)
		if len(idx) == 0 {
			r.Unmapped = append(r.Unmapped, e)
		}
		for _, i := range idx {
			findings[i] = append(findings[i], e)
		}
	}
	// The rules of this run each item answers for: those whose findings
	// would land on it (it is among their most specific claimants).
	owned := make([][]string, len(cl.Items))
	for _, rule := range ran {
		for _, i := range cl.claimants(rule.Code, rule.Name, rule.Category) {
			owned[i] = append(owned[i], rule.Code)
		}
	}

	areaIdx := map[string]int{}
	for _, a := range cl.Areas {
		areaIdx[a.ID] = len(r.Areas)
		r.Areas = append(r.Areas, Area{ID: a.ID, Title: a.Title, Source: a.Source, Category: a.Category})
	}
	caps := make([]string, len(r.Areas))
	for i := range cl.Items {
		it := &cl.Items[i]
		item := evaluate(it, findings[i], owned[i], sig, cl.MaxEvidence)
		ai := areaIdx[it.Area]
		if c := cl.capOf(findings[i]); c != "" && caps[ai] == "" {
			caps[ai] = c
		}
		r.Areas[ai].Items = append(r.Areas[ai].Items, item)
	}
	maxBand := 0
	if cl.BandCap != nil {
		maxBand = cl.BandCap.Band
	}
	for i := range r.Areas {
		a := &r.Areas[i]
		a.Counts = countItems(a.Items)
		a.Band = capBand(suggestBand(a.Items), caps[i], maxBand)
	}
	for _, k := range cl.Categories {
		c := Category{ID: k.ID, Title: k.Title, Weight: k.Weight, MinScore: k.MinScore, Notes: k.Notes}
		var items []Item
		cp := ""
		for i, a := range r.Areas {
			if a.Category == k.ID {
				c.Areas = append(c.Areas, a.Title)
				items = append(items, a.Items...)
				if cp == "" {
					cp = caps[i]
				}
			}
		}
		c.Counts = countItems(items)
		c.Band = capBand(suggestBand(items), cp, maxBand)
		r.Categories = append(r.Categories, c)
	}
	return r
}

func findingEvidence(res *analyzer.Result, d analyzer.Diagnostic) Evidence {
	e := Evidence{Path: d.Path, Line: d.Pos.Line, Note: d.Message, Rule: d.Code, Severity: d.Severity.String(), sev: d.Severity, category: d.Category}
	if res == nil {
		return e
	}
	if f := res.Files[d.Path]; f != nil && d.Pos.Line > 0 {
		e.Code = clip(string(f.Line(d.Pos.Line)))
	}
	for _, rel := range d.Related {
		if strings.HasPrefix(rel.Message, "also "+d.Code+":") {
			e.Also = append(e.Also, fmt.Sprintf("%s:%d", rel.Path, rel.Pos.Line))
		}
	}
	return e
}

// evaluate decides an item's status. In order: not met on a finding of a
// rule the item answers for (a finding proves the item applies); not
// applicable when no applies_when holds (nothing to judge); not met when
// a not_met_when holds; met when a met_when holds (positive evidence,
// cited) and, for an item that claims rules, at least one of them ran and
// found nothing; otherwise not observed, with the places to look.
func evaluate(it *ItemSpec, found []Evidence, owned []string, sig *Signals, maxEv int) Item {
	item := Item{ID: it.ID, Title: it.Title, Weight: it.Weight, Requires: it.Requires}
	claims := len(it.Rules)+len(it.Names)+len(it.Categories) > 0
	// Findings below the item's decisive severity are remarks: shown, but
	// the signals decide.
	var remarks []Evidence
	if it.decisive > 0 {
		var decisive []Evidence
		for _, e := range found {
			if e.sev >= it.decisive {
				decisive = append(decisive, e)
			} else {
				remarks = append(remarks, e)
			}
		}
		if len(decisive) > 0 {
			remarks = nil
		} else {
			found = nil
		}
		if len(remarks) > 0 {
			// "no findings from" is said of the rules that found nothing.
			quiet := owned[:0:0]
			for _, code := range owned {
				if !slices.ContainsFunc(remarks, func(e Evidence) bool { return e.Rule == code }) {
					quiet = append(quiet, code)
				}
			}
			owned = quiet
		}
	}
	var ev []Evidence
	metBy := "" // the signal leading the condition the item is met on
	switch {
	case len(found) > 0:
		item.Status = NotMet
		item.Reason = plural(len(found), "finding", "findings") + " of " + rulesOf(found)
		ev = heaviestFirst(found)
	case len(it.applies) > 0 && firstHolding(it.applies, sig) == nil:
		item.Status = NotApplicable
		item.Reason = "nothing to judge: no " + describeConds(it.applies)
	case firstHolding(it.notMet, sig) != nil:
		c := firstHolding(it.notMet, sig)
		item.Status = NotMet
		item.Reason = "signals: " + describeCond(c, sig)
		ev = condEvidence(c, sig)
	case (!claims || len(owned) > 0 || len(remarks) > 0) && firstHolding(it.met, sig) != nil:
		c := firstHolding(it.met, sig)
		metBy = c[0].signal
		item.Status = Met
		item.Reason = "signals: " + describeCond(c, sig)
		if len(owned) > 0 {
			item.Reason += "; no findings from " + codeList(owned)
		}
		ev = condEvidence(c, sig)
	default:
		item.Status = NotObserved
		switch {
		case claims && len(owned) == 0 && len(remarks) == 0:
			item.Reason = "no rule of this run checks it"
		case len(it.met) == 0 && len(owned) > 0:
			// Judged by rules alone: their silence is not evidence of
			// the practice, only that they saw nothing to report.
			item.Reason = "no findings from " + codeList(owned) + "; rules finding nothing is not evidence either way"
		case len(it.met) > 0:
			item.Reason = describeUnmet(it.met, sig)
			if len(owned) > 0 {
				item.Reason += ", and no findings from " + codeList(owned)
			}
		default:
			item.Reason = "nothing shows it either way"
		}
		if it.Requires {
			item.Reason += "; counts as not met"
		}
	}
	if len(ev) == 0 && item.Status != NotApplicable && item.Status != Met {
		for _, name := range it.Evidence {
			ev = append(ev, sig.Get(name).Evidence...)
		}
	}
	if len(remarks) > 0 && item.Status != NotApplicable {
		item.Reason += "; only " + plural(len(remarks), "remark", "remarks") + " of " + rulesOf(remarks) + " below " + it.decisive.String() + ", shown, not deciding"
		ev = append(ev, heaviestFirst(remarks)...)
	}
	ev = distinctEvidence(ev)
	if len(ev) > maxEv {
		item.More = len(ev) - maxEv
		ev = ev[:maxEv]
	}
	item.Evidence = ev
	item.Question = question(it, item.Status, ev, len(found), metBy)
	return item
}

// distinctEvidence drops repeats: two signals of one item that cite the
// same line for the same thing (a query in a loop counted as a query and
// as a loop's) are one piece of evidence.
func distinctEvidence(ev []Evidence) []Evidence {
	type key struct {
		path, code, note, rule string
		line                   int
	}
	seen := make(map[key]bool, len(ev))
	out := ev[:0:0]
	for _, e := range ev {
		k := key{e.Path, e.Code, e.Note, e.Rule, e.Line}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// heaviestFirst orders findings by severity, then as they came (path and
// position): the question is built from the first.
func heaviestFirst(ev []Evidence) []Evidence {
	out := append([]Evidence(nil), ev...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].sev > out[j].sev })
	return out
}

func codeList(codes []string) string {
	if len(codes) > 6 {
		return strings.Join(codes[:6], ", ") + ", …"
	}
	return strings.Join(codes, ", ")
}

// capOf returns why findings cap their area's band, or "".
func (cl *Checklist) capOf(found []Evidence) string {
	bc := cl.BandCap
	if bc == nil {
		return ""
	}
	for _, e := range heaviestFirst(found) {
		hit := false
		for _, r := range bc.Rules {
			hit = hit || strings.EqualFold(r, e.Rule) || r != "" && strings.HasPrefix(strings.ToUpper(e.Rule), strings.ToUpper(r))
		}
		if !hit && bc.sev > 0 && e.sev >= bc.sev {
			for _, k := range bc.RuleCategories {
				hit = hit || k == string(e.category)
			}
		}
		if hit {
			return fmt.Sprintf("%s (%s, %s) at %s", e.Rule, e.Severity, e.category, e.Location())
		}
	}
	return ""
}

// capBand lowers a band to maxBand when a finding caps it, and says why.
// A band already at or below the cap keeps its label; Cap records the
// cause either way.
func capBand(b Band, cause string, maxBand int) Band {
	if cause == "" || maxBand == 0 {
		return b
	}
	b.Cap, b.CapAt = cause, maxBand
	switch {
	case b.High == 0:
		b.Label += "; at most " + bandName(maxBand) + " (capped by " + cause + ")"
		b.High = maxBand
	case b.High > maxBand:
		b.Low, b.High = min(b.Low, maxBand), maxBand
		b.Label = bandName(maxBand) + " (capped by " + cause + ")"
	}
	return b
}

func bandName(n int) string {
	switch n {
	case 5:
		return "5 Exceptional"
	case 4:
		return "4 Strong"
	case 3:
		return "3 Adequate"
	case 2:
		return "2 Below"
	}
	return "1 Poor"
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

// describeUnmet says why no condition of a met_when holds: "no X" for
// alternatives that are single signals ("no django.indexes,
// django.indexed_lookups"); otherwise, for each alternative, the terms
// that fail, with their values ("no endpoints.authorised,
// endpoints.open_writes = 2"), alternatives apart with "; ".
func describeUnmet(cs []cond, sig *Signals) string {
	if len(cs) == 0 {
		return ""
	}
	plain := true
	for _, c := range cs {
		plain = plain && len(c) == 1 && c[0].op == ""
	}
	if plain {
		return "no " + describeConds(cs)
	}
	var alts []string
	for _, c := range cs {
		var failing []string
		for _, t := range c {
			if t.holds(sig) {
				continue
			}
			if t.op == "" {
				failing = append(failing, "no "+t.signal)
			} else {
				failing = append(failing, t.signal+" = "+displayOf(sig.Get(t.signal)))
			}
		}
		if f := strings.Join(failing, ", "); f != "" && !slices.Contains(alts, f) {
			alts = append(alts, f)
		}
	}
	if len(alts) == 0 {
		return "no " + describeConds(cs)
	}
	return strings.Join(alts, "; ")
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

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

// question picks the status's question and fills it from the first
// evidence. A template needing evidence falls back to the generic question
// when there is none.
func question(it *ItemSpec, st Status, ev []Evidence, count int, metBy string) string {
	var q string
	switch st {
	case NotApplicable:
		return ""
	case Met:
		q = it.QuestionMet
		// A met item asks about what it is met on: an item met on atomic
		// blocks is not asked about side effects waiting for the commit.
		if mq, ok := it.Questions[metBy]; ok && metBy != "" {
			q = mq
		}
	case NotMet:
		q = it.QuestionNotMet
	case NotObserved:
		q = it.QuestionNotObserved
	}
	if st == NotMet && len(ev) > 0 && ev[0].Rule != "" {
		if rq := ruleQuestion(it.Questions, ev[0].Rule); rq != "" {
			q = rq
		}
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
	// Evidence without a line of code (a finding on a dotenv file, whose
	// values are never shown, or on a directory) cannot fill `{code}`:
	// the question falls back to the item's general one.
	if e.Code == "" && strings.Contains(q, "{code}") {
		q = it.Question
	}
	code := e.Code
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

// ruleQuestion returns the question of the longest key (a code or a
// prefix) matching code.
func ruleQuestion(qs map[string]string, code string) string {
	best, q := "", ""
	for k, v := range qs {
		if strings.HasPrefix(strings.ToUpper(code), strings.ToUpper(k)) && len(k) > len(best) {
			best, q = k, v
		}
	}
	return q
}

func countItems(items []Item) Counts {
	var c Counts
	for _, it := range items {
		switch it.Status {
		case Met:
			c.Met++
		case NotMet:
			c.NotMet++
		case NotObserved:
			c.NotObserved++
			if it.Requires {
				c.RequiredNotObserved++
			}
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
		switch it.Counted() {
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

// notJudged says which migrations the deploy-safety rules did not judge,
// and why ("" when every migration was judged).
func notJudged(res *analyzer.Result) string {
	if res.Stats.MigrationsNotJudged == 0 {
		return ""
	}
	return res.Stats.NotJudgedReason
}
