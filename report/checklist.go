package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/config"
	"github.com/rubric-dev/rubric/internal/safeio"
)

//go:embed default.toml
var defaultChecklist []byte

// Checklist is the data that drives a report: the scoring matrix, the
// review areas and the items, with how each item maps to rules and signals.
// The format is documented in docs/checklist.md; DefaultChecklist is the
// interview guide's.
type Checklist struct {
	Name        string         `toml:"name"`
	MaxEvidence int            `toml:"max_evidence"`
	BandCap     *BandCapSpec   `toml:"band_cap"`
	Categories  []CategorySpec `toml:"category"`
	Areas       []AreaSpec     `toml:"area"`
	Items       []ItemSpec     `toml:"item"`
}

// BandCapSpec says which findings cap the band of the area (and category)
// they land in: findings at or above Severity in one of RuleCategories,
// and findings of Rules whatever their severity. The band is then at most
// Band.
type BandCapSpec struct {
	Severity       string   `toml:"severity"`
	RuleCategories []string `toml:"rule_categories"`
	Rules          []string `toml:"rules"`
	Band           int      `toml:"band"`

	sev analyzer.Severity
}

// CategorySpec is one row of the scoring matrix.
type CategorySpec struct {
	ID       string  `toml:"id"`
	Title    string  `toml:"title"`
	Weight   float64 `toml:"weight"` // percent
	MinScore int     `toml:"min_score"`
	Notes    string  `toml:"notes"`
}

// AreaSpec is one review area.
type AreaSpec struct {
	ID       string `toml:"id"`
	Title    string `toml:"title"`
	Source   string `toml:"source"`
	Category string `toml:"category"`
}

// ItemSpec is one checklist item and how its status is decided.
type ItemSpec struct {
	ID     string  `toml:"id"`
	Area   string  `toml:"area"`
	Title  string  `toml:"title"`
	Weight float64 `toml:"weight"`
	// Rules are codes ("ORM001") or prefixes ("ORM", "ORM00"); Names are
	// globs over rule names ("*n-plus-one*"). A finding of a matching rule
	// makes the item not met; a matching rule that ran and found nothing
	// makes it met.
	Rules []string `toml:"rules"`
	Names []string `toml:"names"`
	// Categories catch findings of these analyzer categories that no item
	// claims by code or name, so that every finding lands somewhere.
	Categories []string `toml:"categories"`
	// Conditions over signals; see Cond.
	AppliesWhen []string `toml:"applies_when"`
	NotMetWhen  []string `toml:"not_met_when"`
	MetWhen     []string `toml:"met_when"`
	// Requires marks an item that asks for something to be present: not
	// observed then counts as not met in the bands.
	Requires bool `toml:"requires"`
	// Evidence names signals shown when no finding or condition supplied
	// evidence (where a human should look).
	Evidence []string `toml:"evidence"`
	// Follow-up questions; the status-specific ones fall back to Question.
	Question            string `toml:"question"`
	QuestionMet         string `toml:"question_met"`
	QuestionNotMet      string `toml:"question_not_met"`
	QuestionNotObserved string `toml:"question_not_observed"`
	// QuestionHuman is the former name of QuestionNotObserved.
	QuestionHuman string `toml:"question_human"`
	// Questions are not-met questions per rule (a code or a prefix; the
	// longest match wins) for the finding the question is built from, so
	// that the question fits what that finding says; and met questions per
	// signal, keyed by the signal that leads the met_when condition the
	// item is met on ("txn.atomic").
	Questions map[string]string `toml:"questions"`
	// DecisiveSeverity, when set ("warning"), is the least severity of a
	// finding that makes the item not met on its own: findings below it (an
	// info-level remark beside the practice) are shown with the item but
	// leave its status to the signals.
	DecisiveSeverity string `toml:"decisive_severity"`

	applies, notMet, met []cond
	decisive             analyzer.Severity
}

