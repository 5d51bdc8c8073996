// Package config reads rubric's configuration: a [tool.rubric] table in
// pyproject.toml or the top level of rubric.toml, found in the nearest
// directory up from the first analysed path (or named with --config). It
// merges the file with command-line flags (CLI over file over defaults)
// and remembers where each value came from, for `rubric config`.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// File is the content of a configuration file; every field is optional.
// Keys are kebab-case, as in ruff.
type File struct {
	Select         []string
	Ignore         []string
	ExtendSelect   []string
	PerFileIgnores map[string][]string
	Exclude        []string
	ExtendExclude  []string
	Severity       map[string]string
	FailOn         *string
	Options        map[string]map[string]any
	Src            []string
	AllowBareNoqa  *bool
	ForeignNoqa    *bool
}

// Keys are the keys a configuration file may hold.
var Keys = []string{"select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude",
	"severity", "fail-on", "options", "src", "allow-bare-noqa", "foreign-noqa"}

// Source says where a configuration file was found.
type Source struct {
	Path  string   // the file
	Dir   string   // its directory: globs and src roots are relative to it
	table []string // ["tool", "rubric"] for pyproject.toml, nil for rubric.toml
	doc   *Document
}

// Line returns the line of a key (dotted, under the rubric table) in the
// file, or of its nearest parent, or 0.
func (s *Source) Line(key string) int {
	return s.lineOf(strings.Split(key, ".")...)
}

func (s *Source) lineOf(path ...string) int {
	if s == nil || s.doc == nil {
		return 0
	}
	return s.doc.Line(append(append([]string{}, s.table...), path...)...)
}

// At formats "path:line" for a key, or the path alone.
func (s *Source) At(key string) string { return s.at(strings.Split(key, ".")...) }

