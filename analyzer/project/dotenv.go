package project

import (
	"path/filepath"
	"strings"
)

// This file reads the dotenv files of the analysed tree: the files that
// hold an environment's variables (`.env`, `.env.production`,
// `prod.env`), as python-dotenv, django-environ's read_env and docker
// compose's env_file read them. Nothing is executed; values are kept in
// memory for the rules to judge and are never printed.

// DotenvFile is one dotenv file of the analysed tree.
type DotenvFile struct {
	// Rel is the file's path relative to the analysed root, '/'-separated.
	Rel string
	// Git says whether git tracks the file: GitUnknown when the tree is no
	// git checkout (an extracted archive), GitTracked when it is committed
	// (in the index), GitUntracked when it is a local file git does not
	// track (a developer's own .env, ignored or not yet added).
	Git GitState
	// Entries are the variables the file sets, in file order.
	Entries []DotenvEntry
}

// GitState is what git says of a file.
type GitState int8

const (
	GitUnknown GitState = iota
	GitTracked
	GitUntracked
)

// DotenvEntry is one `KEY=value` line: the value unquoted, an unquoted
// value's trailing ` # comment` removed.
type DotenvEntry struct {
	Key, Value string
	Line       int // 1-based
}

// maxDotenvFile bounds the bytes read of one dotenv file.
const maxDotenvFile = 64 << 10

// templateEnvWords mark a dotenv file that documents the variables rather
// than holds an environment's values (`.env.example`, `.env.sample`,
// `env.template`, `.env.dist`, the typo `.env_exapmle`), and the files of
// development, test (end-to-end: `.env.e2e`) and CI environments, whose values are local by intent
// (as SEC006 leaves dev and test settings modules).
var templateEnvWords = []string{"example", "exapmle", "exmaple", "examle", "sample", "templ", "tmpl", "dist",
	"default", "skeleton", "stub", "placeholder", "test", "ci", "e2e", "local", "dev", "development", "demo"}

// IsDotenvName reports whether a file's base name is that of a dotenv file
// holding an environment's values: `.env`, `.env.<name>`, `.env_<name>`,
// `.env-<name>` or `<name>.env`, where no word of the name marks a template
// or a development, test or CI environment (templateEnvWords).
func IsDotenvName(base string) bool {
	lower := strings.ToLower(base)
	var rest string
	switch {
	case lower == ".env":
		return true
	case strings.HasPrefix(lower, ".env.") || strings.HasPrefix(lower, ".env_") || strings.HasPrefix(lower, ".env-"):
		rest = lower[5:]
	case strings.HasSuffix(lower, ".env") && len(lower) > 4 && !strings.HasPrefix(lower, "."):
		rest = lower[:len(lower)-4]
	default:
		return false
	}
	for _, w := range strings.FieldsFunc(rest, func(r rune) bool { return r == '.' || r == '_' || r == '-' }) {
		for _, t := range templateEnvWords {
			if w == t || len(t) > 3 && strings.Contains(w, t) {
				return false
			}
		}
	}
	return rest != ""
}

// ParseDotenv reads the `KEY=value` lines of a dotenv text (`export KEY=v`
// too, spaces around `=` allowed); comments, blank lines and lines without
// a key are skipped.
func ParseDotenv(text string) []DotenvEntry {
	var out []DotenvEntry
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(strings.TrimRight(line, "\r"))
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimSpace(strings.TrimPrefix(t, "export "))
		key, val, ok := strings.Cut(t, "=")
		key = strings.TrimSpace(key)
		if !ok || !envKey(key) {
			continue
		}
		out = append(out, DotenvEntry{Key: key, Value: dotenvValue(val), Line: i + 1})
	}
	return out
}

// envKey reports a variable name: letters, digits, '_' and '.', not
// starting with a digit.
func envKey(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// dotenvValue unquotes a value: a quoted one up to its closing quote, an
// unquoted one up to a ` #` comment.
func dotenvValue(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 1 && (v[0] == '"' || v[0] == '\'') {
		if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
			return v[1 : 1+j]
		}
		return strings.TrimSpace(v[1:])
	}
	if j := strings.Index(v, " #"); j >= 0 {
		v = v[:j]
	}
	return strings.TrimSpace(v)
}

// skippedEnvDirs are directories whose dotenv files are not the project's:
// virtualenvs, dependencies, build output, caches.
var skippedEnvDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, "node_modules": true, "venv": true,
	".venv": true, "env": true, "virtualenv": true, "site-packages": true, ".tox": true, ".nox": true, "dist": true,
	"build": true, "__pycache__": true, ".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true}

// DotenvFiles reads the dotenv files under root (four directories deep at
// most; hidden directories, virtualenvs and build output skipped), in path
// order, with what git says of each when root is inside a git checkout.
func DotenvFiles(root string) []DotenvFile {
	return dotenvFrom(root, walkOutside(root).dotenvs)
}

// dotenvFrom reads the dotenv files rels (relative to root, in path order).
func dotenvFrom(root string, rels []string) []DotenvFile {
	if len(rels) == 0 {
		return nil
	}
	var out []DotenvFile
	for _, rel := range rels {
		text := readPrefixText(filepath.Join(root, filepath.FromSlash(rel)), maxDotenvFile)
		if es := ParseDotenv(text); len(es) > 0 {
			out = append(out, DotenvFile{Rel: rel, Entries: es})
		}
	}
	if len(out) > 0 {
		gitStates(root, out)
	}
	return out
}

// readPrefixText reads at most n bytes of a regular file (not a link) as
// text.
func readPrefixText(file string, n int64) string {
	t := ReadText(file)
	if int64(len(t)) > n {
		t = t[:n]
	}
	return t
}

// gitStates sets Git on files when root lies in a git checkout: tracked
// when the repository's index lists the file. The checkout is untrusted:
// no git command runs, and the repository is opened as every reader of it
// opens it (gitdiff.Open: the first .git walking up must be a real
// directory, read through a filesystem bound to it, regular files only),
// so its configuration, hooks, alternates and `gitdir:` redirections are
// never read; a checkout it refuses leaves every file's state unknown.
func gitStates(root string, files []DotenvFile) {
	rels := make([]string, len(files))
	for i, f := range files {
		rels[i] = f.Rel
	}
	for i, st := range trackedStates(root, rels, func(name, rel string) bool { return name == rel }) {
		files[i].Git = st
	}
}

// Dotenv returns the dotenv files of the analysed tree (DotenvFiles at the
// root of its first file), read once.
func (ix *Index) Dotenv() []DotenvFile {
	sh := ix.shared
	sh.dotenvOnce.Do(func() {
		if root, ok := ix.treeRoot(); ok {
			sh.dotenv = dotenvFrom(root, ix.outsideListing(root).dotenvs)
		}
	})
	return sh.dotenv
}

// DisplayPath returns the display path of a file given relative to the
// analysed root, the way the root's own files are displayed (`proj/.env`
// when `rubric check proj` displays `proj/shop/views.py`).
func (ix *Index) DisplayPath(rel string) string {
	for _, u := range ix.Units {
		if strings.HasSuffix(u.File.Rel, u.RootRel) {
			return strings.TrimSuffix(u.File.Rel, u.RootRel) + rel
		}
	}
	return rel
}
