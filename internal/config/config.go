// Package config reads rubric's configuration: a [tool.rubric] table in
// pyproject.toml or the top level of rubric.toml, found in the nearest
// directory up from the first analysed path (or named with --config). It
// merges the file with command-line flags (CLI over file over defaults)
// and remembers where each value came from, for `rubric config`.
package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/bmatcuk/doublestar/v4"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// File is the content of a configuration file; every field is optional.
// Keys are kebab-case, as in ruff.
type File struct {
	Select         []string                  `toml:"select"`
	Ignore         []string                  `toml:"ignore"`
	ExtendSelect   []string                  `toml:"extend-select"`
	PerFileIgnores map[string][]string       `toml:"per-file-ignores"`
	Exclude        []string                  `toml:"exclude"`
	ExtendExclude  []string                  `toml:"extend-exclude"`
	Severity       map[string]string         `toml:"severity"`
	FailOn         *string                   `toml:"fail-on"`
	Options        map[string]map[string]any `toml:"options"`
	Src            []string                  `toml:"src"`
	AllowBareNoqa  *bool                     `toml:"allow-bare-noqa"`
}

// Source says where a configuration file was found.
type Source struct {
	Path  string // the file
	Dir   string // its directory: globs and src roots are relative to it
	table string // "tool.rubric" for pyproject.toml, "" for rubric.toml
	lines map[string]int
}

// Line returns the line of a key (dotted, under the rubric table) in the
// file, or 0.
func (s *Source) Line(key string) int {
	if s == nil {
		return 0
	}
	return s.lines[key]
}

// At formats "path:line" for a key, or the path alone.
func (s *Source) At(key string) string {
	if n := s.Line(key); n > 0 {
		return fmt.Sprintf("%s:%d", s.Path, n)
	}
	return s.Path
}

// Names of configuration files, in order of preference within a directory.
var Names = []string{"rubric.toml", "pyproject.toml"}

// Find returns the configuration file governing start (a file or a
// directory): the nearest rubric.toml, or pyproject.toml with a
// [tool.rubric] table, in start's directory or above. It returns "" when
// there is none.
func Find(start string) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if p := filepath.Join(dir, "rubric.toml"); isFile(p) {
			return p, nil
		}
		if p := filepath.Join(dir, "pyproject.toml"); isFile(p) {
			if src, err := safeio.ReadUserFile(p, maxConfigSize); err == nil && hasRubricTable(src) {
				return p, nil
			}
		}
		if filepath.Dir(dir) == dir {
			return "", nil
		}
	}
}

// maxConfigSize caps the read of a configuration file: a pyproject.toml
// found in an analysed tree is not trusted to be small (or a file at all).
const maxConfigSize = 4 << 20

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func hasRubricTable(src []byte) bool {
	var probe struct {
		Tool map[string]toml.Primitive `toml:"tool"`
	}
	if _, err := toml.Decode(string(src), &probe); err != nil {
		// A broken pyproject.toml that mentions rubric is still ours, so
		// that its error is reported rather than silently skipped.
		return bytes.Contains(src, []byte("[tool.rubric"))
	}
	_, ok := probe.Tool["rubric"]
	return ok
}

// Load reads a configuration file. Unknown keys are errors naming their
// line; so are values of the wrong type.
func Load(path string) (*File, *Source, error) {
	raw, err := safeio.ReadUserFile(path, maxConfigSize)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	abs, _ := filepath.Abs(path)
	src := &Source{Path: path, Dir: filepath.Dir(abs)}
	if filepath.Base(path) == "pyproject.toml" {
		src.table = "tool.rubric"
	}
	src.lines = keyLines(raw, src.table)
	f := &File{}
	var md toml.MetaData
	if src.table != "" {
		var doc struct {
			Tool struct {
				Rubric *File `toml:"rubric"`
			} `toml:"tool"`
		}
		doc.Tool.Rubric = f
		md, err = toml.Decode(string(raw), &doc)
	} else {
		md, err = toml.Decode(string(raw), f)
	}
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, nil, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		// Type mismatches come back as plain errors that name the line.
		if m := tomlLineRe.FindStringSubmatch(err.Error()); m != nil {
			key := strings.TrimPrefix(strings.TrimPrefix(m[2], src.table), ".")
			return nil, nil, fmt.Errorf("%s:%s: %s: %s", path, m[1], key, m[3])
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var errs []string
	for _, k := range md.Undecoded() {
		ks := k.String()
		if src.table != "" {
			if !strings.HasPrefix(ks, src.table+".") {
				continue // other tools' tables
			}
			ks = strings.TrimPrefix(ks, src.table+".")
		}
		// Option values are decoded as a whole map; their keys are checked
		// against the rules in Validate.
		if strings.HasPrefix(ks, "options.") {
			continue
		}
		errs = append(errs, fmt.Sprintf("%s: unknown key %q", src.At(ks), ks))
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, nil, errors.New(strings.Join(errs, "\n"))
	}
	return f, src, nil
}

var tomlLineRe = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)

