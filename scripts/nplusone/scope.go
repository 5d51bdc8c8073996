package main

import (
	"os"
	"path/filepath"
	"strings"
)

// ScopeFunc names the top-level class or function that holds a line of a
// file ("" at module level, in a file that is not Python, or when the file
// cannot be read).
type ScopeFunc func(path string, line int) string

// TreeScope reads scopes from the files of an extracted tree, each file
// read once.
func TreeScope(dir string) ScopeFunc {
	files := map[string][]string{}
	return func(path string, line int) string {
		if !strings.HasSuffix(path, ".py") {
			return ""
		}
		lines, ok := files[path]
		if !ok {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
			if err == nil {
				lines = strings.Split(string(b), "\n")
			}
			files[path] = lines
		}
		return TopScope(lines, line)
	}
}

// TopScope returns the name of the top-level `class` or `def` whose body
// holds 1-based line n of a Python file's lines: the nearest line at column
// zero at or above n, when it opens a class or function (decorators skipped
// over); "" when it is other module-level code. Indentation is all it
// reads: a line inside a multi-line string at column zero ends the scope.
func TopScope(lines []string, n int) string {
	for i := min(n, len(lines)) - 1; i >= 0; i-- {
		l := strings.TrimRight(lines[i], " \t\r")
		if l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '#' || l[0] == ')' || l[0] == ']' || l[0] == '}' {
			continue
		}
		for _, kw := range []string{"class ", "def ", "async def "} {
			if rest, ok := strings.CutPrefix(l, kw); ok {
				end := strings.IndexAny(rest, "(:")
				if end < 0 {
					end = len(rest)
				}
				return strings.TrimSpace(rest[:end])
			}
		}
		return ""
	}
	return ""
}

// byScope keeps, of the findings that name the loop's file, those with a
// location in it under the top-level class or function own (as fix reads
// the tree); the others join out. A finding on the same line about another
// view of the file (a serializer shared by two viewsets of views.py) is
// then another loop's, as one in another file is.
func byScope(in, out []Finding, file, own string, fix ScopeFunc) (keep, rest []Finding) {
	rest = out
	for _, f := range in {
		mine := f.Path == file && fix(f.Path, f.Line) == own
		for _, r := range f.Related {
			if r.Path == file && fix(r.Path, r.Line) == own {
				mine = true
			}
		}
		if mine {
			keep = append(keep, f)
		} else {
			rest = append(rest, f)
		}
	}
	return keep, rest
}
