package project

import (
	"strings"
	"testing"

	"github.com/rubric-dev/rubric/analyzer/source"
)

// absoluteBySplit is absolute as it was written first: split, cut, join.
func absoluteBySplit(u *Unit, q string) string {
	if !strings.HasPrefix(q, ".") {
		return q
	}
	dots := 0
	for dots < len(q) && q[dots] == '.' {
		dots++
	}
	pkg := u.Package
	if strings.HasSuffix(u.File.Rel, "__init__.py") {
		pkg = u.Module
	}
	parts := []string{}
	if pkg != "" {
		parts = strings.Split(pkg, ".")
	}
	up := min(dots-1, len(parts))
	parts = parts[:len(parts)-up]
	if rest := q[dots:]; rest != "" {
		parts = append(parts, rest)
	}
	return strings.Join(parts, ".")
}

func TestAbsoluteMatchesSplitJoin(t *testing.T) {
	for _, pkg := range []string{"", "a", "a.b", "a.b.c", ".", "a.", ".a", "a..b"} {
		for _, rel := range []string{"a/b/x.py", "a/b/__init__.py"} {
			u := &Unit{File: source.New(rel, rel, nil), Package: pkg, Module: pkg + ".m"}
			for _, q := range []string{"x", ".", "..", "...", "....", ".x", "..x.y", "...x", ".....x"} {
				if got, want := absolute(u, q), absoluteBySplit(u, q); got != want {
					t.Errorf("absolute(pkg %q, rel %q, %q) = %q, want %q", pkg, rel, q, got, want)
				}
			}
		}
	}
}
