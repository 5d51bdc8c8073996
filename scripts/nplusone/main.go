// Command nplusone measures rubric's N+1 rules against a corpus of real N+1
// fixes from public Django projects (cases.toml beside this file).
//
// It fetches nothing: --repos names a directory holding clones of the
// projects (see README.md for the layout). For each commit the corpus names
// it extracts the whole tree (git ls-tree + git cat-file) into a cache directory, runs
// `rubric check --no-cache --select CODES --format json` over it once, and
// scores every case and clean loop of that commit:
//
//   - found: a finding's primary or related location touches the labelled
//     per-row access or the loop, at the parent of the fix;
//   - cleared: found, and at the fix commit no finding touches the access;
//   - false alarm: a finding touches a clean loop.
//
// Usage:
//
//	go run ./scripts/nplusone --repos DIR [--rubric bin/rubric] [--codes ORM001,...] [--json out.json]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

const defaultCodes = "ORM001,ORM002,ORM003,ORM008"

type options struct {
	cases, repos, rubric, codes, work, jsonOut, only string
	show                                             bool
}

func main() {
	var o options
	flag.StringVar(&o.cases, "cases", "scripts/nplusone/cases.toml", "the corpus")
	flag.StringVar(&o.repos, "repos", "", "directory holding the clones (required; see README.md)")
	flag.StringVar(&o.rubric, "rubric", "bin/rubric", "the rubric binary to measure")
	flag.StringVar(&o.codes, "codes", defaultCodes, "comma-separated codes (or family prefixes) that count as N+1 findings")
	flag.StringVar(&o.work, "work", filepath.Join(os.TempDir(), "rubric-nplusone"), "cache of extracted trees, one directory per commit")
	flag.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file (- for stdout)")
	flag.StringVar(&o.only, "only", "", "regexp: measure only the cases and clean loops whose id matches")
	flag.BoolVar(&o.show, "show", false, "print each labelled range's source lines instead of running rubric")
	flag.Parse()
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "nplusone:", err)
		os.Exit(2)
	}
}

func run(o options, stdout, stderr io.Writer) error {
	if o.repos == "" {
		return errors.New("--repos DIR is required")
	}
	corpus, err := LoadCorpus(o.cases)
	if err != nil {
		return err
	}
	if o.only != "" {
		re, err := regexp.Compile(o.only)
		if err != nil {
			return fmt.Errorf("--only: %w", err)
		}
		corpus.Filter(re)
	}
	if o.show {
		return show(corpus, o.repos, stdout)
	}
	rubric, err := filepath.Abs(o.rubric)
	if err != nil {
		return err
	}
	if _, err := os.Stat(rubric); err != nil {
		return fmt.Errorf("--rubric: %w (build it with `make build`)", err)
	}
	codes := splitCodes(o.codes)
	start := time.Now()
	results := analyseAll(corpus.Trees(), o.repos, o.work, func(dir string) ([]Finding, error) {
		return runRubric(rubric, codes, dir)
	}, stderr)
	var cases []CaseResult
	for _, k := range corpus.Cases {
		before, after := results[Tree{k.Repo, k.Parent}], results[Tree{k.Repo, k.Fix}]
		r := JudgeCaseIn(k, before.findings, after.findings, TreeScope(treeDir(o.work, k.Repo, k.Parent)), TreeScope(treeDir(o.work, k.Repo, k.Fix)))
		if err := errors.Join(before.err, after.err); err != nil {
			r = CaseResult{ID: k.ID, Repo: k.Repo, Kind: k.Kind, Error: err.Error()}
		}
		cases = append(cases, r)
	}
	var clean []CleanResult
	for _, k := range corpus.Clean {
		res := results[Tree{k.Repo, k.Commit}]
		r := JudgeClean(k, res.findings)
		if res.err != nil {
			r = CleanResult{ID: k.ID, Repo: k.Repo, Error: res.err.Error()}
		}
		clean = append(clean, r)
	}
	totals := Summarise(cases, clean)
	if err := PrintTable(stdout, cases, clean, totals); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "nplusone: %d trees analysed in %s\n", len(results), time.Since(start).Round(time.Second))
	if o.jsonOut != "" {
		return writeJSON(o.jsonOut, stdout, o.codes, cases, clean, totals)
	}
	return nil
}

