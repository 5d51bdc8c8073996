// Package analyzer is rubric's engine: rules as values, the pass they
// receive, diagnostics, and the driver that walks, parses, indexes and runs.
// It imports no rule package.
package analyzer

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// Severity of a diagnostic.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "unknown"
}

// ParseSeverity reads "info", "warning" or "error"; "none" yields 0 (never fails).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	case "none", "never":
		return 0, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning, error or none)", s)
}

// Confidence says how sure a rule is that a finding is real.
type Confidence int

// Confidences, lowest first.
const (
	Low Confidence = iota + 1
	Medium
	High
)

func (c Confidence) String() string {
	switch c {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return "unknown"
}

// Category is a review area of the reviewer checklist. Every rule belongs
// to one; the checklist groups findings by it.
type Category string

// The categories. They follow the interview guide's review areas.
const (
	Correctness   Category = "correctness"    // the file must parse; rubric itself
	ErrorHandling Category = "error-handling" // specific exceptions, no swallowing
	Observability Category = "observability"  // structured logging
	Resilience    Category = "resilience"     // timeouts, retries, circuit breakers
	Performance   Category = "performance"    // ORM queries, pagination, indexes
	DataIntegrity Category = "data-integrity" // transactions, idempotency
	Design        Category = "design"         // injection, testability
	Security      Category = "security"       // webhooks, secrets, injection
	AsyncTasks    Category = "async-tasks"    // Celery
	Migrations    Category = "migrations"     // zero-downtime schema changes
)

// Categories lists every category in checklist order.
var Categories = []Category{Correctness, ErrorHandling, Observability, Resilience, Performance,
	DataIntegrity, Design, Security, AsyncTasks, Migrations}

// Families maps each code prefix to what it covers.
var Families = map[string]string{
	"SYN": "parse and input problems",
	"RUB": "rubric itself (internal errors, suppressions)",
	"ERR": "error handling",
	"LOG": "logging",
	"NET": "outbound HTTP calls",
	"ORM": "Django ORM queries",
	"TXN": "transactions and side effects",
	"IDM": "idempotency",
	"ARC": "design and testability",
	"SEC": "security",
	"CEL": "Celery tasks",
	"MIG": "migrations",
	"BUG": "provable crashes and silent data bugs",
}

// Rule is one check. It is a plain value, registered in rules/all.
type Rule struct {
	Code     string // family prefix + 3 digits, e.g. "ERR001"; never reused
	Name     string // kebab-case, e.g. "bare-except"
	Doc      string // Markdown; first line is the title (see ParseDoc)
	Category Category
	Severity Severity // default severity
	// Confidence is the default confidence of the rule's findings; a
	// diagnostic may set its own.
	Confidence Confidence
	Since      string
	// NonDefault rules run only when selected explicitly.
	NonDefault bool
	// SkipOnSyntaxError makes the driver skip files that did not parse
	// cleanly. By default rules run on the recovered tree.
	SkipOnSyntaxError bool
	// Skip names the kinds of file the rule does not judge (tests,
	// migrations, scripts, development data, settings); the driver applies
	// it, so a rule never hand-writes its own file filter. Most rules skip
	// semantic.ProductCode's complement: tests, migrations, scripts and
	// seed data.
	Skip semantic.Role
	// Stack names the frameworks the rule is about (project.Django,
	// project.Celery, project.WebApp): the driver does not run it on a
	// project none of whose files imports any of them (Index.Stack), where
	// it has nothing to find. Zero for a rule about Python itself (an
	// unused name, a bare except), which runs everywhere. The gate is the
	// project's, never the file's: a Django project's module that imports
	// no Django still has its querysets judged.
	Stack project.Stack
	// Distinct findings are each their own place and fix (an N+1 loop, an
	// open endpoint): the reports collapse repeats of the rule within one
	// function, never across a file (see Aggregate).
	Distinct bool
	// Habit findings point at a habit more than at a place (print() for
	// logging, f-strings in log calls): one comment covers the submission,
	// so the reports collapse the rule's findings across the whole run
	// into one, at the first, with the others as related locations.
	Habit bool
	// FileHabit findings repeat one habit of a file's author (an error
	// logged without its traceback in every handler): the reports collapse
	// the rule's findings in one file into one, however few functions they
	// are in, with the others as related locations.
	FileHabit bool
	// OnePerMessage findings name their defect in the message alone, not
	// the place it is seen from (`no index covers `token` on `Account``):
	// findings of the rule with the same message anywhere in the run are
	// one defect, and the reports collapse them into one at the first, with
	// the others as related locations, before the other grouping.
	OnePerMessage bool
	// Requires lists the shared analyses the rule reads (semantic.Project,
	// ...). The driver builds project analyses once, before any rule runs.
	Requires []project.Analysis
	// LocalOn names the kinds of file on which the rule reads none of its
	// Requires (BUG004 judges test modules from their own tree): there
	// its findings depend on the file and the project's facts alone, and
	// are kept as such (see reuse.go), so an edit elsewhere does not run it
	// on them again. Under `go test` the driver hands the rule, on such a
	// file, an index that refuses every project analysis, so a rule that
	// reads one there fails its fixtures.
	LocalOn semantic.Role
	// Run checks one file. It returns an error only when the rule itself
	// broke; findings go through Pass.Report.
	Run func(*Pass) error
	// RunProject, for rules that judge the project as a whole, runs once
	// after the index is built. A rule has Run or RunProject (or both).
	RunProject func(*ProjectPass) error
	// FactsOnly declares that RunProject reads the index's facts alone (the
	// model graph, migrations, settings, imports, top-level names), never a
	// tree or a source: its findings are kept under the facts digest, so an
	// edit that leaves every file's facts as they were does not re-run it.
	// Under `go test` the driver hides every tree and source from such a
	// rule, so one that reads them fails its fixtures.
	FactsOnly bool
	// Options documents the rule's configurable options and their defaults.
	Options []Option

	builtin bool
}

// Option is a documented, configurable rule parameter.
type Option struct {
	Name    string
	Default any
	Doc     string
}

// Family returns the three-letter prefix of the code.
func (r *Rule) Family() string {
	if len(r.Code) < 3 {
		return r.Code
	}
	return r.Code[:3]
}

// Title is the first line of the doc.
func (r *Rule) Title() string { return ParseDoc(r.Doc).Title }

var (
	codeRe = regexp.MustCompile(`^[A-Z]{3}[0-9]{3}$`)
	nameRe = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

// RequiredSections must appear in every rule doc.
var RequiredSections = []string{"Why it matters", "Example", "Instead", "Known limits"}

// Validate checks a rule set: well-formed unique codes and names, known
// families and categories, a run function, and complete docs.
func Validate(rules []*Rule) error {
	var errs []string
	codes := map[string]bool{}
	names := map[string]bool{}
	knownCat := map[Category]bool{}
	for _, c := range Categories {
		knownCat[c] = true
	}
	for _, r := range rules {
		id := r.Code
		if !codeRe.MatchString(r.Code) {
			errs = append(errs, fmt.Sprintf("%s: code must be three capitals and three digits", id))
		}
		if _, ok := Families[r.Family()]; !ok {
			errs = append(errs, fmt.Sprintf("%s: unknown family %q", id, r.Family()))
		}
		if codes[r.Code] {
			errs = append(errs, fmt.Sprintf("%s: duplicate code", id))
		}
		codes[r.Code] = true
		if !nameRe.MatchString(r.Name) {
			errs = append(errs, fmt.Sprintf("%s: name %q is not kebab-case", id, r.Name))
		}
		if names[r.Name] {
			errs = append(errs, fmt.Sprintf("%s: duplicate name %q", id, r.Name))
		}
		names[r.Name] = true
		if !knownCat[r.Category] {
			errs = append(errs, fmt.Sprintf("%s: unknown category %q", id, r.Category))
		}
		if r.Severity < Info || r.Severity > Error {
			errs = append(errs, fmt.Sprintf("%s: no default severity", id))
		}
		if r.Confidence < Low || r.Confidence > High {
			errs = append(errs, fmt.Sprintf("%s: no default confidence", id))
		}
		if r.Run == nil && r.RunProject == nil && !r.builtin {
			errs = append(errs, fmt.Sprintf("%s: no Run or RunProject", id))
		}
		if r.FactsOnly && (r.RunProject == nil || r.Run != nil || len(r.Requires) > 0) {
			errs = append(errs, fmt.Sprintf("%s: FactsOnly is for a project rule without Run or Requires", id))
		}
		if r.Since == "" {
			errs = append(errs, fmt.Sprintf("%s: no Since", id))
		}
		for _, a := range r.Requires {
			// A digest on a result that holds nodes or the model would
			// be a promise no record can keep (project.Digestible).
			if d, ok := a.(project.DigestDeclared); ok && d.DeclaresDigest() && !project.PlainType(d.ResultType()) {
				errs = append(errs, fmt.Sprintf("%s: analysis %s has a Digest, but its result type %v is not plain", id, a.AnalysisName(), d.ResultType()))
			}
		}
		d := ParseDoc(r.Doc)
		if d.Title == "" || strings.HasSuffix(d.Title, ".") || len(d.Title) > 80 {
			errs = append(errs, fmt.Sprintf("%s: doc title must be one line, no period, at most 80 characters: %q", id, d.Title))
		}
		for _, s := range RequiredSections {
			if strings.TrimSpace(d.Section(s)) == "" {
				errs = append(errs, fmt.Sprintf("%s: doc lacks section %q", id, s))
			}
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("invalid rules:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// Select filters rules by --select / --ignore style lists of codes, family
// prefixes (ERR), code prefixes (ERR00) or names. An empty select means every
// default rule. A code named exactly in select enables a NonDefault rule.
func Select(rules []*Rule, sel, ignore []string) []*Rule {
	match := func(r *Rule, pats []string, exact bool) bool {
		for _, p := range pats {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if strings.EqualFold(p, "ALL") && !exact {
				return true
			}
			if strings.EqualFold(p, r.Code) || p == r.Name {
				return true
			}
			if !exact && strings.HasPrefix(r.Code, strings.ToUpper(p)) {
				return true
			}
		}
		return false
	}
	var out []*Rule
	for _, r := range rules {
		on := !r.NonDefault
		if len(sel) > 0 {
			on = match(r, sel, false) && (!r.NonDefault || match(r, sel, true))
		}
		if on && match(r, ignore, false) {
			on = false
		}
		if on {
			out = append(out, r)
		}
	}
	return out
}

// KnownSelector reports whether p names at least one rule (code, prefix,
// name or ALL); used to reject typos in --select and configuration.
func KnownSelector(rules []*Rule, p string) bool {
	if strings.EqualFold(p, "ALL") {
		return true
	}
	for _, r := range rules {
		if strings.EqualFold(p, r.Code) || p == r.Name || strings.HasPrefix(r.Code, strings.ToUpper(p)) && len(p) >= 3 {
			return true
		}
	}
	return false
}

// runsOn reports whether r runs on the project of ix (Rule.Stack).
func (r *Rule) runsOn(ix *project.Index) bool { return ix.Runs(r.Stack) }
