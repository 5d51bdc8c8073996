package design

import (
	_ "embed"
	"fmt"
	"path"
	"sort"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed notests.md
var noTestsDoc string

// NoTests reports a project without a single test, at its startapp stub.
// It reads the index's facts alone (FactsOnly): an edit that leaves every
// file's facts as they were does not run it again.
var NoTests = &analyzer.Rule{
	Code:       "ARC005",
	Name:       "no-tests",
	Doc:        noTestsDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.11.0",
	RunProject: runNoTests,
	FactsOnly:  true,
}

// census is what the project holds in the way of tests: whether any test
// function exists, and the tests.py modules that hold none (startapp
// stubs, in path order).
type census struct {
	tests bool
	stubs []stub
}

// stub is a tests.py with no test: its path relative to the analysed
// root (for the message), its display path (for the finding's location)
// and the end of its first line.
type stub struct {
	rel, path string
	end       int
}

// testCensus reads the index: a test module (by role, or a test*.py /
// *_test.py name) that defines a test function or method
// (Facts.DefinesTests, read from its tree in phase one) holds tests; a
// tests.py without one is a stub (its first line's end is
// Facts.FirstLineEnd).
func testCensus(ix *project.Index) census {
	var c census
	for _, u := range ix.Units {
		if u.File == nil {
			continue
		}
		rel := u.Rel()
		base := path.Base(rel)
		isTest := semantic.RolesOf(u).Any(semantic.Test) || path.Ext(base) == ".py" && (len(base) > 4 && base[:4] == "test" || len(base) > 8 && base[len(base)-8:] == "_test.py")
		if !isTest {
			continue
		}
		// The index's facts are keyed by display path (File.Rel), which
		// differs from rel when rubric runs on a directory other than the
		// current one (`rubric check api`).
		if ix.DefinesTests[u.File.Rel] {
			c.tests = true
			continue
		}
		if base == "tests.py" {
			c.stubs = append(c.stubs, stub{rel: rel, path: u.File.Rel, end: ix.FirstLineEnds[u.File.Rel]})
		}
	}
	sort.Slice(c.stubs, func(i, j int) bool { return c.stubs[i].rel < c.stubs[j].rel })
	return c
}

// runNoTests reports, when no test function exists anywhere in the
// project, the first tests.py stub in path order (the others as related
// locations): the submission ships no test at all. A project with no
// tests.py has nowhere to anchor the finding and is left to the
// checklist's tests-present item.
func runNoTests(p *analyzer.ProjectPass) error {
	c := testCensus(p.Project)
	if c.tests || len(c.stubs) == 0 {
		return nil
	}
	msg := fmt.Sprintf("no test anywhere in the project: `%s` is the startapp stub", c.stubs[0].rel)
	if n := len(c.stubs) - 1; n == 1 {
		msg += " (and 1 more like it)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more like it)", n)
	}
	var related []analyzer.Related
	for _, st := range c.stubs[1:] {
		related = append(related, analyzer.Related{Path: st.path, Range: analyzer.Range{Start: 0, End: st.end}, Message: "another startapp stub"})
	}
	p.Report(analyzer.Diagnostic{
		Path:    c.stubs[0].path,
		Range:   analyzer.Range{Start: 0, End: c.stubs[0].end},
		Related: related,
		Message: msg,
		Help:    "test the paths that move money or change state first (the happy path, a refused request, a retry or duplicate), with the ORM and the external calls as they run in production and the provider mocked",
	})
	return nil
}
