package analyzer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/rubric-dev/rubric/internal/safeio"
)

// SkippedDirs are never descended into.
var SkippedDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "venv": true, ".venv": true,
	"node_modules": true, "__pycache__": true, "site-packages": true, "build": true, "dist": true,
	".tox": true, ".nox": true, ".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
	".eggs": true,
}

// Input is a file to analyse and the root it was found under.
type Input struct {
	Path    string // as opened
	Rel     string // display path: relative to the working directory, '/'-separated
	RootRel string // relative to the root argument
	Err     error  // set when the path could not be walked or read
}

// gitignoreLayer is one ignore file's patterns, anchored at its directory
// (as absolute path components, the coordinates every match uses).
type gitignoreLayer struct {
	dir      string
	depth    int // how many components dir has
	patterns []ignoreRule
}

// Discover expands the paths into the Python files to analyse, sorted by
// display path and de-duplicated. Explicit files are always included;
// directories are walked, skipping SkippedDirs, hidden directories,
// virtualenvs (a directory holding pyvenv.cfg), links other than `.py`
// ones, what .gitignore files ignore, and what exclude rejects (paths
// relative to the working directory). A `.py` link, FIFO or device is
// listed, for the reader to refuse (SYN002); no link is followed.
func Discover(paths []string, workDir string, exclude func(rel string, dir bool) bool) []Input {
	return discover(paths, workDir, exclude, true, nil)
}

// DiscoverIsolated is Discover without reading any .gitignore: for trees
// whose own files must not decide what is analysed (`check --isolated`,
// grading submissions).
func DiscoverIsolated(paths []string, workDir string, exclude func(rel string, dir bool) bool) []Input {
	return discover(paths, workDir, exclude, false, nil)
}

// discover is Discover (DiscoverIsolated without gitignores); found, when
// set, is called with each input as the walk meets it, before the sorted
// list is returned.
func discover(paths []string, workDir string, exclude func(rel string, dir bool) bool, gitignores bool, found func(Input)) []Input {
	seen := map[string]bool{}
	var out []Input
	add := func(in Input) {
		key := in.Rel
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, in)
		if found != nil {
			found(in)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			add(Input{Path: p, Rel: displayPath(p, workDir), RootRel: filepath.Base(p), Err: err})
			continue
		}
		if !st.IsDir() {
			add(Input{Path: p, Rel: displayPath(p, workDir), RootRel: filepath.ToSlash(filepath.Base(p))})
			continue
		}
		root := p
		// .gitignore files above an explicitly named directory apply to
		// its contents, unless they ignore the directory itself: asking for
		// an ignored directory by name means analysing it.
		var layers []gitignoreLayer
		if gitignores {
			for _, l := range loadParentGitignores(root) {
				if !ignoredBy([]gitignoreLayer{l}, root, true) {
					layers = append(layers, l)
				}
			}
		}
		// absDir twins dir as an absolute path, so that matching and
		// display paths do not ask the OS for the working directory per
		// entry (filepath.Abs of a relative path does).
		absRoot, err := filepath.Abs(root)
		if err != nil {
			absRoot = root
		}
		// Each directory's state of the simple ignore rules (ignoreState)
		// is its parent's, entered: a file's own name is then all that is
		// matched against them.
		var walk func(dir, absDir string, layers []gitignoreLayer, state ignoreState)
		walk = func(dir, absDir string, layers []gitignoreLayer, state ignoreState) {
			entries, err := os.ReadDir(dir)
			if err != nil {
				if dir == root || !isVirtualenv(dir) {
					add(Input{Path: dir, Rel: displayPath(dir, workDir), Err: err})
				}
				return
			}
			// What the directory holds says whether to look for its
			// .gitignore and pyvenv.cfg: no syscall for a file that is not
			// there.
			var hasGitignore bool
			for _, e := range entries {
				switch e.Name() {
				case ".gitignore":
					hasGitignore = true
				case "pyvenv.cfg":
					if dir != root && isVirtualenv(dir) {
						return
					}
				}
			}
			if gitignores && hasGitignore {
				if l := readGitignore(absDir); l != nil {
					layers = append(layers[:len(layers):len(layers)], *l)
					state = state.widen(layers)
				}
			}
			dirComps := components(absDir)
			depth := len(dirComps)
			for _, e := range entries {
				full, absFull := filepath.Join(dir, e.Name()), filepath.Join(absDir, e.Name())
				isDir := e.IsDir()
				// The cheap tests first: most entries of a tree are not
				// Python files, and need no ignore pattern matched.
				// Hidden directories (.github, .semgrep, .idea...) hold
				// tooling and fixtures, not the application. A link is
				// never followed; a `.py` one, or a FIFO or device named
				// `.py`, is listed all the same, so that the reader
				// refuses it with SYN002 (it opens nothing but regular
				// files, and follows no link) rather than the file
				// going unanalysed without a word.
				if isDir && (SkippedDirs[e.Name()] || strings.HasPrefix(e.Name(), ".")) ||
					!isDir && !strings.HasSuffix(e.Name(), ".py") ||
					e.Type()&fs.ModeSymlink != 0 && !strings.HasSuffix(e.Name(), ".py") {
					continue
				}
				// An entry's components are its directory's and its name
				// (absFull is that directory joined with the name).
				if ignoredIn(layers, state, e.Name(), func() []string { return append(dirComps[:depth:depth], e.Name()) }, isDir) {
					continue
				}
				rel := displayPath(absFull, workDir)
				if exclude != nil && exclude(rel, isDir) {
					continue
				}
				if isDir {
					// A virtualenv (pyvenv.cfg) is skipped by walk itself.
					walk(full, absFull, layers, state.enter(layers, depth, e.Name()))
					continue
				}
				rr, _ := filepath.Rel(root, full)
				add(Input{Path: full, Rel: rel, RootRel: filepath.ToSlash(rr)})
			}
		}
		walk(root, absRoot, layers, newIgnoreState(layers, components(absRoot)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rel < out[j].Rel })
	return out
}

func isVirtualenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

func readGitignore(dir string) *gitignoreLayer {
	return readIgnoreFile(dir, filepath.Join(dir, ".gitignore"))
}

// readIgnoreFile reads an ignore file whose patterns are relative to dir,
// with go-git's implementation of git's pattern syntax.
func readIgnoreFile(dir, file string) *gitignoreLayer {
	// An ignore file that is a link, a FIFO or huge is not read.
	data, err := safeio.ReadFile(file, 1<<20)
	if err != nil {
		return nil
	}
	domain := components(dir)
	l := &gitignoreLayer{dir: dir, depth: len(domain)}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		l.patterns = append(l.patterns, parseIgnoreRule(line, domain))
	}
	if len(l.patterns) == 0 {
		return nil
	}
	return l
}

// components splits an absolute path into its names, the coordinates of
// gitignore matching.
func components(p string) []string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	var out []string
	for _, c := range strings.Split(filepath.ToSlash(p), "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// loadParentGitignores collects the repository's .git/info/exclude and the
// .gitignore files of the directories above root, up to the enclosing
// repository's top (the directory holding .git), lowest priority first.
func loadParentGitignores(root string) []gitignoreLayer {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil
	}
	// root, then its parents up to the repository's top
	var dirs []string
	for d := abs; ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil || errors.Is(err, fs.ErrPermission) {
			break
		}
		if filepath.Dir(d) == d {
			// No repository above: parents' ignore files do not apply.
			return nil
		}
	}
	var layers []gitignoreLayer
	top := dirs[len(dirs)-1]
	if l := readIgnoreFile(top, filepath.Join(top, ".git", "info", "exclude")); l != nil {
		layers = append(layers, *l)
	}
	// root's own .gitignore is read by the walk.
	for i := len(dirs) - 1; i >= 1; i-- {
		if l := readGitignore(dirs[i]); l != nil {
			layers = append(layers, *l)
		}
	}
	return layers
}

// ignoredBy applies git's rule: the last pattern that matches decides,
// deeper ignore files after higher ones, later lines after earlier ones, so
// a negation (`!keep.py`) re-includes what an earlier pattern excluded. A
// file inside an excluded directory is never seen: the walk does not enter
// the directory, as git does not.
func ignoredBy(layers []gitignoreLayer, full string, isDir bool) bool {
	path := components(full)
	for i := len(layers) - 1; i >= 0; i-- {
		ps := layers[i].patterns
		for j := len(ps) - 1; j >= 0; j-- {
			if m := ps[j].Match(path, isDir); m != gitignore.NoMatch {
				return m == gitignore.Exclude
			}
		}
	}
	return false
}

// DisplayPath returns the path users see for p: relative to workDir when
// p lies under it, else absolute; '/'-separated.
func DisplayPath(p, workDir string) string { return displayPath(p, workDir) }

func displayPath(p, workDir string) string {
	if abs, err := filepath.Abs(p); err == nil && workDir != "" {
		if rel, err := filepath.Rel(workDir, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(filepath.Clean(p))
}
