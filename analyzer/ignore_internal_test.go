package analyzer

import (
	"math/rand"
	"strings"
	"testing"
)

// The walk's matching of ignore rules (a directory's state of the simple
// rules, then the entry's own name) decides as go-git's patterns matched
// against the whole path do, for every kind of rule: simple, directory
// only, negated, anchored, with '**', malformed globs, and ignore files at
// several depths.
func TestIgnoredInMatchesGoGit(t *testing.T) {
	rules := []string{"*.pyc", "build", "build/", "!keep.py", "tests", "!tests/", "docs/*.py", "/top.py", "**/gen/*.py",
		"a*", "[ab]", "[", "x\\ ", "*_pb2.py", "!*_pb2.py", "vendor/**", "**/c", "c/", "sub/d.py", "d*.py", "!d1.py", "e?",
		"node_modules", "a/**/b", "*", "*.py", "te*", "!*.py", "*s", "d*"}
	names := []string{"a", "b", "c", "d.py", "d1.py", "e1", "build", "tests", "keep.py", "gen", "top.py", "x ", "sub",
		"vendor", "docs", "m_pb2.py", "[", "node_modules", "zz.py"}
	rng := rand.New(rand.NewSource(1))
	pick := func(from []string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = from[rng.Intn(len(from))]
		}
		return out
	}
	base := []string{"home", "u", "proj"}
	checked := 0
	for round := 0; round < 3000; round++ {
		path := append(append([]string(nil), base...), pick(names, 1+rng.Intn(5))...)
		// Ignore files at some of the path's directories (the last
		// component is the entry itself).
		var layers []gitignoreLayer
		for d := len(base) - 1; d < len(path)-1; d++ {
			if rng.Intn(3) == 0 {
				continue
			}
			dir := "/" + strings.Join(path[:d+1], "/")
			l := gitignoreLayer{dir: dir, depth: d + 1}
			for _, line := range pick(rules, 1+rng.Intn(4)) {
				l.patterns = append(l.patterns, parseIgnoreRule(line, path[:d+1]))
			}
			layers = append(layers, l)
		}
		for _, isDir := range []bool{false, true} {
			full := "/" + strings.Join(path, "/")
			want := ignoredBy(layers, full, isDir)
			dir := path[:len(path)-1]
			got := ignoredIn(layers, newIgnoreState(layers, dir), path[len(path)-1], func() []string { return path }, isDir)
			if got != want {
				var lines []string
				for _, l := range layers {
					lines = append(lines, l.dir+": "+describe(l))
				}
				t.Fatalf("%s (dir %t): walk says %t, go-git %t; ignore files:\n%s", full, isDir, got, want, strings.Join(lines, "\n"))
			}
			checked++
		}
	}
	if checked != 6000 {
		t.Fatalf("checked %d", checked)
	}
}

func describe(l gitignoreLayer) string {
	var out []string
	for _, r := range l.patterns {
		out = append(out, r.glob+"|"+map[bool]string{true: "dir", false: ""}[r.dirOnly])
	}
	return strings.Join(out, " ")
}