// keyLines maps each key (dotted, relative to table) to the line where it
// is defined, with a small line scanner: table headers and `key = value`
// lines (bare, quoted or dotted keys), which is what configuration files
// hold. Keys inside multi-line arrays or inline tables are not seen; they
// fall back to their table's line.
func keyLines(src []byte, table string) map[string]int {
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	current := ""
	depth := 0 // open brackets of a multi-line value
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if depth > 0 {
			depth += strings.Count(line, "[") + strings.Count(line, "{") - strings.Count(line, "]") - strings.Count(line, "}")
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			h := strings.Trim(strings.SplitN(line, "#", 2)[0], "[] \t")
			current = strings.Join(splitKey(h), ".")
			if _, seen := out[current]; !seen {
				out[current] = n
			}
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			continue
		}
		key := strings.Join(splitKey(line[:eq]), ".")
		full := key
		if current != "" {
			full = current + "." + key
		}
		if _, seen := out[full]; !seen {
			out[full] = n
		}
		val := line[eq+1:]
		depth = strings.Count(val, "[") + strings.Count(val, "{") - strings.Count(val, "]") - strings.Count(val, "}")
		if depth < 0 {
			depth = 0
		}
		if strings.HasPrefix(strings.TrimSpace(val), "{") {
			// Inline table: record its keys on this line.
			body := strings.Trim(strings.TrimSpace(val), "{} ")
			for _, part := range strings.Split(body, ",") {
				if i := strings.IndexByte(part, '='); i > 0 {
					k := strings.Join(splitKey(part[:i]), ".")
					if _, seen := out[full+"."+k]; !seen {
						out[full+"."+k] = n
					}
				}
			}
		}
	}
	rel := map[string]int{}
	for k, v := range out {
		switch {
		case table == "":
			rel[k] = v
		case k == table:
			rel[""] = v
		case strings.HasPrefix(k, table+"."):
			rel[strings.TrimPrefix(k, table+".")] = v
		}
	}
	return rel
}

// splitKey splits a dotted TOML key, unquoting quoted parts.
func splitKey(s string) []string {
	var parts []string
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(b.String()))
			b.Reset()
		case c == ' ' || c == '\t':
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, strings.TrimSpace(b.String()))
}

// Flags are the command-line values that take part in the merge; a nil
// slice or pointer means "not given".
type Flags struct {
	Select        []string
	Ignore        []string
	ExtendSelect  []string
	Exclude       []string
	ExtendExclude []string
	FailOn        *string
	AllowBareNoqa *bool
}

// Effective is the merged configuration of a run.
type Effective struct {
	Select         []string
	Ignore         []string
	ExtendSelect   []string
	PerFileIgnores map[string][]string // glob -> codes
	Exclude        []string
	ExtendExclude  []string
	Severity       map[string]analyzer.Severity
	FailOn         analyzer.Severity
	FailOnName     string
	Options        map[string]map[string]any
	Src            []string // absolute directories
	AllowBareNoqa  bool

	// Dir is the directory globs are relative to (the configuration
	// file's, or the working directory without one).
	Dir string
	// Source is the configuration file, nil without one.
	Source *Source
	// Origin says where each top-level value came from: "default",
	// "--flag" or "path:line".
	Origin map[string]string
}

// DefaultFailOn is the lowest severity that fails a run by default.
const DefaultFailOn = "warning"

