package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Checklist states, as labelled and as rubric reports them (normalised).
const (
	stMet         = "met"
	stNotMet      = "not-met"
	stNotObserved = "not-observed"
	stNA          = "n/a"
	stHuman       = "human"
)

// Outcomes of comparing a labelled item with rubric's status.
const (
	outAgree       = "agree"
	outFalseMet    = "false-met"     // rubric says met, the reviewer found it not met or not there
	outFalseNotMet = "false-not-met" // rubric says not met, the reviewer found it met
	outHuman       = "human"         // rubric left it to a human
	outNAMismatch  = "n/a-mismatch"  // one side says not applicable, the other does not
	outNoItem      = "no-item"       // rubric's checklist has no such item
)

var outcomes = []string{outAgree, outFalseMet, outFalseNotMet, outHuman, outNAMismatch, outNoItem}

// ItemComparison is one labelled checklist item next to rubric's status for it.
type ItemComparison struct {
	Item    string `json:"item"`
	Label   string `json:"label"`
	Rubric  string `json:"rubric,omitempty"`
	Outcome string `json:"outcome"`
}

// ItemSummary counts the outcomes of one item over the corpus.
type ItemSummary struct {
	Item     string         `json:"item"`
	Outcomes map[string]int `json:"outcomes"`
}

// NormalizeStatus maps rubric's wording of a status ("not met", "Needs a human", "not_applicable")
// onto the label states; unknown wording is returned lower-cased.
func NormalizeStatus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("_", "-", " ", "-").Replace(s)
	switch s {
	case "met", "pass", "passed":
		return stMet
	case "not-met", "fail", "failed":
		return stNotMet
	case "not-observed":
		return stNotObserved
	case "not-applicable", "n/a", "na":
		return stNA
	case "needs-a-human", "human", "needs-human":
		return stHuman
	}
	return s
}

// CompareChecklist compares each labelled item with rubric's statuses (item id -> status).
func CompareChecklist(labels []ItemLabel, rubric map[string]string) []ItemComparison {
	var out []ItemComparison
	for _, l := range labels {
		c := ItemComparison{Item: l.Item, Label: l.State}
		st, ok := rubric[l.Item]
		c.Rubric = st
		absent := func(s string) bool { return s == stNotMet || s == stNotObserved }
		switch {
		case !ok:
			c.Outcome = outNoItem
		case st == stHuman:
			c.Outcome = outHuman
		case (st == stNA) != (l.State == stNA):
			c.Outcome = outNAMismatch
		case st == l.State, absent(st) && absent(l.State):
			c.Outcome = outAgree
		case st == stMet:
			c.Outcome = outFalseMet
		case l.State == stMet && absent(st):
			c.Outcome = outFalseNotMet
		default:
			c.Outcome = st // an unknown status word: shown as is
		}
		out = append(out, c)
	}
	return out
}

func addChecklist(sum []*ItemSummary, cs []ItemComparison) []*ItemSummary {
	for _, c := range cs {
		i := sort.Search(len(sum), func(i int) bool { return sum[i].Item >= c.Item })
		if i == len(sum) || sum[i].Item != c.Item {
			sum = append(sum, nil)
			copy(sum[i+1:], sum[i:])
			sum[i] = &ItemSummary{Item: c.Item, Outcomes: map[string]int{}}
		}
		sum[i].Outcomes[c.Outcome]++
	}
	return sum
}

// ParseReportJSON reads item statuses from `rubric report --format json`, whatever its nesting:
// every object holding string fields "id" and "status" is an item.
func ParseReportJSON(data []byte) (map[string]string, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	items := map[string]string{}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			id, okID := t["id"].(string)
			st, okSt := t["status"].(string)
			if okID && okSt {
				items[id] = NormalizeStatus(st)
			}
			for _, c := range t {
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(v)
	if len(items) == 0 {
		return nil, fmt.Errorf("no checklist items (objects with id and status) in the JSON report")
	}
	return items, nil
}

// mdItem matches a checklist line of the Markdown report: "- ✅ **Title**: met (reason)".
var mdItem = regexp.MustCompile(`^\s*- \S+ \*\*(.+?)\*\*: (met|not met|not observed|needs a human|not applicable)\b`)

// ParseReportMarkdown reads item statuses from the Markdown report, mapping item titles to ids with
// titles (title -> id, from the checklist file). Lines whose title is unknown are ignored.
func ParseReportMarkdown(md []byte, titles map[string]string) map[string]string {
	items := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		m := mdItem.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if id, ok := titles[m[1]]; ok {
			items[id] = NormalizeStatus(m[2])
		}
	}
	return items
}

// ChecklistTitles reads `rubric report --print-checklist` and returns item title -> id.
func ChecklistTitles(data []byte) (map[string]string, error) {
	var c struct {
		Items []struct {
			ID    string `toml:"id"`
			Title string `toml:"title"`
		} `toml:"item"`
	}
	if _, err := toml.Decode(string(data), &c); err != nil {
		return nil, fmt.Errorf("read the printed checklist: %w", err)
	}
	titles := map[string]string{}
	for _, it := range c.Items {
		titles[it.Title] = it.ID
	}
	if len(titles) == 0 {
		return nil, fmt.Errorf("the printed checklist has no items")
	}
	return titles, nil
}
