// Package analyzertest checks rules against annotated fixtures, in the
// spirit of x/tools' analysistest.
//
// A fixture line that must be reported carries a comment
//
//	code()  # want: ERR001 "regexp on the message"
//
// (several CODE "re" pairs may follow one "want:"; the regexp is optional;
// "# want+1:" targets the next line). The harness runs the whole pipeline
// (walk, index, rules, suppressions) and fails on every unexpected
// diagnostic and every unmatched or malformed want. Only real comment nodes
// are read, so a "# want" inside a string is not an expectation.
package analyzertest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

type want struct {
	path string
	line int
	code string
	re   *regexp.Regexp
	raw  string
	hit  bool
}

var (
	wantRe  = regexp.MustCompile(`#\s*want(\+\d+)?:\s*(.*)$`)
	entryRe = regexp.MustCompile(`^\s*([A-Z]{3}\d{3})(?:\s+"((?:[^"\\]|\\.)*)")?`)
)

// Run analyses paths (relative to dir) with rules plus the built-in rules
// and checks the wants of every analysed file. It returns the result for
// further assertions.
func Run(t testing.TB, dir string, rules []*analyzer.Rule, paths ...string) *analyzer.Result {
	t.Helper()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var full []string
	for _, p := range paths {
		full = append(full, filepath.Join(abs, p))
	}
	all := append(append([]*analyzer.Rule{}, analyzer.BuiltinRules()...), rules...)
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: all, WorkDir: abs, Jobs: 2}, full)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	Check(t, res)
	return res
}

// RunTxtar extracts a txtar archive into a temporary directory, runs the
// rules over it and checks its wants. Files named "X.golden" in the archive
// are not analysed; instead X with the first fix of each diagnostic applied
// must equal them.
func RunTxtar(t testing.TB, archive string, rules []*analyzer.Rule) *analyzer.Result {
	t.Helper()
	dir, goldens := Extract(t, archive)
	res := Run(t, dir, rules)
	for name, golden := range goldens {
		f := res.Files[name]
		if f == nil {
			t.Errorf("%s: golden for %s, which was not analysed", archive, name)
			continue
		}
		var edits []analyzer.TextEdit
		// A fix may edit another file than its diagnostic's (the queryset's
		// origin in a caller): every edit landing in this file counts.
		for _, d := range res.Diagnostics {
			if len(d.Fixes) == 0 {
				continue
			}
			for _, e := range d.Fixes[0].Edits {
				if e.Path == name || e.Path == "" && d.Path == name {
					edits = append(edits, e)
				}
			}
		}
		got, err := analyzer.ApplyEdits(f.Src(), edits)
		if err != nil {
			t.Errorf("%s: applying fixes to %s: %v", archive, name, err)
			continue
		}
		if string(got) != string(golden) {
			t.Errorf("%s: %s after fixes differs from golden:\n--- got ---\n%s\n--- want ---\n%s", archive, name, got, golden)
		}
	}
	return res
}

// RunTxtarFromParent extracts a txtar archive and analyses it twice: from
// its own directory, and from the directory above as `rubric check proj`
// does, where display paths hold the way from the working directory to
// the analysed root (`proj/shop/views.py`) and root-relative names
// (`shop/views.py`, module names) do not. Both runs must find the same
// findings at the same places (messages may name display paths).
func RunTxtarFromParent(t testing.TB, archive string, rules []*analyzer.Rule) {
	t.Helper()
	dir, _ := Extract(t, archive)
	all := append(append([]*analyzer.Rule{}, analyzer.BuiltinRules()...), rules...)
	places := func(workDir, path, prefix string) map[string]int {
		res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: all, WorkDir: workDir, Jobs: 2}, []string{path})
		if err != nil {
			t.Fatalf("%s: run: %v", archive, err)
		}
		out := map[string]int{}
		for _, d := range res.Diagnostics {
			out[fmt.Sprintf("%s %s:%d-%d", d.Code, strings.TrimPrefix(d.Path, prefix), d.Start, d.End)]++
		}
		return out
	}
	inside := places(dir, dir, "")
	above := places(filepath.Dir(dir), dir, filepath.Base(dir)+"/")
	for k, n := range inside {
		if above[k] != n {
			t.Errorf("%s: %s found %d times from its own directory, %d times from the one above", archive, k, n, above[k])
		}
	}
	for k, n := range above {
		if _, ok := inside[k]; !ok {
			t.Errorf("%s: %s found %d times from the directory above only", archive, k, n)
		}
	}
}