// Merge combines defaults, the file (may be nil) and the flags, and
// validates codes, severities and options against the rules. workDir is
// the directory relative globs fall back to without a file.
func Merge(f *File, src *Source, fl Flags, rules []*analyzer.Rule, workDir string) (*Effective, error) {
	if f == nil {
		f = &File{}
	}
	e := &Effective{Origin: map[string]string{}, Source: src, Dir: workDir,
		PerFileIgnores: map[string][]string{}, Severity: map[string]analyzer.Severity{}, Options: map[string]map[string]any{}}
	if src != nil {
		e.Dir = src.Dir
	}
	var errs []string
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s", src.At(key), fmt.Sprintf(format, args...)))
	}
	checkSelectors := func(key string, list []string) {
		for _, s := range list {
			if !analyzer.KnownSelector(rules, strings.TrimSpace(s)) {
				fail(key, "unknown rule or prefix %q in %s (see `rubric rules`)", s, key)
			}
		}
	}
	pickList := func(key string, flag, file []string, flagName string) []string {
		switch {
		case flag != nil:
			e.Origin[key] = flagName
			return flag
		case file != nil && src != nil:
			e.Origin[key] = src.At(key)
			return file
		}
		e.Origin[key] = "default"
		return nil
	}
	if src != nil {
		checkSelectors("select", f.Select)
		checkSelectors("ignore", f.Ignore)
		checkSelectors("extend-select", f.ExtendSelect)
	}
	e.Select = pickList("select", fl.Select, f.Select, "--select")
	e.Ignore = pickList("ignore", fl.Ignore, f.Ignore, "--ignore")
	e.ExtendSelect = append(append([]string{}, f.ExtendSelect...), fl.ExtendSelect...)
	e.Origin["extend-select"] = originOfUnion(src, "extend-select", f.ExtendSelect != nil, fl.ExtendSelect != nil, "--extend-select")
	e.Exclude = pickList("exclude", fl.Exclude, f.Exclude, "--exclude")
	e.ExtendExclude = append(append([]string{}, f.ExtendExclude...), fl.ExtendExclude...)
	e.Origin["extend-exclude"] = originOfUnion(src, "extend-exclude", f.ExtendExclude != nil, fl.ExtendExclude != nil, "--extend-exclude")
	for _, g := range append(append([]string{}, e.Exclude...), e.ExtendExclude...) {
		if !doublestar.ValidatePattern(g) {
			fail("exclude", "invalid glob %q", g)
		}
	}

	e.Origin["per-file-ignores"] = "default"
	if len(f.PerFileIgnores) > 0 {
		e.Origin["per-file-ignores"] = src.At("per-file-ignores")
	}
	for glob, codes := range f.PerFileIgnores {
		if !doublestar.ValidatePattern(glob) {
			fail("per-file-ignores."+glob, "invalid glob %q", glob)
		}
		checkSelectors("per-file-ignores."+glob, codes)
		var resolved []string
		for _, c := range codes {
			if r := byCode(rules, c); r != nil {
				c = r.Code // a rule name
			}
			resolved = append(resolved, c)
		}
		e.PerFileIgnores[glob] = resolved
	}

	e.Origin["severity"] = "default"
	if len(f.Severity) > 0 {
		e.Origin["severity"] = src.At("severity")
	}
	for code, name := range f.Severity {
		r := byCode(rules, code)
		if r == nil {
			fail("severity."+code, "unknown rule %q in severity", code)
			continue
		}
		sev, err := analyzer.ParseSeverity(name)
		if err != nil || sev == 0 {
			fail("severity."+code, "severity of %s must be info, warning or error, not %q", code, name)
			continue
		}
		e.Severity[r.Code] = sev
	}

	e.FailOnName = DefaultFailOn
	e.Origin["fail-on"] = "default"
	if f.FailOn != nil && src != nil {
		e.FailOnName, e.Origin["fail-on"] = *f.FailOn, src.At("fail-on")
	}
	if fl.FailOn != nil {
		e.FailOnName, e.Origin["fail-on"] = *fl.FailOn, "--fail-on"
	}
	sev, err := analyzer.ParseSeverity(e.FailOnName)
	if err != nil {
		if e.Origin["fail-on"] == "--fail-on" {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
		fail("fail-on", "%v", err)
	}
	e.FailOn = sev

	e.Origin["allow-bare-noqa"] = "default"
	if f.AllowBareNoqa != nil && src != nil {
		e.AllowBareNoqa, e.Origin["allow-bare-noqa"] = *f.AllowBareNoqa, src.At("allow-bare-noqa")
	}
	if fl.AllowBareNoqa != nil {
		e.AllowBareNoqa, e.Origin["allow-bare-noqa"] = *fl.AllowBareNoqa, "--allow-bare-noqa"
	}

	e.Origin["options"] = "default"
	if len(f.Options) > 0 {
		e.Origin["options"] = src.At("options")
	}
	for code, opts := range f.Options {
		r := byCode(rules, code)
		if r == nil {
			fail("options."+code, "unknown rule %q in options", code)
			continue
		}
		for name, v := range opts {
			o := findOption(r, name)
			if o == nil {
				var known []string
				for _, o := range r.Options {
					known = append(known, o.Name)
				}
				hint := "it has no options"
				if len(known) > 0 {
					hint = "its options are " + strings.Join(known, ", ")
				}
				fail("options."+code+"."+name, "rule %s has no option %q (%s)", r.Code, name, hint)
				continue
			}
			if !sameKind(o.Default, v) {
				fail("options."+code+"."+name, "option %s.%s wants a value like %v, not %v", r.Code, o.Name, o.Default, v)
				continue
			}
			if e.Options[r.Code] == nil {
				e.Options[r.Code] = map[string]any{}
			}
			e.Options[r.Code][o.Name] = normalise(v)
		}
	}

	e.Origin["src"] = "default"
	if len(f.Src) > 0 {
		e.Origin["src"] = src.At("src")
	}
	for _, s := range f.Src {
		if !filepath.IsAbs(s) {
			s = filepath.Join(e.Dir, filepath.FromSlash(s))
		}
		e.Src = append(e.Src, filepath.Clean(s))
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return e, nil
}

func originOfUnion(src *Source, key string, inFile, inFlag bool, flag string) string {
	var parts []string
	if inFile && src != nil {
		parts = append(parts, src.At(key))
	}
	if inFlag {
		parts = append(parts, flag)
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, " + ")
}

func byCode(rules []*analyzer.Rule, code string) *analyzer.Rule {
	for _, r := range rules {
		if strings.EqualFold(r.Code, code) || r.Name == code {
			return r
		}
	}
	return nil
}

// findOption matches option names with '-' and '_' treated alike, so
// `max-migrations` configures an option declared as max_migrations.
func findOption(r *analyzer.Rule, name string) *analyzer.Option {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	for i := range r.Options {
		if norm(r.Options[i].Name) == norm(name) {
			return &r.Options[i]
		}
	}
	return nil
}

func sameKind(def, v any) bool {
	switch def.(type) {
	case int, int64:
		_, ok := v.(int64)
		return ok
	case float64:
		switch v.(type) {
		case int64, float64:
			return true
		}
		return false
	case string:
		_, ok := v.(string)
		return ok
	case bool:
		_, ok := v.(bool)
		return ok
	case []string:
		_, ok := v.([]any)
		return ok
	}
	return true
}

// normalise turns TOML values into the types rules read: int64 -> int,
// arrays of strings -> []string.
func normalise(v any) any {
	switch x := v.(type) {
	case int64:
		return int(x)
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return v
}

// Rules applies select, ignore and extend-select to the registry.
func (e *Effective) Rules(all []*analyzer.Rule) []*analyzer.Rule {
	rules := analyzer.Select(all, e.Select, e.Ignore)
	if len(e.ExtendSelect) == 0 {
		return rules
	}
	have := map[string]bool{}
	for _, r := range rules {
		have[r.Code] = true
	}
	for _, r := range analyzer.Select(all, e.ExtendSelect, e.Ignore) {
		if !have[r.Code] {
			rules = append(rules, r)
			have[r.Code] = true
		}
	}
	// Keep registry order.
	var out []*analyzer.Rule
	for _, r := range all {
		if have[r.Code] {
			out = append(out, r)
		}
	}
	return out
}

// relToDir turns a display path (relative to workDir) into a '/'-path
// relative to the configuration directory.
func (e *Effective) relToDir(workDir, rel string) string {
	p := rel
	if !filepath.IsAbs(p) {
		p = filepath.Join(workDir, filepath.FromSlash(rel))
	}
	r, err := filepath.Rel(e.Dir, p)
	if err != nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(r)
}

// globMatch matches a gitignore-like glob: one without '/' matches any
// path component sequence ending in a matching name; "dir/" or "dir/**"
// also matches the directory itself.
func globMatch(glob, rel string) bool {
	glob = strings.TrimPrefix(glob, "./")
	glob = strings.TrimSuffix(glob, "/")
	if !strings.Contains(glob, "/") {
		glob = "**/" + glob
	}
	if ok, _ := doublestar.Match(glob, rel); ok {
		return true
	}
	ok, _ := doublestar.Match(glob+"/**", rel)
	return ok
}

// ExcludeFunc returns the walk filter for exclude and extend-exclude, or
// nil when there are none.
func (e *Effective) ExcludeFunc(workDir string) func(rel string, dir bool) bool {
	globs := append(append([]string{}, e.Exclude...), e.ExtendExclude...)
	if len(globs) == 0 {
		return nil
	}
	return func(rel string, _ bool) bool {
		r := e.relToDir(workDir, rel)
		for _, g := range globs {
			if globMatch(g, r) {
				return true
			}
		}
		return false
	}
}

// IgnoredInFile reports whether per-file-ignores silence code in the file
// at display path rel.
func (e *Effective) IgnoredInFile(workDir, rel, code string) bool {
	if len(e.PerFileIgnores) == 0 {
		return false
	}
	r := e.relToDir(workDir, rel)
	for glob, codes := range e.PerFileIgnores {
		if !globMatch(glob, r) {
			continue
		}
		for _, c := range codes {
			c = strings.ToUpper(strings.TrimSpace(c))
			if c == "ALL" || c == code || strings.HasPrefix(code, c) {
				return true
			}
		}
	}
	return false
}
