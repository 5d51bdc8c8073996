package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Submission is one labelled take-home: takehomes/<owner>+<name>.toml.
type Submission struct {
	Slug         string   `toml:"-"`
	Repository   string   `toml:"repository"`
	Commit       string   `toml:"commit"`
	Exercise     string   `toml:"exercise"`
	Domain       []string `toml:"domain"`
	Stack        []string `toml:"stack"`
	AuthDefault  string   `toml:"auth_default"`
	Summary      string   `toml:"summary"`
	RubricCommit string   `toml:"rubric_commit"`
	Missed       []string `toml:"missed"`

	Endpoints []Endpoint  `toml:"endpoint"`
	Defects   []Defect    `toml:"defect"`
	Checklist []ItemLabel `toml:"checklist"`
	Findings  []Judgement `toml:"finding"`
}

// Endpoint is one route of the reviewer's endpoint inventory.
type Endpoint struct {
	Route       string   `toml:"route"`
	View        string   `toml:"view"`
	Methods     []string `toml:"methods"`
	Auth        string   `toml:"auth"`
	Does        string   `toml:"does"`
	Reads       []string `toml:"reads"`
	Writes      []string `toml:"writes"`
	MovesMoney  bool     `toml:"moves_money"`
	CallsOut    bool     `toml:"calls_out"`
	QueuesTasks bool     `toml:"queues_tasks"`
	Open        bool     `toml:"open"`
	OpenTo      string   `toml:"open_to"`
	Note        string   `toml:"note"`
}

// Defect is one point a senior reviewer raises, at a file and line.
type Defect struct {
	ID       string   `toml:"id" json:"id,omitempty"`
	Kind     string   `toml:"kind" json:"kind,omitempty"`
	Severity string   `toml:"severity" json:"severity,omitempty"`
	Path     string   `toml:"path" json:"path,omitempty"`
	Line     int      `toml:"line" json:"line,omitempty"`
	Also     []string `toml:"also" json:"also,omitempty"` // other "path:line" locations of the same defect
	Note     string   `toml:"note" json:"note,omitempty"`
}

// ItemLabel is the reviewer's state for one checklist item.
type ItemLabel struct {
	Item     string `toml:"item"`
	State    string `toml:"state"` // met, not-met, not-observed, n/a
	Evidence string `toml:"evidence"`
	Note     string `toml:"note"`
}

// Judgement is the verdict on one rubric finding, keyed by code, path, line and message prefix.
type Judgement struct {
	Code    string `toml:"code" json:"code,omitempty"`
	Path    string `toml:"path" json:"path,omitempty"`
	Line    int    `toml:"line" json:"line,omitempty"`
	Message string `toml:"message" json:"message,omitempty"`
	Verdict string `toml:"verdict" json:"verdict,omitempty"` // true, noise, wrong
	Noise   string `toml:"noise" json:"noise,omitempty"`     // with noise: severity, repeat, not-worth
	Defect  string `toml:"defect" json:"defect,omitempty"`
	Why     string `toml:"why" json:"why,omitempty"`
}

// Kinds is kinds.toml: the defect kinds and the rule codes that find each.
type Kinds struct {
	Window int             `toml:"window"`
	Kinds  map[string]Kind `toml:"kinds"`
}

// Kind is one defect kind.
type Kind struct {
	Desc  string   `toml:"desc"`
	Codes []string `toml:"codes"`
}

// Location is a file and a 1-based line.
type Location struct {
	Path string
	Line int
}

var (
	verdicts    = map[string]bool{"true": true, "noise": true, "wrong": true}
	noiseKinds  = map[string]bool{"severity": true, "repeat": true, "not-worth": true}
	severities  = map[string]bool{"high": true, "medium": true, "low": true}
	labelStates = map[string]bool{"met": true, "not-met": true, "not-observed": true, "n/a": true}
)

