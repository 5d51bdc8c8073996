// Command faults injects known defects into a copy of a Django project and
// checks that rubric reports each one: a field name misspelled in an ORM
// lookup (BUG001), an import removed (BUG005), an await dropped (BUG004), a
// serializer Meta.fields entry (BUG002) and an admin list_display entry
// (BUG012) misspelled. Mature projects have few real crashes; injected ones
// measure recall on real code. Sites are chosen syntactically, on the
// injector's own reading of the tree, never from rubric's output.
//
// The tree is read, copied (Python files only) and mutated in a temporary
// directory; nothing is written to it and no project code is kept.
//
//	go run ./scripts/faults --tree /tmp/saleor --rubric bin/rubric [--per 15] [--json out.json]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("faults", flag.ContinueOnError)
	fl.SetOutput(stderr)
	tree := fl.String("tree", "", "the project to copy and mutate (required)")
	bin := fl.String("rubric", "bin/rubric", "rubric binary")
	per := fl.Int("per", 15, "faults per kind (0: every candidate site, one per file)")
	jsonOut := fl.String("json", "", "also write the faults and verdicts as JSON")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *tree == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: faults --tree DIR [--rubric bin/rubric] [--per N] [--json FILE]")
		return 2
	}
	res, err := inject(*tree, *bin, *per)
	if err != nil {
		fmt.Fprintln(stderr, "faults:", err)
		return 2
	}
	printResults(stdout, res)
	if *jsonOut != "" {
		data, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*jsonOut, data, 0o644); err != nil {
			fmt.Fprintln(stderr, "faults:", err)
			return 2
		}
	}
	return 0
}

// Result is one injected fault and whether rubric reported it.
type Result struct {
	Fault
	Caught bool `json:"caught"`
	// Before is set when the original tree already had such a finding on
	// that line (the fault then proves nothing).
	Before bool `json:"before,omitempty"`
}

// finding is what the injector reads of rubric's JSON output.
type finding struct {
	Code    string `json:"code"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// product reports files the injector may mutate: product code as rubric
// classifies it (not tests, migrations, scripts, seed data or settings),
// outside vendored code and hidden directories (rubric does not walk them).
func product(rel string) bool {
	if semantic.FileRoles(rel, nil).Any(semantic.ProductCode | semantic.Settings) {
		return false
	}
	for _, part := range strings.Split(rel, "/") {
		switch {
		case part == "tests" || part == "test" || part == "migrations" || part == "node_modules" || part == "site-packages" ||
			strings.HasPrefix(part, ".") && part != ".":
			return false
		case strings.HasPrefix(part, "test_") || strings.HasSuffix(part, "_test.py") || part == "conftest.py":
			return false
		}
	}
	return true
}

// inject copies the tree's Python files twice (as they are, and with the
// faults), runs rubric on both and matches the expected findings.
func inject(tree, bin string, per int) ([]Result, error) {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	var files, candidates []*file
	err = filepath.WalkDir(tree, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".py") || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tree, path)
		rel = filepath.ToSlash(rel)
		t, err := pyast.Parse(src)
		if err != nil {
			return nil // unparsable: copied as is, never mutated
		}
		f := &file{rel: rel, src: src, tree: t}
		files = append(files, f)
		if product(rel) && !t.Root().HasError() {
			candidates = append(candidates, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	sort.Slice(candidates, func(i, j int) bool { return candidates[i].rel < candidates[j].rel })
	faults, edits := plan(candidates, per)
	if len(faults) == 0 {
		return nil, errors.New("no site to inject a fault into")
	}
	tmp, err := os.MkdirTemp("", "rubric-faults-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	orig, mut := filepath.Join(tmp, "orig"), filepath.Join(tmp, "mutated")
	for _, f := range files {
		if err := write(orig, f.rel, f.src); err != nil {
			return nil, err
		}
		src := f.src
		if e := edits[f.rel]; len(e) > 0 {
			src = apply(src, e)
		}
		if err := write(mut, f.rel, src); err != nil {
			return nil, err
		}
	}
	before, err := check(bin, orig)
	if err != nil {
		return nil, err
	}
	after, err := check(bin, mut)
	if err != nil {
		return nil, err
	}
	return verdicts(faults, before, after), nil
}

// verdicts matches each fault to a finding of its code on its line.
func verdicts(faults []Fault, before, after []finding) []Result {
	has := func(fs []finding, f Fault) bool {
		for _, x := range fs {
			if x.Code == f.Code && x.Path == f.Path && (x.Line == f.Line ||
				f.Name != "" && strings.HasPrefix(x.Message, "`"+f.Name+"` is not defined")) {
				return true
			}
		}
		return false
	}
	var out []Result
	for _, f := range faults {
		out = append(out, Result{Fault: f, Caught: has(after, f), Before: has(before, f)})
	}
	return out
}

func write(root, rel string, src []byte) error {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, src, 0o644)
}

// check runs `rubric check --no-cache --format json --select BUG .` in dir.
func check(bin, dir string) ([]finding, error) {
	cmd := exec.Command(bin, "check", "--no-cache", "--format", "json", "--select", "BUG", ".")
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		return nil, fmt.Errorf("rubric in %s: %v: %s", dir, err, errb.String())
	}
	var rep struct {
		Diagnostics []finding `json:"diagnostics"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return nil, fmt.Errorf("rubric's JSON: %w", err)
	}
	return rep.Diagnostics, nil
}

func printResults(w io.Writer, res []Result) {
	type tally struct{ n, caught int }
	by := map[string]*tally{}
	var order []string
	for _, r := range res {
		if by[r.Kind] == nil {
			by[r.Kind] = &tally{}
			order = append(order, r.Kind)
		}
		by[r.Kind].n++
		if r.Caught && !r.Before {
			by[r.Kind].caught++
		}
	}
	fmt.Fprintf(w, "%-18s %-7s %8s %7s %7s\n", "kind", "rule", "injected", "caught", "recall")
	total, caught := 0, 0
	for _, k := range order {
		t := by[k]
		code := ""
		for _, r := range res {
			if r.Kind == k {
				code = r.Code
				break
			}
		}
		fmt.Fprintf(w, "%-18s %-7s %8d %7d %6.0f%%\n", k, code, t.n, t.caught, 100*float64(t.caught)/float64(t.n))
		total += t.n
		caught += t.caught
	}
	fmt.Fprintf(w, "%-18s %-7s %8d %7d %6.0f%%\n", "all", "", total, caught, 100*float64(caught)/float64(max(total, 1)))
	fmt.Fprintln(w, "\nmissed:")
	for _, r := range res {
		if !r.Caught || r.Before {
			fmt.Fprintf(w, "  %s %s:%d %s\n", r.Kind, r.Path, r.Line, r.Change)
		}
	}
}
