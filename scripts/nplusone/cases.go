package main

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/BurntSushi/toml"
)

// Kinds are the shapes a labelled N+1 takes; a case may have several.
var Kinds = []string{
	"plain-loop",      // a for statement over a queryset, the access in its body
	"cross-function",  // the access sits in a called function, method, property or save override
	"parameter-typed", // the loop is over a parameter or a value whose model is known only from callers
	"implicit-loop",   // comprehension, generator, sorted/map/groupby with a lambda
	"admin",           // a ModelAdmin list_display entry
	"serializer",      // nested many=True serializer or SerializerMethodField
	"count-per-item",  // a .count()/.filter()/.exists() per item of a loop
	"template",        // the access is only in a Django template
}

// Range is a file and an inclusive 1-based line range in one commit's tree.
type Range struct {
	File  string `toml:"file" json:"file"`
	Lines [2]int `toml:"lines" json:"lines"`
}

// Overlaps reports whether lines [a, b] of path intersect r.
func (r Range) Overlaps(path string, a, b int) bool {
	if b < a {
		b = a
	}
	return path == r.File && a <= r.Lines[1] && b >= r.Lines[0]
}

func (r Range) String() string {
	if r.Lines[0] == r.Lines[1] {
		return fmt.Sprintf("%s:%d", r.File, r.Lines[0])
	}
	return fmt.Sprintf("%s:%d-%d", r.File, r.Lines[0], r.Lines[1])
}

// Case is one real N+1 fixed in a project's history: Parent has the per-row
// Access inside Loop, Fix is the commit that added Relation to the queryset.
type Case struct {
	ID          string   `toml:"id"`
	Repo        string   `toml:"repo"`
	Fix         string   `toml:"fix"`
	Parent      string   `toml:"parent"`
	Kind        []string `toml:"kind"`
	Relation    string   `toml:"relation"`
	Description string   `toml:"description"`
	Access      Range    `toml:"access"`
	Loop        Range    `toml:"loop"`
	FixedAccess Range    `toml:"fixed_access"`
}

// Clean is a loop that runs no per-row query: a finding on it is a false alarm.
type Clean struct {
	ID     string `toml:"id"`
	Repo   string `toml:"repo"`
	Commit string `toml:"commit"`
	Why    string `toml:"why"`
	Range
}

// Corpus is the whole case file.
type Corpus struct {
	Cases []Case  `toml:"case"`
	Clean []Clean `toml:"clean"`
}

var (
	commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
	repoRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// LoadCorpus reads and validates a case file.
func LoadCorpus(path string) (*Corpus, error) {
	var c Corpus
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown keys %v", path, und)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Validate checks ids are unique and every field is well formed, so that a
// typo in the corpus fails loudly instead of counting as a miss.
func (c *Corpus) Validate() error {
	kinds := map[string]bool{}
	for _, k := range Kinds {
		kinds[k] = true
	}
	seen := map[string]bool{}
	checkID := func(id string) error {
		if id == "" {
			return fmt.Errorf("a case has no id")
		}
		if seen[id] {
			return fmt.Errorf("duplicate id %q", id)
		}
		seen[id] = true
		return nil
	}
	checkRange := func(id, what string, r Range) error {
		if r.File == "" || r.Lines[0] < 1 || r.Lines[1] < r.Lines[0] {
			return fmt.Errorf("%s: bad %s range %v", id, what, r)
		}
		return nil
	}
	for _, k := range c.Cases {
		if err := checkID(k.ID); err != nil {
			return err
		}
		if !repoRE.MatchString(k.Repo) || !commitRE.MatchString(k.Fix) || !commitRE.MatchString(k.Parent) {
			return fmt.Errorf("%s: repo must be owner/name and commits 40 hex digits", k.ID)
		}
		if len(k.Kind) == 0 || k.Relation == "" || k.Description == "" {
			return fmt.Errorf("%s: kind, relation and description are required", k.ID)
		}
		for _, kd := range k.Kind {
			if !kinds[kd] {
				return fmt.Errorf("%s: unknown kind %q", k.ID, kd)
			}
		}
		for what, r := range map[string]Range{"access": k.Access, "loop": k.Loop, "fixed_access": k.FixedAccess} {
			if err := checkRange(k.ID, what, r); err != nil {
				return err
			}
		}
	}
	for _, k := range c.Clean {
		if err := checkID(k.ID); err != nil {
			return err
		}
		if !repoRE.MatchString(k.Repo) || !commitRE.MatchString(k.Commit) {
			return fmt.Errorf("%s: repo must be owner/name and commit 40 hex digits", k.ID)
		}
		if k.Why == "" {
			return fmt.Errorf("%s: why is required", k.ID)
		}
		if err := checkRange(k.ID, "clean", k.Range); err != nil {
			return err
		}
	}
	return nil
}

// Filter keeps the cases and clean loops whose id matches re.
func (c *Corpus) Filter(re *regexp.Regexp) {
	var ks []Case
	for _, k := range c.Cases {
		if re.MatchString(k.ID) {
			ks = append(ks, k)
		}
	}
	var cs []Clean
	for _, k := range c.Clean {
		if re.MatchString(k.ID) {
			cs = append(cs, k)
		}
	}
	c.Cases, c.Clean = ks, cs
}

// Tree is one commit of one repository to analyse.
type Tree struct{ Repo, Commit string }

// Trees lists every commit the corpus needs, sorted, each once, so that the
// cases sharing a commit share one extraction and one rubric run.
func (c *Corpus) Trees() []Tree {
	set := map[Tree]bool{}
	for _, k := range c.Cases {
		set[Tree{k.Repo, k.Parent}] = true
		set[Tree{k.Repo, k.Fix}] = true
	}
	for _, k := range c.Clean {
		set[Tree{k.Repo, k.Commit}] = true
	}
	out := make([]Tree, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Repo != out[j].Repo {
			return out[i].Repo < out[j].Repo
		}
		return out[i].Commit < out[j].Commit
	})
	return out
}