// Extract writes the members of a txtar archive into a temporary
// directory and returns it, with the "X.golden" members (not written) by X.
func Extract(t testing.TB, archive string) (dir string, goldens map[string][]byte) {
	t.Helper()
	ar, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatalf("%s: %v", archive, err)
	}
	dir = t.TempDir()
	goldens = map[string][]byte{}
	for _, f := range ar.Files {
		if strings.HasSuffix(f.Name, ".golden") {
			goldens[strings.TrimSuffix(f.Name, ".golden")] = f.Data
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, goldens
}

// Check compares a result's diagnostics with the wants in its files.
func Check(t testing.TB, res *analyzer.Result) {
	t.Helper()
	var wants []*want
	var problems []string
	for _, u := range res.Index.Units {
		for _, c := range pyast.Comments(u.Tree) {
			m := wantRe.FindStringSubmatch(c.Text())
			if m == nil {
				continue
			}
			line := u.File.Position(c.StartByte()).Line
			if m[1] != "" {
				n, _ := strconv.Atoi(m[1][1:])
				line += n
			}
			rest := m[2]
			if strings.TrimSpace(rest) == "" {
				problems = append(problems, fmt.Sprintf("%s:%d: malformed want: no code", u.File.Rel, line))
			}
			for strings.TrimSpace(rest) != "" {
				e := entryRe.FindStringSubmatch(rest)
				if e == nil {
					problems = append(problems, fmt.Sprintf("%s:%d: malformed want %q", u.File.Rel, line, rest))
					break
				}
				w := &want{path: u.File.Rel, line: line, code: e[1], raw: e[2]}
				if e[2] != "" {
					re, err := regexp.Compile(strings.ReplaceAll(e[2], `\"`, `"`))
					if err != nil {
						problems = append(problems, fmt.Sprintf("%s:%d: bad regexp %q: %v", u.File.Rel, line, e[2], err))
						break
					}
					w.re = re
				}
				known := false
				for _, r := range res.Rules {
					if r.Code == w.code {
						known = true
					}
				}
				if !known {
					problems = append(problems, fmt.Sprintf("%s:%d: want names %s, which is not among the rules under test", u.File.Rel, line, w.code))
				}
				wants = append(wants, w)
				rest = rest[len(e[0]):]
			}
		}
	}
	// Dotenv files, local artefacts and serving files carry their wants in
	// `#` comments too (a rule may report on them: SEC024, ARC008, ARC009).
	ws, ps := outsideWants(res)
	wants, problems = append(wants, ws...), append(problems, ps...)
	problems = append(problems, displayPathProblems(res)...)
	for _, d := range res.Diagnostics {
		matched := false
		for _, w := range wants {
			if w.hit || w.path != d.Path || w.line != d.Pos.Line || w.code != d.Code {
				continue
			}
			if w.re != nil && !w.re.MatchString(d.Message) {
				continue
			}
			w.hit = true
			matched = true
			break
		}
		if !matched {
			problems = append(problems, fmt.Sprintf("%s:%d:%d: unexpected diagnostic %s %q", d.Path, d.Pos.Line, d.Pos.Column, d.Code, d.Message))
		}
	}
	for _, w := range wants {
		if !w.hit {
			msg := fmt.Sprintf("%s:%d: expected %s", w.path, w.line, w.code)
			if w.raw != "" {
				msg += fmt.Sprintf(" matching %q", w.raw)
			}
			problems = append(problems, msg+", got none")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// displayPathProblems checks that every diagnostic, related location and
// fix edit names its file by display path (Input.Rel: the path printers
// show and position lookups key on), never by the path it was opened by:
// the harness opens files by absolute path, as `rubric check /abs/dir`
// does, so a rule that reports at File.Path prints an absolute path beside
// relative ones, and its related locations resolve to line 0.
func displayPathProblems(res *analyzer.Result) (problems []string) {
	check := func(d analyzer.Diagnostic, what, p string, pos source.Position, spans bool) {
		switch {
		case filepath.IsAbs(filepath.FromSlash(p)):
			problems = append(problems, fmt.Sprintf("%s:%d: %s %s names %s by the path it was opened by, not its display path", d.Path, d.Pos.Line, d.Code, what, p))
		case spans && strings.HasSuffix(p, ".py") && res.Files[p] != nil && pos.Line == 0:
			problems = append(problems, fmt.Sprintf("%s:%d: %s %s in %s has no position", d.Path, d.Pos.Line, d.Code, what, p))
		}
	}
	for _, d := range res.Diagnostics {
		check(d, "finding", d.Path, d.Pos, d.End > 0)
		for _, r := range d.Related {
			check(d, "related location", r.Path, r.Pos, r.End > 0)
		}
		for _, f := range d.Fixes {
			for _, e := range f.Edits {
				check(d, "fix edit", e.Path, e.Pos, e.End > 0)
			}
		}
	}
	return problems
}

// outsideWants reads the wants of the dotenv files of the analysed tree
// (project.IsDotenvName), of its local artefacts (project.IsArtefactFile,
// whose text a fixture makes up) and of the files serving commands are
// read from (project.IsServeFile) and of its dependency files
// (project.IsDepFile): a `# want: CODE "re"` comment line, or a
// trailing ` # want: ...` after a value; `# want+N:` targets N lines down.
func outsideWants(res *analyzer.Result) (wants []*want, problems []string) {
	ix := res.Index
	root := ""
	for _, u := range ix.Units {
		if r, ok := project.TreeRoot(u.File.Path, u.RootRel); ok {
			root = r
			break
		}
	}
	if root == "" {
		return nil, nil
	}
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil || !project.IsDotenvName(e.Name()) && !project.IsArtefactFile(filepath.ToSlash(rel)) && !project.IsServeFile(filepath.ToSlash(rel)) &&
			!project.IsDepFile(filepath.ToSlash(rel)) {
			return nil
		}
		data, rerr := os.ReadFile(p)
		if rerr != nil {
			return nil
		}
		path := ix.DisplayPath(filepath.ToSlash(rel))
		for i, line := range strings.Split(string(data), "\n") {
			m := wantRe.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			at := i + 1
			if m[1] != "" {
				n, _ := strconv.Atoi(m[1][1:])
				at += n
			}
			e := entryRe.FindStringSubmatch(m[2])
			if e == nil {
				problems = append(problems, fmt.Sprintf("%s:%d: malformed want %q", path, at, m[2]))
				continue
			}
			w := &want{path: path, line: at, code: e[1], raw: e[2]}
			if e[2] != "" {
				re, err := regexp.Compile(strings.ReplaceAll(e[2], `\"`, `"`))
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s:%d: bad regexp %q: %v", path, at, e[2], err))
					continue
				}
				w.re = re
			}
			wants = append(wants, w)
		}
		return nil
	})
	return wants, problems
}
