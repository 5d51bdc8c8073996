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
// suite per file, one test case per rule that ran on it, failing with the
// rule's findings in that file.
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
	top := junitSuites{Name: "rubric"}
	for _, path := range paths {
		suite := junitSuite{Name: xmlSafe(path)}
		byCode := map[string][]analyzer.Diagnostic{}
		for _, d := range byFile[path] {
			byCode[d.Code] = append(byCode[d.Code], d)
		}
		var codes []string
		seen := map[string]bool{}
		for _, ru := range r.Rules {
			codes = append(codes, ru.Code)
			seen[ru.Code] = true
		}
		for c := range byCode {
			if !seen[c] {
				codes = append(codes, c)
			}
		}
		sort.Strings(codes)
		for _, code := range codes {
			tc := junitCase{Name: xmlSafe(code), Classname: xmlSafe(path)}
			if ds := byCode[code]; len(ds) > 0 {
				var b strings.Builder
				worst := analyzer.Severity(0)
				for _, d := range ds {
					fmt.Fprintf(&b, "%s:%d:%d: %s %s\n", d.Path, d.Pos.Line, d.Pos.Column, d.Code, d.Message)
					if d.Help != "" {
						fmt.Fprintf(&b, "  help: %s\n", d.Help)
					}
					worst = max(worst, d.Severity)
				}
				tc.Failure = &junitFailure{Message: xmlSafe(plural(len(ds), "finding") + ": " + ds[0].Message), Type: worst.String(), Text: xmlSafe(b.String())}
				suite.Failures++
			}
			suite.Cases = append(suite.Cases, tc)
			suite.Tests++
		}
		top.Tests += suite.Tests
		top.Failures += suite.Failures
		top.Suites = append(top.Suites, suite)
	}
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
