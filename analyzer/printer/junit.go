package printer

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
)

// JUnit writes JUnit XML for CI systems that read nothing else: one test
// suite, one test case per analysed file, failing with that file's findings
// (a file with no finding passes).
type JUnit struct{ opts Options }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// Print writes the report.
func (p *JUnit) Print(w io.Writer, r *analyzer.Result) error {
	byFile := map[string][]analyzer.Diagnostic{}
	for _, d := range r.Diagnostics {
		byFile[d.Path] = append(byFile[d.Path], d)
	}
	paths := make([]string, 0, len(r.Files))
	for p := range r.Files {
		paths = append(paths, p)
	}
	for p := range byFile {
		if r.Files[p] == nil {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	suite := junitSuite{Name: "rubric"}
	for _, path := range paths {
		tc := junitCase{Name: xmlSafe(path), Classname: "rubric", File: xmlSafe(path)}
		if ds := byFile[path]; len(ds) > 0 {
			var b strings.Builder
			worst := analyzer.Severity(0)
			for _, d := range ds {
				fmt.Fprintf(&b, "%s:%d:%d: %s %s\n", xmlSafe(d.Path), d.Pos.Line, d.Pos.Column, d.Code, xmlSafe(d.Message))
				if d.Help != "" {
					fmt.Fprintf(&b, "  help: %s\n", xmlSafe(d.Help))
				}
				worst = max(worst, d.Severity)
			}
			tc.Failure = &junitFailure{Message: xmlSafe(plural(len(ds), "finding") + ": " + ds[0].Code + " " + ds[0].Message), Type: worst.String(), Text: b.String()}
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, tc)
		suite.Tests++
	}
	top := junitSuites{Name: "rubric", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(top); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
