package analyzer

import (
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// ignoreRule is one line of an ignore file: go-git's pattern, which decides
// in general, and what the walk needs to decide a simple one (a single
// name glob, no '/': `*.pyc`, `node_modules`, `build/`) one path component
// at a time. go-git matches a simple pattern against every component of
// the path below the ignore file's directory, so a walk that matched it
// against a file's directories when it entered them need only match the
// file's own name (ignoreState): most of discovery's time went to matching
// every pattern against every component of every file's path again.
type ignoreRule struct {
	gitignore.Pattern
	glob      string // a simple rule's name glob; "" for the others
	dirOnly   bool
	inclusion bool
	// match is filepath.Match(glob, name), by a string comparison when
	// the glob is a literal, `*suffix` or `prefix*`.
	match func(name string) (bool, error)
}

// globMatcher returns filepath.Match with glob fixed, by a comparison for
// the globs ignore files mostly hold (a name, `*.ext`, `name*`), which it
// matches alike: `*` spans any run of a name's characters.
func globMatcher(glob string) func(string) (bool, error) {
	const meta = "*?[\\"
	switch {
	case !strings.ContainsAny(glob, meta):
		return func(name string) (bool, error) { return name == glob, nil }
	case len(glob) > 1 && glob[0] == '*' && !strings.ContainsAny(glob[1:], meta):
		suffix := glob[1:]
		return func(name string) (bool, error) { return strings.HasSuffix(name, suffix), nil }
	case len(glob) > 1 && glob[len(glob)-1] == '*' && !strings.ContainsAny(glob[:len(glob)-1], meta):
		prefix := glob[:len(glob)-1]
		return func(name string) (bool, error) { return strings.HasPrefix(name, prefix), nil }
	}
	return func(name string) (bool, error) { return filepath.Match(glob, name) }
}

// parseIgnoreRule parses a line as go-git's ParsePattern does, and notes
// whether it is simple.
func parseIgnoreRule(line string, domain []string) ignoreRule {
	r := ignoreRule{Pattern: gitignore.ParsePattern(line, domain)}
	p := line
	if strings.HasPrefix(p, "!") {
		r.inclusion = true
		p = p[1:]
	}
	if !strings.HasSuffix(p, "\\ ") {
		p = strings.TrimRight(p, " ")
	}
	if strings.HasSuffix(p, "/") {
		r.dirOnly = true
		p = p[:len(p)-1]
	}
	if !strings.Contains(p, "/") {
		r.glob, r.match = p, globMatcher(p)
	}
	return r
}

// Where a simple rule stands for a directory: no component below the
// ignore file's directory has matched it yet, one has (go-git then
// matches every path under it), or one made its glob fail (go-git then
// matches nothing under it).
const (
	ruleOpen uint8 = iota
	ruleMatched
	ruleBroken
)

// ignoreState is, for one directory, where each simple rule of each layer
// stands (indexed as the layers and their rules).
type ignoreState [][]uint8

// newIgnoreState is the state of the directory whose absolute path
// components are dir.
func newIgnoreState(layers []gitignoreLayer, dir []string) ignoreState {
	s := make(ignoreState, len(layers))
	for i, l := range layers {
		s[i] = make([]uint8, len(l.patterns))
	}
	for k, name := range dir {
		s = s.enter(layers, k, name)
	}
	return s
}

// enter returns the state of the directory name, the component at index k
// of the absolute path, inside the directory of s. A layer added for the
// directory itself (its ignore file) starts open: widen appends it.
func (s ignoreState) enter(layers []gitignoreLayer, k int, name string) ignoreState {
	out := make(ignoreState, len(s))
	for i, l := range layers[:len(s)] {
		out[i] = s[i]
		if k < l.depth {
			continue // above the ignore file's directory
		}
		changed := false
		for j, r := range l.patterns {
			if r.glob == "" || s[i][j] != ruleOpen {
				continue
			}
			st := ruleOpen
			if m, err := r.match(name); err != nil {
				st = ruleBroken
			} else if m {
				st = ruleMatched
			}
			if st == ruleOpen {
				continue
			}
			if !changed {
				out[i] = append([]uint8(nil), s[i]...)
				changed = true
			}
			out[i][j] = st
		}
	}
	return out
}

// widen returns s with room for layers added since (an ignore file in the
// directory itself), whose rules are open.
func (s ignoreState) widen(layers []gitignoreLayer) ignoreState {
	for len(s) < len(layers) {
		s = append(s[:len(s):len(s)], make([]uint8, len(layers[len(s)].patterns)))
	}
	return s
}

// ignoredIn is ignoredBy for the entry name of the directory of s, whose
// absolute path components full returns: the last rule that matches
// decides.
func ignoredIn(layers []gitignoreLayer, s ignoreState, name string, full func() []string, isDir bool) bool {
	var path []string
	for i := len(layers) - 1; i >= 0; i-- {
		ps := layers[i].patterns
		for j := len(ps) - 1; j >= 0; j-- {
			r := ps[j]
			if r.glob == "" {
				if path == nil {
					path = full()
				}
				if m := r.Match(path, isDir); m != gitignore.NoMatch {
					return m == gitignore.Exclude
				}
				continue
			}
			switch s[i][j] {
			case ruleMatched:
				return !r.inclusion
			case ruleBroken:
				continue
			}
			if m, err := r.match(name); err == nil && m && (!r.dirOnly || isDir) {
				return !r.inclusion
			}
		}
	}
	return false
}
