package security

import (
	_ "embed"
	"fmt"
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/rules/internal/prose"
)

//go:embed committedenv.md
var committedEnvDoc string

// CommittedEnvSecret reports a dotenv file in the tree that holds a secret
// the code reads from the environment.
var CommittedEnvSecret = &analyzer.Rule{
	Code:       "SEC024",
	Name:       "committed-env-secret",
	Doc:        committedEnvDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.18.0",
	RunProject: runCommittedEnvSecret,
}

// envRead is where the code reads one environment variable.
type envRead struct {
	path string // display path
	r    analyzer.Range
}

// runCommittedEnvSecret reads the dotenv files of the tree (project.Index.Dotenv:
// templates, development and test files left out; in a git checkout, the
// files git tracks) and, in each, the variables that hold a secret
// (semantic.DotenvSecret: a provider credential by its shape, or a
// non-placeholder value under a secret's name) and that the project's code
// reads from the environment (os.environ, os.getenv, django-environ,
// python-decouple, by the variable's literal name). One finding per file,
// at its first such line, names the variables and never their values.
func runCommittedEnvSecret(p *analyzer.ProjectPass) error {
	ix := p.Project
	type hit struct {
		e    project.DotenvEntry
		what string
	}
	var files []project.DotenvFile
	hits := map[string][]hit{}
	for _, f := range ix.Dotenv() {
		if f.Git == project.GitUntracked {
			continue // a developer's local file, never committed
		}
		for _, e := range f.Entries {
			if what, ok := semantic.DotenvSecret(e.Key, e.Value); ok {
				hits[f.Rel] = append(hits[f.Rel], hit{e, what})
			}
		}
		if len(hits[f.Rel]) > 0 {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil
	}
	reads := envReads(ix)
	for _, f := range files {
		var used []hit
		for _, h := range hits[f.Rel] {
			if _, ok := reads[h.e.Key]; ok {
				used = append(used, h)
			}
		}
		if len(used) == 0 {
			continue
		}
		var names []string
		for i, h := range used {
			if i == 3 {
				names = append(names, fmt.Sprintf("%d more", len(used)-3))
				break
			}
			n := "`" + h.e.Key + "`"
			if h.what != "" {
				n += " (" + h.what + ")"
			}
			names = append(names, n)
		}
		var related []analyzer.Related
		for i, h := range used {
			if i == 3 {
				break
			}
			rd := reads[h.e.Key]
			related = append(related, analyzer.Related{Path: rd.path, Range: rd.r, Message: "`" + h.e.Key + "` is read here"})
		}
		conf := analyzer.Medium
		for _, h := range used {
			if f.Git == project.GitTracked || h.what != "" {
				conf = analyzer.High // known to be committed, or a credential by its shape
			}
		}
		// A key startproject generated (`django-insecure-...`) in a
		// .env is the development key carried along, as SEC006 sees it in
		// settings: worth a line, not an error, unless something else is
		// committed beside it.
		sev, devOnly := analyzer.Severity(0), true
		for _, h := range used {
			if !strings.HasPrefix(h.e.Value, "django-insecure-") {
				devOnly = false
			}
		}
		if devOnly {
			sev = analyzer.Warning
			for i := range names {
				if !strings.HasSuffix(names[i], "more") {
					names[i] += " (a generated development key)"
					break
				}
			}
		}
		first := used[0].e
		where := "in the repository"
		if f.Git == project.GitTracked {
			where = "committed to git"
		}
		p.Report(analyzer.Diagnostic{
			Path:       ix.DisplayPath(f.Rel),
			Pos:        source.Position{Line: first.Line, Column: 1, Column16: 1},
			EndPos:     source.Position{Line: first.Line, Column: len(first.Key) + 1, Column16: len(first.Key) + 1},
			Severity:   sev,
			Confidence: conf,
			Message: fmt.Sprintf("`%s` %s sets %s, which the code reads from the environment: whoever can read the repository (its forks, clones and history) holds the live credentials",
				path.Base(f.Rel), where, prose.JoinAnd(names)),
			Help:    fmt.Sprintf("rotate the values, remove `%s` from the repository and list it in .gitignore; commit a `%s.example` with placeholders instead", f.Rel, path.Base(f.Rel)),
			Related: related,
		})
	}
	return nil
}

// envReads maps each environment variable the project's code reads by its
// literal name (an os.environ / os.getenv / django-environ / decouple
// lookup, or `os.environ["NAME"]`) to its first read, in path order. Test
// modules and migrations are not read.
func envReads(ix *project.Index) map[string]envRead {
	out := map[string]envRead{}
	add := func(u *project.Unit, key string, n pyast.Node) {
		if _, seen := out[key]; !seen && key != "" {
			out[key] = envRead{path: u.File.Rel, r: analyzer.RangeOf(n)}
		}
	}
	for _, u := range ix.Units {
		if u.File == nil || u.Tree == nil {
			continue
		}
		if semantic.RolesOf(u).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for n := range pyast.FindEach(u.Tree.Root(), "call", "subscript") {
			if n.Type() == "subscript" {
				if semantic.EnvSubscript(u.Imports, n) {
					if k, ok := pyast.StringValue(n.ChildByField("subscript")); ok {
						add(u, k, n)
					}
				}
				continue
			}
			c, ok := pyast.AsCall(n)
			if !ok || !semantic.SettingsEnvRead(u.Imports, c) || len(c.Positional) == 0 {
				continue
			}
			if k, ok := pyast.StringValue(c.Positional[0]); ok {
				add(u, k, n)
			}
		}
	}
	return out
}