func splitCodes(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

type treeResult struct {
	findings []Finding
	err      error
}

// analyseAll extracts and analyses each tree once, one after the other:
// rubric already uses every core on a tree.
func analyseAll(trees []Tree, repos, work string, analyse func(dir string) ([]Finding, error), log io.Writer) map[Tree]treeResult {
	out := map[Tree]treeResult{}
	for i, t := range trees {
		t0 := time.Now()
		fs, err := analyseTree(t, repos, work, analyse, log)
		out[t] = treeResult{fs, err}
		status := fmt.Sprintf("%d findings", len(fs))
		if err != nil {
			status = "error: " + err.Error()
		}
		fmt.Fprintf(log, "[%d/%d] %s %s: %s (%s)\n", i+1, len(trees), t.Repo, t.Commit[:12], status, time.Since(t0).Round(10*time.Millisecond))
	}
	return out
}

// treeDir is where a commit's tree is extracted under the work directory.
func treeDir(work, repo, commit string) string {
	return filepath.Join(work, strings.ReplaceAll(repo, "/", "+"), commit)
}

func analyseTree(t Tree, repos, work string, analyse func(dir string) ([]Finding, error), log io.Writer) ([]Finding, error) {
	git, err := FindRepo(repos, t.Repo)
	if err != nil {
		return nil, err
	}
	dir, missing, err := Extract(git, t.Commit, treeDir(work, t.Repo, t.Commit))
	if err != nil {
		return nil, err
	}
	if missing > 0 {
		fmt.Fprintf(log, "%s %s: %d files absent from the clone were skipped\n", t.Repo, t.Commit[:12], missing)
	}
	return analyse(dir)
}

// runRubric analyses dir as the working directory, so finding paths are
// relative to the tree's root, as the corpus's are.
func runRubric(rubric string, codes []string, dir string) ([]Finding, error) {
	cmd := exec.Command(rubric, "check", "--no-cache", "--select", strings.Join(codes, ","), "--format", "json", ".")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1 = findings
		return nil, fmt.Errorf("rubric: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return ParseFindings(&stdout, codes)
}

func writeJSON(path string, stdout io.Writer, codes string, cases []CaseResult, clean []CleanResult, t Totals) error {
	b, err := json.MarshalIndent(struct {
		Codes  string        `json:"codes"`
		Cases  []CaseResult  `json:"cases"`
		Clean  []CleanResult `json:"clean"`
		Totals Totals        `json:"totals"`
	}{codes, cases, clean, t}, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// show prints the source lines of every labelled range, to review labels.
func show(c *Corpus, repos string, w io.Writer) error {
	var errs []error
	printRange := func(id, what, repo, commit string, r Range) {
		git, err := FindRepo(repos, repo)
		if err == nil {
			var lines []string
			if lines, err = ShowLines(git, commit, r.File, r.Lines[0], r.Lines[1]); err == nil {
				fmt.Fprintf(w, "--- %s %s %s @%s\n", id, what, r, commit[:12])
				for i, l := range lines {
					fmt.Fprintf(w, "%6d  %s\n", r.Lines[0]+i, l)
				}
				return
			}
		}
		errs = append(errs, fmt.Errorf("%s %s: %w", id, what, err))
	}
	for _, k := range c.Cases {
		fmt.Fprintf(w, "=== %s [%s] %s: %s\n", k.ID, strings.Join(k.Kind, ","), k.Relation, k.Description)
		printRange(k.ID, "loop", k.Repo, k.Parent, k.Loop)
		printRange(k.ID, "access", k.Repo, k.Parent, k.Access)
		printRange(k.ID, "fixed_access", k.Repo, k.Fix, k.FixedAccess)
	}
	for _, k := range c.Clean {
		fmt.Fprintf(w, "=== %s (clean): %s\n", k.ID, k.Why)
		printRange(k.ID, "clean", k.Repo, k.Commit, k.Range)
	}
	return errors.Join(errs...)
}