// DefaultChecklist returns the interview guide's checklist.
func DefaultChecklist() *Checklist {
	c, err := ParseChecklist(defaultChecklist)
	if err != nil {
		panic("report: embedded default checklist is invalid: " + err.Error())
	}
	return c
}

// DefaultChecklistTOML returns the embedded default, to start a custom file from.
func DefaultChecklistTOML() []byte { return bytes.Clone(defaultChecklist) }

// LoadChecklist reads a checklist file. Errors name the file and line.
func LoadChecklist(file string) (*Checklist, error) {
	data, err := safeio.ReadUserFile(file, 4<<20)
	if err != nil {
		return nil, fmt.Errorf("checklist: %w", err)
	}
	c, err := ParseChecklist(data)
	if err != nil {
		return nil, config.InFile(file, err)
	}
	return c, nil
}

// ParseChecklist decodes and validates a checklist. Unknown keys are errors
// (with a suggestion), so a typo does not silently drop a condition; so are
// values of the wrong type. Both carry their line (config.LineErrors).
func ParseChecklist(data []byte) (*Checklist, error) {
	var c Checklist
	if err := config.DecodeStrict(data, &c); err != nil {
		return nil, err
	}
	if c.MaxEvidence <= 0 {
		c.MaxEvidence = 5
	}
	if c.BandCap != nil {
		sev, err := analyzer.ParseSeverity(c.BandCap.Severity)
		if err != nil || sev == 0 && c.BandCap.Severity != "none" {
			return nil, fmt.Errorf("band_cap.severity: want info, warning, error or none, got %q", c.BandCap.Severity)
		}
		c.BandCap.sev = sev
		if c.BandCap.Band < 1 || c.BandCap.Band > 5 {
			return nil, fmt.Errorf("band_cap.band: want 1 to 5, got %d", c.BandCap.Band)
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Checklist) validate() error {
	var errs []string
	cats := map[string]bool{}
	for _, k := range c.Categories {
		if k.ID == "" || cats[k.ID] {
			errs = append(errs, fmt.Sprintf("category %q: missing or duplicate id", k.ID))
		}
		cats[k.ID] = true
		if k.Weight < 0 {
			errs = append(errs, fmt.Sprintf("category %s: negative weight", k.ID))
		}
	}
	areas := map[string]bool{}
	for _, a := range c.Areas {
		if a.ID == "" || areas[a.ID] {
			errs = append(errs, fmt.Sprintf("area %q: missing or duplicate id", a.ID))
		}
		areas[a.ID] = true
		if a.Category != "" && !cats[a.Category] {
			errs = append(errs, fmt.Sprintf("area %s: unknown category %q", a.ID, a.Category))
		}
	}
	knownCat := map[string]bool{}
	for _, k := range analyzer.Categories {
		knownCat[string(k)] = true
	}
	if c.BandCap != nil {
		for _, k := range c.BandCap.RuleCategories {
			if !knownCat[k] {
				errs = append(errs, fmt.Sprintf("band_cap: unknown rule category %q", k))
			}
		}
	}
	items := map[string]bool{}
	for i := range c.Items {
		it := &c.Items[i]
		if it.ID == "" || items[it.ID] {
			errs = append(errs, fmt.Sprintf("item %q: missing or duplicate id", it.ID))
		}
		items[it.ID] = true
		if !areas[it.Area] {
			errs = append(errs, fmt.Sprintf("item %s: unknown area %q", it.ID, it.Area))
		}
		if it.Title == "" {
			errs = append(errs, fmt.Sprintf("item %s: no title", it.ID))
		}
		if it.Weight == 0 {
			it.Weight = 1
		}
		if it.QuestionNotObserved == "" {
			it.QuestionNotObserved = it.QuestionHuman
		}
		for _, k := range it.Categories {
			if !knownCat[k] {
				errs = append(errs, fmt.Sprintf("item %s: unknown rule category %q", it.ID, k))
			}
		}
		for _, g := range it.Names {
			if _, err := path.Match(g, ""); err != nil {
				errs = append(errs, fmt.Sprintf("item %s: bad name glob %q", it.ID, g))
			}
		}
		var err error
		parse := func(field string, src []string) []cond {
			out, e := parseConds(src)
			if e != nil && err == nil {
				err = fmt.Errorf("item %s: %s: %w", it.ID, field, e)
			}
			return out
		}
		if it.DecisiveSeverity != "" {
			sev, e := analyzer.ParseSeverity(it.DecisiveSeverity)
			if e != nil || sev == 0 {
				errs = append(errs, fmt.Sprintf("item %s: decisive_severity: want info, warning or error, got %q", it.ID, it.DecisiveSeverity))
			}
			it.decisive = sev
		}
		it.applies = parse("applies_when", it.AppliesWhen)
		it.notMet = parse("not_met_when", it.NotMetWhen)
		it.met = parse("met_when", it.MetWhen)
		for _, s := range it.Evidence {
			if !KnownSignal(s) {
				err = fmt.Errorf("item %s: evidence: unknown signal %q", it.ID, s)
			}
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid checklist:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// claims reports whether the item names the rule by code, prefix or name glob.
func (it *ItemSpec) claims(code, name string) bool {
	for _, r := range it.Rules {
		if r != "" && strings.HasPrefix(strings.ToUpper(code), strings.ToUpper(r)) {
			return true
		}
	}
	for _, g := range it.Names {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

func (it *ItemSpec) catchesCategory(c analyzer.Category) bool {
	for _, k := range it.Categories {
		if k == string(c) {
			return true
		}
	}
	return false
}

// A cond is a conjunction of signal tests: "tests.files", "!readme.present",
// "types.coverage >= 0.7", joined with " and ". A list of conds holds when
// any of them does.
type cond []term

type term struct {
	signal string
	op     string // "", "!", ">", ">=", "<", "<=", "==", "!="
	value  float64
	src    string
}

func parseConds(src []string) ([]cond, error) {
	var out []cond
	for _, s := range src {
		var c cond
		for _, part := range strings.Split(s, " and ") {
			t, err := parseTerm(strings.TrimSpace(part))
			if err != nil {
				return nil, err
			}
			c = append(c, t)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseTerm(s string) (term, error) {
	t := term{src: s}
	fields := strings.Fields(s)
	switch len(fields) {
	case 1:
		t.signal = fields[0]
		if strings.HasPrefix(t.signal, "!") {
			t.op, t.signal = "!", t.signal[1:]
		}
	case 3:
		t.signal, t.op = fields[0], fields[1]
		switch t.op {
		case ">", ">=", "<", "<=", "==", "!=":
		default:
			return t, fmt.Errorf("%q: unknown operator %q", s, t.op)
		}
		v, err := strconv.ParseFloat(fields[2], 64)
		if err != nil {
			return t, fmt.Errorf("%q: %q is not a number", s, fields[2])
		}
		t.value = v
	default:
		return t, fmt.Errorf("%q: want `signal`, `!signal` or `signal OP number`", s)
	}
	if !KnownSignal(t.signal) {
		return t, fmt.Errorf("%q: unknown signal %q", s, t.signal)
	}
	return t, nil
}

func (t term) holds(s *Signals) bool {
	v := s.Value(t.signal)
	switch t.op {
	case "":
		return v > 0
	case "!":
		return v == 0
	case ">":
		return v > t.value
	case ">=":
		return v >= t.value
	case "<":
		return v < t.value
	case "<=":
		return v <= t.value
	case "==":
		return v == t.value
	case "!=":
		return v != t.value
	}
	return false
}

// firstHolding returns the first cond of the list that holds, or nil.
func firstHolding(cs []cond, s *Signals) cond {
	for _, c := range cs {
		ok := true
		for _, t := range c {
			if !t.holds(s) {
				ok = false
				break
			}
		}
		if ok {
			return c
		}
	}
	return nil
}

func (c cond) String() string {
	var parts []string
	for _, t := range c {
		parts = append(parts, t.src)
	}
	return strings.Join(parts, " and ")
}