func (s *Source) at(path ...string) string {
	if n := s.lineOf(path...); n > 0 {
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
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		abs = filepath.Dir(abs) // a file, or one not on disk (standard input)
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
	doc, err := ParseTOML(src)
	if err != nil {
		// A broken pyproject.toml that mentions rubric is still ours, so
		// that its error is reported rather than silently skipped.
		return bytes.Contains(src, []byte("[tool.rubric"))
	}
	_, ok := doc.Get("tool", "rubric")
	return ok
}

// Load reads a configuration file. Syntax errors, unknown keys (with a
// suggestion) and values of the wrong type are errors naming their line;
// every such error in the file is reported, one per line.
func Load(path string) (*File, *Source, error) {
	raw, err := safeio.ReadUserFile(path, maxConfigSize)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	abs, _ := filepath.Abs(path)
	src := &Source{Path: path, Dir: filepath.Dir(abs)}
	if filepath.Base(path) == "pyproject.toml" {
		src.table = []string{"tool", "rubric"}
	}
	doc, err := ParseTOML(raw)
	if err != nil {
		var le *LineError
		if errors.As(err, &le) && le.Line > 0 {
			return nil, nil, fmt.Errorf("%s:%d: %s", path, le.Line, le.Msg)
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	src.doc = doc
	d := &decoder{src: src}
	f := &File{}
	top, ok := doc.Get(src.table...)
	if !ok {
		return f, src, nil
	}
	m, ok := top.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s: %s must be a table, not %s", src.at(), DisplayKey(src.table), TypeName(top))
	}
	lists := map[string]*[]string{"select": &f.Select, "ignore": &f.Ignore, "extend-select": &f.ExtendSelect,
		"exclude": &f.Exclude, "extend-exclude": &f.ExtendExclude, "src": &f.Src}
	bools := map[string]**bool{"allow-bare-noqa": &f.AllowBareNoqa, "foreign-noqa": &f.ForeignNoqa}
	for _, k := range sortedKeys(m) {
		v := m[k]
		if dst, ok := lists[k]; ok {
			*dst = d.stringList(v, k)
			continue
		}
		if dst, ok := bools[k]; ok {
			*dst = d.boolean(v, k)
			continue
		}
		switch k {
		case "fail-on":
			f.FailOn = d.str(v, k)
		case "per-file-ignores":
			if t := d.table(v, `a table of glob = ["CODE", ...]`, k); t != nil {
				f.PerFileIgnores = map[string][]string{}
				for _, g := range sortedKeys(t) {
					if codes := d.stringList(t[g], k, g); codes != nil {
						f.PerFileIgnores[g] = codes
					}
				}
			}
		case "severity":
			if t := d.table(v, `a table of CODE = "info", "warning" or "error"`, k); t != nil {
				f.Severity = map[string]string{}
				for _, c := range sortedKeys(t) {
					if sev := d.str(t[c], k, c); sev != nil {
						f.Severity[c] = *sev
					}
				}
			}
		case "options":
			if t := d.table(v, "a table of CODE = { option = value }", k); t != nil {
				f.Options = map[string]map[string]any{}
				for _, c := range sortedKeys(t) {
					if opts := d.table(t[c], "a table of option = value", k, c); opts != nil {
						f.Options[c] = opts
					}
				}
			}
		default:
			d.fail([]string{k}, "unknown key %q%s", k, DidYouMean(k, Keys))
		}
	}
	if len(d.errs) > 0 {
		return nil, nil, errors.New(strings.Join(d.errs, "\n"))
	}
	return f, src, nil
}

// decoder checks the types of a configuration file's values, collecting
// one error per wrong value.
type decoder struct {
	src  *Source
	errs []string
}

func (d *decoder) fail(path []string, format string, args ...any) {
	d.errs = append(d.errs, fmt.Sprintf("%s: %s", d.src.at(path...), fmt.Sprintf(format, args...)))
}

func (d *decoder) wrongType(v any, want string, path []string) {
	d.fail(path, "%s must be %s, not %s", DisplayKey(path), want, TypeName(v))
}

func (d *decoder) stringList(v any, path ...string) []string {
	arr, ok := typed[[]any](d, v, `a list of strings, e.g. ["ERR", "NET001"]`, path)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			d.fail(path, "%s must hold strings only, not %s", DisplayKey(path), TypeName(e))
			return nil
		}
		out = append(out, s)
	}
	return out
}

// typed returns v as a T, or records that it should have been want.
func typed[T any](d *decoder, v any, want string, path []string) (T, bool) {
	x, ok := v.(T)
	if !ok {
		d.wrongType(v, want, path)
	}
	return x, ok
}

func (d *decoder) str(v any, path ...string) *string {
	if s, ok := typed[string](d, v, "a string", path); ok {
		return &s
	}
	return nil
}

func (d *decoder) boolean(v any, path ...string) *bool {
	if b, ok := typed[bool](d, v, "true or false", path); ok {
		return &b
	}
	return nil
}

