package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Finding is the part of a rubric JSON diagnostic the benchmark reads.
type Finding struct {
	Code    string `json:"code"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line"`
	Message string `json:"message"`
	Related []struct {
		Path string `json:"path"`
		Line int    `json:"line"`
	} `json:"related"`
}

// ParseFindings decodes `rubric check --format json` output and keeps the
// findings whose code is in codes (a code may be a family prefix, as --select
// takes it).
func ParseFindings(r io.Reader, codes []string) ([]Finding, error) {
	var rep struct {
		Diagnostics []Finding `json:"diagnostics"`
	}
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("decode rubric json: %w", err)
	}
	var out []Finding
	for _, f := range rep.Diagnostics {
		for _, c := range codes {
			if strings.HasPrefix(f.Code, c) {
				out = append(out, f)
				break
			}
		}
	}
	return out, nil
}

// Hit says how a finding touched a labelled range.
type Hit struct {
	Code    string `json:"code"`
	Where   string `json:"where"` // "access", "loop", "related-access", "related-loop", "clean", "related-clean"
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Match returns the findings touching any of the named ranges, the primary
// location tried before the related ones. A finding counts once, under the
// first name (in the order given) that it touches.
func Match(fs []Finding, names []string, ranges []Range) []Hit {
	var hits []Hit
	for _, f := range fs {
		if h, ok := match1(f, names, ranges); ok {
			hits = append(hits, h)
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return rank(hits[i].Where) < rank(hits[j].Where) })
	return hits
}

func match1(f Finding, names []string, ranges []Range) (Hit, bool) {
	h := Hit{Code: f.Code, Path: f.Path, Line: f.Line, Message: f.Message}
	for i, r := range ranges {
		if r.Overlaps(f.Path, f.Line, f.EndLine) {
			h.Where = names[i]
			return h, true
		}
	}
	for i, r := range ranges {
		for _, rel := range f.Related {
			if r.Overlaps(rel.Path, rel.Line, rel.Line) {
				h.Where = "related-" + names[i]
				return h, true
			}
		}
	}
	return h, false
}

// rank puts primary hits before related ones, so a case's first hit is its
// most direct one.
func rank(where string) int {
	if strings.HasPrefix(where, "related-") {
		return 1
	}
	return 0
}

// CaseResult is what the benchmark measured for one case.
type CaseResult struct {
	ID      string   `json:"id"`
	Repo    string   `json:"repo"`
	Kind    []string `json:"kind"`
	Found   bool     `json:"found"`
	Via     string   `json:"via,omitempty"` // Where of the first hit at the parent
	Cleared bool     `json:"cleared"`       // no hit on the fixed access at the fix commit
	Before  []Hit    `json:"before,omitempty"`
	After   []Hit    `json:"after,omitempty"`
	// Findings on the access about another loop (they name no location in
	// the case's loop file), at the parent and at the fix.
	Elsewhere      []Hit  `json:"elsewhere,omitempty"`
	ElsewhereAfter []Hit  `json:"elsewhere_after,omitempty"`
	Error          string `json:"error,omitempty"`
}

// CleanResult is what the benchmark measured for one clean loop.
type CleanResult struct {
	ID     string `json:"id"`
	Repo   string `json:"repo"`
	Alarms []Hit  `json:"alarms,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Names reports whether the finding is located in file: its primary
// location or one of its related ones (the loop, the access, the chain).
func (f Finding) Names(file string) bool {
	if f.Path == file {
		return true
	}
	for _, r := range f.Related {
		if r.Path == file {
			return true
		}
	}
	return false
}

// split separates the findings that name file from the others.
func split(fs []Finding, file string) (in, out []Finding) {
	for _, f := range fs {
		if f.Names(file) {
			in = append(in, f)
		} else {
			out = append(out, f)
		}
	}
	return in, out
}

// JudgeCase scores a case from the findings at its parent and at its fix.
// A finding is about the case when it touches the access or the loop and
// names the loop's file (a shared access, such as a serializer field or a
// model's __str__, is read by other loops too: a finding about another loop
// neither finds the case nor keeps it from being cleared; those are kept in
// Elsewhere and ElsewhereAfter).
func JudgeCase(k Case, before, after []Finding) CaseResult {
	return JudgeCaseIn(k, before, after, nil, nil)
}

// JudgeCaseIn is JudgeCase reading the parent's and the fix's trees: at the
// fix, a finding keeps the case from being cleared only when it names a
// place in the loop's file under the same top-level class or function as
// the loop at the parent (its view or function). A finding about another
// view of the same file, or about a loop in another file whose related
// locations reach a helper in the loop's file, is another loop's. Without
// scopes (nil, a template loop, module-level code) the file decides.
func JudgeCaseIn(k Case, before, after []Finding, parent, fix ScopeFunc) CaseResult {
	res := CaseResult{ID: k.ID, Repo: k.Repo, Kind: k.Kind}
	inB, outB := split(before, k.Loop.File)
	inA, outA := split(after, k.Loop.File)
	if parent != nil && fix != nil {
		if own := parent(k.Loop.File, k.Loop.Lines[0]); own != "" {
			inA, outA = byScope(inA, outA, k.Loop.File, own, fix)
		}
	}
	res.Before = Match(inB, []string{"access", "loop"}, []Range{k.Access, k.Loop})
	res.After = Match(inA, []string{"access"}, []Range{k.FixedAccess})
	res.Elsewhere = Match(outB, []string{"access"}, []Range{k.Access})
	res.ElsewhereAfter = Match(outA, []string{"access"}, []Range{k.FixedAccess})
	res.Found = len(res.Before) > 0
	if res.Found {
		res.Via = res.Before[0].Where
	}
	res.Cleared = len(res.After) == 0
	return res
}

// JudgeClean scores a clean loop: any finding touching it is a false alarm.
func JudgeClean(k Clean, fs []Finding) CleanResult {
	return CleanResult{ID: k.ID, Repo: k.Repo, Alarms: Match(fs, []string{"clean"}, []Range{k.Range})}
}

// Tally counts one group of cases. Cleared counts cases both found at the
// parent and silent at the fix: a rule that finds nothing clears nothing.
type Tally struct {
	Cases    int `json:"cases"`
	Found    int `json:"found"`
	Cleared  int `json:"cleared"`
	Errors   int `json:"errors"`
	FixQuiet int `json:"fix_quiet"` // silent on the fixed access, found or not
}

// Totals is the summary of a run.
type Totals struct {
	Overall     Tally            `json:"overall"`
	ByKind      map[string]Tally `json:"by_kind"`
	ByRepo      map[string]Tally `json:"by_repo"`
	CleanLoops  int              `json:"clean_loops"`
	FalseAlarms int              `json:"false_alarms"` // clean loops with at least one finding
	CleanErrors int              `json:"clean_errors"`
}

// Summarise adds up case and clean results. A case counts under each of its kinds.
func Summarise(cases []CaseResult, clean []CleanResult) Totals {
	t := Totals{ByKind: map[string]Tally{}, ByRepo: map[string]Tally{}}
	add := func(y *Tally, r CaseResult) {
		y.Cases++
		switch {
		case r.Error != "":
			y.Errors++
			return
		case r.Found && r.Cleared:
			y.Found++
			y.Cleared++
		case r.Found:
			y.Found++
		}
		if r.Cleared {
			y.FixQuiet++
		}
	}
	for _, r := range cases {
		add(&t.Overall, r)
		for _, k := range r.Kind {
			y := t.ByKind[k]
			add(&y, r)
			t.ByKind[k] = y
		}
		y := t.ByRepo[r.Repo]
		add(&y, r)
		t.ByRepo[r.Repo] = y
	}
	for _, r := range clean {
		t.CleanLoops++
		switch {
		case r.Error != "":
			t.CleanErrors++
		case len(r.Alarms) > 0:
			t.FalseAlarms++
		}
	}
	return t
}
