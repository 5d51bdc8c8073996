// Command corpus scores a rubric build against the labelled take-home corpus in takehomes/: it
// extracts each labelled commit from local clones, runs `rubric check` and `rubric report` on it,
// and prints per-rule precision against the recorded verdicts, recall of the labelled defects by
// kind, the checklist compared with the reviewer's, and the findings nobody has judged yet.
//
// It fetches nothing: clones come from --repos (see README.md for the layout).
//
//	go run ./scripts/corpus --repos /work/.mirror --rubric bin/rubric
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	repos, rubric, labels, kinds, work, jsonOut string
	only                                        []string
	allMissed, endpoints                        bool
}

func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("corpus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.repos, "repos", "", "directory holding the clones: <owner>+<name> or <owner>/<name>, bare or not (required)")
	fs.StringVar(&o.rubric, "rubric", "bin/rubric", "rubric binary to score")
	fs.StringVar(&o.labels, "labels", "scripts/corpus/takehomes", "directory of the labelled submissions (*.toml)")
	fs.StringVar(&o.kinds, "kinds", "scripts/corpus/kinds.toml", "defect kinds and the rules that find them")
	fs.StringVar(&o.work, "work", "", "keep extracted trees here and reuse them (default: a temporary directory, removed)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	only := fs.String("only", "", "comma-separated submissions (<owner>+<name>) to score; default all")
	fs.BoolVar(&o.allMissed, "all-missed", false, "list every missed defect, not only high-severity ones")
	fs.BoolVar(&o.endpoints, "endpoints", false, "also check that rubric's endpoint inventory lists each labelled endpoint")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.repos == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: corpus --repos DIR [--rubric bin/rubric] [--only a+b,...] [--json FILE] [--work DIR]")
		return 2
	}
	if *only != "" {
		o.only = strings.Split(*only, ",")
	}
	if err := score(o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "corpus:", err)
		return 2
	}
	return 0
}

func score(o options, stdout, stderr io.Writer) error {
	kinds, err := LoadKinds(o.kinds)
	if err != nil {
		return err
	}
	subs, err := LoadSubmissions(o.labels, kinds)
	if err != nil {
		return err
	}
	subs, err = selectSubmissions(subs, o.only)
	if err != nil {
		return err
	}
	bin, err := filepath.Abs(o.rubric)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("rubric binary: %w (make build)", err)
	}
	work := o.work
	if work == "" {
		work, err = os.MkdirTemp("", "rubric-corpus-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}

	rb := &Rubric{Bin: bin}
	var results []*SubmissionResult
	for _, s := range subs {
		fmt.Fprintf(stderr, "%s...\n", s.Slug)
		results = append(results, scoreOne(s, o.repos, work, rb, kinds, o.endpoints, stderr))
	}
	sum := Summarize(results)
	fmt.Fprintf(stdout, "rubric %s on %d labelled submissions\n\n", o.rubric, len(subs))
	PrintText(stdout, results, sum, kinds, o.allMissed)
	if o.endpoints {
		PrintInventory(stdout, results)
	}
	if o.jsonOut != "" {
		data, err := json.MarshalIndent(struct {
			Rubric      string              `json:"rubric"`
			Submissions []*SubmissionResult `json:"submissions"`
			Summary     *Summary            `json:"summary"`
		}{o.rubric, results, sum}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func selectSubmissions(subs []*Submission, only []string) ([]*Submission, error) {
	if len(only) == 0 {
		return subs, nil
	}
	bySlug := map[string]*Submission{}
	for _, s := range subs {
		bySlug[s.Slug] = s
	}
	var out []*Submission
	for _, slug := range only {
		s, ok := bySlug[strings.TrimSpace(slug)]
		if !ok {
			return nil, fmt.Errorf("no labelled submission %q", slug)
		}
		out = append(out, s)
	}
	return out, nil
}

// scoreOne extracts, analyses and scores one submission. Failures are recorded as a skip reason so
// that one broken clone does not stop the run.
func scoreOne(s *Submission, repos, work string, rb *Rubric, kinds *Kinds, endpoints bool, stderr io.Writer) *SubmissionResult {
	skip := func(format string, a ...any) *SubmissionResult {
		return &SubmissionResult{Slug: s.Slug, Skipped: fmt.Sprintf(format, a...)}
	}
	gitDir, err := FindGitDir(repos, s.Repository)
	if err != nil {
		return skip("%v", err)
	}
	dir := filepath.Join(work, s.Slug+"@"+s.Commit[:12])
	if _, err := os.Stat(dir); err != nil {
		// Extract beside and rename, so that an interrupted run never leaves a partial tree to reuse.
		part := dir + ".part"
		_ = os.RemoveAll(part)
		missing, err := Extract(gitDir, s.Commit, part)
		if err == nil {
			err = os.Rename(part, dir)
		}
		if err != nil {
			_ = os.RemoveAll(part)
			return skip("extract %s: %v", s.Commit[:12], err)
		}
		if missing > 0 {
			fmt.Fprintf(stderr, "  %d files not extracted (absent from the clone, links or unsafe paths)\n", missing)
		}
	}
	findings, err := rb.Check(dir)
	if err != nil {
		return skip("rubric check: %v", err)
	}
	r := Score(s, findings, kinds)
	items, from, note := rb.Report(dir)
	r.ReportFrom, r.ReportNote = from, note
	if items != nil {
		r.Checklist = CompareChecklist(s.Checklist, items)
	}
	if endpoints && len(s.Endpoints) > 0 {
		rows, err := rb.Inventory(dir)
		if err != nil {
			fmt.Fprintf(stderr, "  rubric endpoints: %v\n", err)
		}
		r.Endpoints = MatchInventory(s.Endpoints, rows)
	}
	return r
}