func (d *decoder) table(v any, want string, path ...string) map[string]any {
	t, _ := typed[map[string]any](d, v, want, path)
	return t
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
	ForeignNoqa   *bool
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
	// ForeignNoqa honours other tools' codes for the same findings
	// (`# noqa: E722`, `# pylint: disable=bare-except`, `# nosec B113`).
	ForeignNoqa bool

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
	fail := func(key []string, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s", src.at(key...), fmt.Sprintf(format, args...)))
	}
	var known []string
	for _, r := range rules {
		known = append(known, r.Code, r.Name)
	}
	checkSelectors := func(key []string, list []string) {
		for _, s := range list {
			if !analyzer.KnownSelector(rules, strings.TrimSpace(s)) {
				fail(key, "unknown rule or prefix %q in %s%s (see `rubric rules`)", s, DisplayKey(key), DidYouMean(s, known))
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
		checkSelectors([]string{"select"}, f.Select)
		checkSelectors([]string{"ignore"}, f.Ignore)
		checkSelectors([]string{"extend-select"}, f.ExtendSelect)
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
			fail([]string{"exclude"}, "invalid glob %q", g)
		}
	}

	e.Origin["per-file-ignores"] = "default"
	if len(f.PerFileIgnores) > 0 {
		e.Origin["per-file-ignores"] = src.At("per-file-ignores")
	}
	for glob, codes := range f.PerFileIgnores {
		if !doublestar.ValidatePattern(glob) {
			fail([]string{"per-file-ignores", glob}, "invalid glob %q", glob)
		}
		checkSelectors([]string{"per-file-ignores", glob}, codes)
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
			fail([]string{"severity", code}, "unknown rule %q in severity%s", code, DidYouMean(code, known))
			continue
		}
		sev, err := analyzer.ParseSeverity(name)
		if err != nil || sev == 0 {
			fail([]string{"severity", code}, "severity of %s must be info, warning or error, not %q", code, name)
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
		fail([]string{"fail-on"}, "%v", err)
	}
	e.FailOn = sev

	e.Origin["allow-bare-noqa"] = "default"
	if f.AllowBareNoqa != nil && src != nil {
		e.AllowBareNoqa, e.Origin["allow-bare-noqa"] = *f.AllowBareNoqa, src.At("allow-bare-noqa")
	}
	if fl.AllowBareNoqa != nil {
		e.AllowBareNoqa, e.Origin["allow-bare-noqa"] = *fl.AllowBareNoqa, "--allow-bare-noqa"
	}

	e.ForeignNoqa = true
	e.Origin["foreign-noqa"] = "default"
	if f.ForeignNoqa != nil && src != nil {
		e.ForeignNoqa, e.Origin["foreign-noqa"] = *f.ForeignNoqa, src.At("foreign-noqa")
	}
	if fl.ForeignNoqa != nil {
		e.ForeignNoqa, e.Origin["foreign-noqa"] = *fl.ForeignNoqa, "--no-foreign-noqa"
	}

	e.Origin["options"] = "default"
	if len(f.Options) > 0 {
		e.Origin["options"] = src.At("options")
	}
	for code, opts := range f.Options {
		r := byCode(rules, code)
		if r == nil {
			fail([]string{"options", code}, "unknown rule %q in options%s", code, DidYouMean(code, known))
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
				fail([]string{"options", code, name}, "rule %s has no option %q (%s)", r.Code, name, hint)
				continue
			}
			if !sameKind(o.Default, v) {
				fail([]string{"options", code, name}, "option %s.%s wants a value like %v, not %v", r.Code, o.Name, o.Default, v)
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

// Rules applies select, ignore and extend-select to the registry. The
// syntax-error rule (SYN001) always runs unless ignored by name: a
// selection never hides that a file could not be parsed.
func (e *Effective) Rules(all []*analyzer.Rule) []*analyzer.Rule {
	rules := analyzer.Select(all, e.Select, e.Ignore)
	have := map[string]bool{}
	for _, r := range rules {
		have[r.Code] = true
	}
	if !have[analyzer.SyntaxError.Code] && !ignoredByName(e.Ignore, analyzer.SyntaxError) {
		for _, r := range all {
			if r == analyzer.SyntaxError {
				rules = append(rules, r)
				have[r.Code] = true
			}
		}
	}
	if len(e.ExtendSelect) == 0 {
		return keepRegistryOrder(all, have)
	}
	for _, r := range analyzer.Select(all, e.ExtendSelect, e.Ignore) {
		if !have[r.Code] {
			rules = append(rules, r)
			have[r.Code] = true
		}
	}
	return keepRegistryOrder(all, have)
}

// ignoredByName reports whether an ignore list names the rule itself (its
// code or name), not only its family.
func ignoredByName(ignore []string, r *analyzer.Rule) bool {
	for _, s := range ignore {
		s = strings.TrimSpace(s)
		if strings.EqualFold(s, r.Code) || s == r.Name {
			return true
		}
	}
	return false
}

func keepRegistryOrder(all []*analyzer.Rule, have map[string]bool) []*analyzer.Rule {
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
