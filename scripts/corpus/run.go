package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Rubric runs a rubric binary on extracted submissions.
type Rubric struct {
	Bin string // absolute path: the commands run inside the submission

	titles    map[string]string // checklist item title -> id, for the Markdown fallback
	titlesErr error
	titlesSet bool
}

func (r *Rubric) run(dir string, args ...string) (stdout []byte, code int, err error) {
	cmd := exec.Command(r.Bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.Bytes(), ee.ExitCode(), fmt.Errorf("%s %s: exit %d: %s", r.Bin, strings.Join(args, " "), ee.ExitCode(), strings.TrimSpace(errb.String()))
	}
	if err != nil {
		return nil, -1, err
	}
	return out.Bytes(), 0, nil
}

// Check returns the findings of `rubric check --no-cache --format json .` run inside dir.
// Exit status 1 (findings at or above --fail-on) is success here.
func (r *Rubric) Check(dir string) ([]Finding, error) {
	out, code, err := r.run(dir, "check", "--no-cache", "--format", "json", ".")
	if err != nil && code != 1 {
		return nil, err
	}
	var rep struct {
		Diagnostics []Finding `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("read rubric's JSON: %w", err)
	}
	return rep.Diagnostics, nil
}

// Report returns rubric's checklist statuses (item id -> normalised status) for dir. It asks for
// `rubric report --format json`; a build without it is read from the Markdown page instead, item
// titles mapped to ids through `rubric report --print-checklist`. from says which ("json",
// "markdown", or "" when neither worked, with the reason in note).
func (r *Rubric) Report(dir string) (items map[string]string, from, note string) {
	if out, _, err := r.run(dir, "report", "--format", "json", "."); err == nil {
		if items, perr := ParseReportJSON(out); perr == nil {
			return items, "json", ""
		}
	}
	titles, err := r.checklistTitles(dir)
	if err != nil {
		return nil, "", "no JSON report, and no checklist titles to read the Markdown one: " + err.Error()
	}
	out, _, err := r.run(dir, "report", ".")
	if err != nil {
		return nil, "", "rubric report failed: " + err.Error()
	}
	items = ParseReportMarkdown(out, titles)
	if len(items) == 0 {
		return nil, "", "no checklist item recognised in the Markdown report"
	}
	return items, "markdown", "no `rubric report --format json` in this build: statuses read from the Markdown page"
}

func (r *Rubric) checklistTitles(dir string) (map[string]string, error) {
	if !r.titlesSet {
		r.titlesSet = true
		out, _, err := r.run(dir, "report", "--print-checklist")
		if err == nil {
			r.titles, err = ChecklistTitles(out)
		}
		r.titlesErr = err
	}
	return r.titles, r.titlesErr
}