// Locations returns the defect's line and its `also` locations.
func (d Defect) Locations() ([]Location, error) {
	locs := []Location{{d.Path, d.Line}}
	for _, a := range d.Also {
		i := strings.LastIndexByte(a, ':')
		if i <= 0 {
			return nil, fmt.Errorf("also %q: want path:line", a)
		}
		n, err := strconv.Atoi(a[i+1:])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("also %q: want path:line", a)
		}
		locs = append(locs, Location{a[:i], n})
	}
	return locs, nil
}

// LoadKinds reads kinds.toml.
func LoadKinds(path string) (*Kinds, error) {
	var k Kinds
	md, err := toml.DecodeFile(path, &k)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("read %s: unknown keys %v", path, u)
	}
	if k.Window < 0 {
		return nil, fmt.Errorf("read %s: window must not be negative", path)
	}
	return &k, nil
}

// LoadSubmissions reads every *.toml of dir, sorted by slug, and checks each against kinds.
func LoadSubmissions(dir string, kinds *Kinds) ([]*Submission, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no labels (*.toml) in %s", dir)
	}
	sort.Strings(paths)
	var subs []*Submission
	for _, p := range paths {
		s, err := loadSubmission(p)
		if err != nil {
			return nil, err
		}
		if err := s.Validate(kinds); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		subs = append(subs, s)
	}
	return subs, nil
}

func loadSubmission(path string) (*Submission, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Submission
	md, err := toml.Decode(string(data), &s)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("read %s: unknown keys %v", path, u)
	}
	s.Slug = strings.TrimSuffix(filepath.Base(path), ".toml")
	return &s, nil
}

// Validate checks the labels' own consistency: known kinds, verdicts and states, unique defect ids,
// judgements that name existing defects. A typo must fail loudly, not skew a figure.
func (s *Submission) Validate(kinds *Kinds) error {
	owner, name, ok := strings.Cut(s.Slug, "+")
	if !ok || s.Repository != owner+"/"+name {
		return fmt.Errorf("file name %q does not match repository %q (want <owner>+<name>.toml)", s.Slug, s.Repository)
	}
	if len(s.Commit) != 40 {
		return fmt.Errorf("commit %q: want the full 40-hex-digit id", s.Commit)
	}
	ids := map[string]bool{}
	for _, d := range s.Defects {
		if d.ID == "" || ids[d.ID] {
			return fmt.Errorf("defect id %q empty or repeated", d.ID)
		}
		ids[d.ID] = true
		if _, ok := kinds.Kinds[d.Kind]; !ok {
			return fmt.Errorf("defect %s: kind %q is not declared in kinds.toml", d.ID, d.Kind)
		}
		if !severities[d.Severity] {
			return fmt.Errorf("defect %s: severity %q", d.ID, d.Severity)
		}
		if d.Path == "" || d.Line < 1 {
			return fmt.Errorf("defect %s: path and line are required", d.ID)
		}
		if _, err := d.Locations(); err != nil {
			return fmt.Errorf("defect %s: %w", d.ID, err)
		}
	}
	for _, m := range s.Missed {
		if !ids[m] {
			return fmt.Errorf("missed names unknown defect %q", m)
		}
	}
	seen := map[string]bool{}
	for _, c := range s.Checklist {
		if !labelStates[c.State] {
			return fmt.Errorf("checklist %s: state %q (want met, not-met, not-observed or n/a)", c.Item, c.State)
		}
		if seen[c.Item] {
			return fmt.Errorf("checklist item %q labelled twice", c.Item)
		}
		seen[c.Item] = true
	}
	for _, j := range s.Findings {
		where := fmt.Sprintf("finding %s %s:%d", j.Code, j.Path, j.Line)
		if !verdicts[j.Verdict] {
			return fmt.Errorf("%s: verdict %q (want true, noise or wrong)", where, j.Verdict)
		}
		if (j.Verdict == "noise") != (j.Noise != "") || (j.Noise != "" && !noiseKinds[j.Noise]) {
			return fmt.Errorf("%s: noise %q (a noise verdict says severity, repeat or not-worth; others say none)", where, j.Noise)
		}
		if j.Defect != "" && !ids[j.Defect] {
			return fmt.Errorf("%s: defect %q not labelled", where, j.Defect)
		}
	}
	return nil
}
