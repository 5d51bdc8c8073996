package suppress

import "sort"

// Equivalent is one other tool's code for the same finding as a rubric
// rule: the author who wrote `# noqa: E722` has already decided about the
// bare except that ERR001 reports.
type Equivalent struct {
	Tool  string // "ruff/flake8", "pylint" or "bandit"
	Codes []string
	Rule  string // the rubric rule
}

// Equivalents lists the other tools' codes rubric honours, and the rule
// each one stands for. Only codes that report the same thing are here: a
// code whose rule is broader or narrower than rubric's (ruff's S110 is
// `try`/`except`/`pass`, as ERR003; S112, `continue`, is not) is left out.
// Ruff's codes are flake8's and its plugins' (pycodestyle, bugbear,
// flake8-bandit, flake8-logging-format, tryceratops, flake8-print,
// flake8-django). Pylint has a number and a name for each message; both
// are listed.
var Equivalents = []Equivalent{
	{"ruff/flake8", []string{"F821"}, "BUG005"},
	{"ruff/flake8", []string{"E722", "B001"}, "ERR001"},
	{"ruff/flake8", []string{"BLE001"}, "ERR002"},
	{"ruff/flake8", []string{"S110"}, "ERR003"},
	{"ruff/flake8", []string{"TRY002"}, "ERR004"},
	{"ruff/flake8", []string{"B904"}, "ERR005"},
	{"ruff/flake8", []string{"G001", "G002", "G003", "G004"}, "LOG001"},
	{"ruff/flake8", []string{"TRY400"}, "LOG002"},
	{"ruff/flake8", []string{"T201", "T001"}, "LOG003"}, // T001: flake8-print before 5.0
	{"ruff/flake8", []string{"S113"}, "NET001"},
	{"ruff/flake8", []string{"S501"}, "NET002"},
	{"ruff/flake8", []string{"S105", "S106"}, "SEC006"},
	{"ruff/flake8", []string{"S608"}, "SEC009"},
	{"ruff/flake8", []string{"S301", "S307", "S506"}, "SEC010"},
	{"ruff/flake8", []string{"DJ007"}, "SEC011"},
	{"pylint", []string{"E0602", "undefined-variable"}, "BUG005"},
	{"pylint", []string{"W0702", "bare-except"}, "ERR001"},
	{"pylint", []string{"W0718", "broad-exception-caught", "W0703", "broad-except"}, "ERR002"},
	{"pylint", []string{"W0719", "broad-exception-raised"}, "ERR004"},
	{"pylint", []string{"W0707", "raise-missing-from"}, "ERR005"},
	{"pylint", []string{"W1201", "logging-not-lazy", "W1202", "logging-format-interpolation", "W1203", "logging-fstring-interpolation"}, "LOG001"},
	{"pylint", []string{"W0123", "eval-used"}, "SEC010"},
	{"bandit", []string{"B110", "try_except_pass"}, "ERR003"},
	{"bandit", []string{"B113", "request_without_timeout"}, "NET001"},
	{"bandit", []string{"B501", "request_with_no_cert_validation"}, "NET002"},
	{"bandit", []string{"B105", "hardcoded_password_string", "B106", "hardcoded_password_funcarg"}, "SEC006"},
	{"bandit", []string{"B608", "hardcoded_sql_expressions"}, "SEC009"},
	{"bandit", []string{"B301", "pickle", "B307", "eval", "B506", "yaml_load"}, "SEC010"},
}

// foreign maps a tool's code (ruff's upper-cased, pylint's and bandit's as
// written) to the rubric rules it stands for, per tool.
var foreign = func() map[string]map[string][]string {
	m := map[string]map[string][]string{"noqa": {}, "pylint": {}, "nosec": {}}
	kind := map[string]string{"ruff/flake8": "noqa", "pylint": "pylint", "bandit": "nosec"}
	for _, e := range Equivalents {
		for _, c := range e.Codes {
			m[kind[e.Tool]][c] = append(m[kind[e.Tool]][c], e.Rule)
		}
	}
	return m
}()

// banditRules are the rules a bare `# nosec` silences: those bandit has a
// check for.
var banditRules = func() map[string]bool {
	out := map[string]bool{}
	for _, e := range Equivalents {
		if e.Tool == "bandit" {
			out[e.Rule] = true
		}
	}
	return out
}()

// ForeignRules returns the rubric rules an other tool's code stands for
// in a comment of kind "noqa", "pylint" or "nosec", sorted.
func ForeignRules(kind, code string) []string {
	out := append([]string(nil), foreign[kind][code]...)
	sort.Strings(out)
	return out
}
