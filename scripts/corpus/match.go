package main

import (
	"sort"
	"strings"
)

// Finding is one diagnostic of `rubric check --format json` (the fields the score needs).
type Finding struct {
	Code     string    `json:"code"`
	Path     string    `json:"path"`
	Line     int       `json:"line"`
	Message  string    `json:"message"`
	Severity string    `json:"severity"`
	Related  []Related `json:"related,omitempty"`
}

// Related is a related location of a finding. Those whose message starts
// with "also CODE:" are repeats the reports folded into the finding: the
// output names each one's place.
type Related struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// places are the finding's own place and its related ones: the repeats folded into it and the
// evidence it cites (the check a stale update races, the answer a forged delivery gets). A folded
// repeat of another rule ("also ORM007: ...") is that rule's finding, not this one's place.
func (f Finding) places() []Related {
	out := []Related{{Path: f.Path, Line: f.Line}}
	for _, r := range f.Related {
		if strings.HasPrefix(r.Message, "also ") && !strings.HasPrefix(r.Message, "also "+f.Code+":") {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Matched pairs a finding with its judgement. How is "exact" (code, path, line and message prefix),
// "line" (code, path, line), "near" (code and path within the window) or "" when unjudged.
type Matched struct {
	Finding   Finding    `json:"finding"`
	Judgement *Judgement `json:"judgement,omitempty"`
	How       string     `json:"how,omitempty"`
}

// MatchFindings pairs findings with judgements, each judgement used at most once: first every exact
// key, then same code and line, then same code and path within window lines (nearest first). A
// later rubric whose messages were reworded or whose lines moved a little still meets its verdicts;
// findings left over are unjudged, judgements left over are stale (the finding disappeared).
func MatchFindings(findings []Finding, judgements []Judgement, window int) (matched []Matched, stale []Judgement) {
	matched = make([]Matched, len(findings))
	for i, f := range findings {
		matched[i].Finding = f
	}
	used := make([]bool, len(judgements))
	passes := []struct {
		how string
		ok  func(f Finding, j Judgement) (int, bool)
	}{
		{"exact", func(f Finding, j Judgement) (int, bool) {
			return 0, sameSpot(f, j) && strings.HasPrefix(f.Message, j.Message)
		}},
		{"line", func(f Finding, j Judgement) (int, bool) { return 0, sameSpot(f, j) }},
		{"near", func(f Finding, j Judgement) (int, bool) {
			d := abs(f.Line - j.Line)
			return d, f.Code == j.Code && f.Path == j.Path && d <= window
		}},
	}
	for _, pass := range passes {
		for i := range matched {
			if matched[i].Judgement != nil {
				continue
			}
			best, bestDist := -1, 0
			for k, j := range judgements {
				if used[k] {
					continue
				}
				if dist, ok := pass.ok(matched[i].Finding, j); ok && (best < 0 || dist < bestDist) {
					best, bestDist = k, dist
				}
			}
			if best >= 0 {
				used[best] = true
				matched[i].Judgement = &judgements[best]
				matched[i].How = pass.how
			}
		}
	}
	for k, j := range judgements {
		if !used[k] {
			stale = append(stale, j)
		}
	}
	return matched, stale
}

func sameSpot(f Finding, j Judgement) bool {
	return f.Code == j.Code && f.Path == j.Path && f.Line == j.Line
}

// DefectHits returns the findings that find d: a finding of one of its kind's codes in the same file
// within window lines of one of its locations. Findings judged wrong do not count: a false finding
// that happens to sit next to a real defect did not find it.
func DefectHits(d Defect, matched []Matched, kinds *Kinds) []Finding {
	codes := map[string]bool{}
	for _, c := range kinds.Kinds[d.Kind].Codes {
		codes[c] = true
	}
	locs, err := d.Locations()
	if err != nil {
		return nil // Validate rejected it already
	}
	var hits []Finding
	for _, m := range matched {
		f := m.Finding
		if !codes[f.Code] || (m.Judgement != nil && m.Judgement.Verdict == "wrong") {
			continue
		}
	search:
		for _, at := range f.places() {
			for _, l := range locs {
				if at.Path == l.Path && abs(at.Line-l.Line) <= kinds.Window {
					hits = append(hits, f)
					break search
				}
			}
		}
	}
	return hits
}

// RuleStats counts one rule's findings by verdict.
type RuleStats struct {
	Code     string         `json:"code"`
	Findings int            `json:"findings"`
	True     int            `json:"true"`
	Noise    int            `json:"noise"`
	Wrong    int            `json:"wrong"`
	Unjudged int            `json:"unjudged"`
	NoiseBy  map[string]int `json:"noise_by,omitempty"`
}

// Judged is the number of findings with a verdict.
func (r *RuleStats) Judged() int { return r.True + r.Noise + r.Wrong }

// Precision is the share of judged findings that are true and worth a reviewer's time; ok is false
// when nothing was judged.
func (r *RuleStats) Precision() (p float64, ok bool) {
	if r.Judged() == 0 {
		return 0, false
	}
	return float64(r.True) / float64(r.Judged()), true
}

func (r *RuleStats) add(m Matched) {
	r.Findings++
	if m.Judgement == nil {
		r.Unjudged++
		return
	}
	switch m.Judgement.Verdict {
	case "true":
		r.True++
	case "noise":
		r.Noise++
		if r.NoiseBy == nil {
			r.NoiseBy = map[string]int{}
		}
		r.NoiseBy[m.Judgement.Noise]++
	case "wrong":
		r.Wrong++
	}
}

// Recall counts labelled defects and those found.
type Recall struct {
	Key      string `json:"key"`
	Labelled int    `json:"labelled"`
	Found    int    `json:"found"`
}

// Share is found / labelled (0 when nothing is labelled).
func (r *Recall) Share() float64 {
	if r.Labelled == 0 {
		return 0
	}
	return float64(r.Found) / float64(r.Labelled)
}

// DefectResult is one labelled defect and the findings that found it.
type DefectResult struct {
	Slug   string    `json:"slug"`
	Defect Defect    `json:"defect"`
	By     []Finding `json:"found_by,omitempty"`
}

// Found reports whether any finding found the defect.
func (d DefectResult) Found() bool { return len(d.By) > 0 }

// SubmissionResult is what one run of rubric on one submission gave.
type SubmissionResult struct {
	Slug       string           `json:"slug"`
	Skipped    string           `json:"skipped,omitempty"` // why the submission was not analysed
	Findings   []Matched        `json:"findings"`
	Stale      []Judgement      `json:"stale,omitempty"`
	Defects    []DefectResult   `json:"defects"`
	Checklist  []ItemComparison `json:"checklist,omitempty"`
	ReportFrom string           `json:"report_from,omitempty"` // json, markdown, or empty
	ReportNote string           `json:"report_note,omitempty"`
	// Endpoints: the labelled endpoints and whether rubric's inventory lists them (--endpoints).
	Endpoints []EndpointResult `json:"endpoints,omitempty"`
}

// Score evaluates one submission's findings against its labels.
func Score(s *Submission, findings []Finding, kinds *Kinds) *SubmissionResult {
	matched, stale := MatchFindings(findings, s.Findings, kinds.Window)
	r := &SubmissionResult{Slug: s.Slug, Findings: matched, Stale: stale}
	for _, d := range s.Defects {
		r.Defects = append(r.Defects, DefectResult{Slug: s.Slug, Defect: d, By: DefectHits(d, matched, kinds)})
	}
	return r
}

// Summary aggregates every analysed submission.
type Summary struct {
	Rules      []*RuleStats    `json:"rules"`
	Overall    RuleStats       `json:"overall"`
	ByKind     []*Recall       `json:"recall_by_kind"`
	BySeverity []*Recall       `json:"recall_by_severity"`
	AllDefects Recall          `json:"recall"`
	Missed     []DefectResult  `json:"missed"`
	Checklist  []*ItemSummary  `json:"checklist,omitempty"`
	Unjudged   []UnjudgedEntry `json:"unjudged"`
	Stale      int             `json:"stale_judgements"`
}

// UnjudgedEntry is a finding no judgement matched: new rule output to judge.
type UnjudgedEntry struct {
	Slug    string  `json:"slug"`
	Finding Finding `json:"finding"`
}

var severityRank = map[string]int{"high": 0, "medium": 1, "low": 2}

// Summarize aggregates the results of the analysed submissions (skipped ones are left out).
func Summarize(results []*SubmissionResult) *Summary {
	sum := &Summary{Overall: RuleStats{Code: "all"}}
	rules := map[string]*RuleStats{}
	kinds := map[string]*Recall{}
	sevs := map[string]*Recall{}
	for _, r := range results {
		if r.Skipped != "" {
			continue
		}
		for _, m := range r.Findings {
			rs := rules[m.Finding.Code]
			if rs == nil {
				rs = &RuleStats{Code: m.Finding.Code}
				rules[m.Finding.Code] = rs
			}
			rs.add(m)
			sum.Overall.add(m)
			if m.Judgement == nil {
				sum.Unjudged = append(sum.Unjudged, UnjudgedEntry{r.Slug, m.Finding})
			}
		}
		sum.Stale += len(r.Stale)
		for _, d := range r.Defects {
			for _, rec := range []*Recall{
				getRecall(kinds, d.Defect.Kind), getRecall(sevs, d.Defect.Severity), &sum.AllDefects,
			} {
				rec.Labelled++
				if d.Found() {
					rec.Found++
				}
			}
			if !d.Found() {
				sum.Missed = append(sum.Missed, d)
			}
		}
		sum.Checklist = addChecklist(sum.Checklist, r.Checklist)
	}
	sum.AllDefects.Key = "all"
	for _, rs := range rules {
		sum.Rules = append(sum.Rules, rs)
	}
	sort.Slice(sum.Rules, func(i, j int) bool { return sum.Rules[i].Code < sum.Rules[j].Code })
	sum.ByKind = sortedRecalls(kinds, func(a, b *Recall) bool {
		if a.Labelled != b.Labelled {
			return a.Labelled > b.Labelled
		}
		return a.Key < b.Key
	})
	sum.BySeverity = sortedRecalls(sevs, func(a, b *Recall) bool { return severityRank[a.Key] < severityRank[b.Key] })
	sort.SliceStable(sum.Missed, func(i, j int) bool {
		a, b := sum.Missed[i].Defect, sum.Missed[j].Defect
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] < severityRank[b.Severity]
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return sum.Missed[i].Slug < sum.Missed[j].Slug
	})
	return sum
}

func getRecall(m map[string]*Recall, key string) *Recall {
	r := m[key]
	if r == nil {
		r = &Recall{Key: key}
		m[key] = r
	}
	return r
}

func sortedRecalls(m map[string]*Recall, less func(a, b *Recall) bool) []*Recall {
	out := make([]*Recall, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
