package report

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/internal/safeio"
	"github.com/rubric-dev/rubric/report/archive"
)

// GradeOptions drive a batch.
type GradeOptions struct {
	OutDir    string
	Anonymize bool
	Limits    archive.Limits
	// Budget bounds each submission; one over it becomes an error row and
	// the batch goes on. Zero fields take DefaultBudget's.
	Budget    Budget
	Rules     []*analyzer.Rule
	Jobs      int
	Version   string
	Now       func() time.Time
	Checklist *Checklist
	// RespectSuppressions leaves out the findings the submissions'
	// suppression comments silence (by default they count).
	RespectSuppressions bool
	// Salt keys the anonymous labels (HMAC-SHA256 of the name): the same
	// salt gives the same labels in every batch. Empty means a random salt
	// for this batch, so labels cannot be matched to names by hashing
	// candidate names.
	Salt string
	// Progress, when set, is called before each submission and once at the end.
	Progress func(done, total int, name string)
}

// Budget bounds what one submission of a batch may cost. Parsing is also
// bounded per file by work (pyast.WorkLimit), so the same submission
// always gets the same answer; the wall-clock budget is a backstop.
type Budget struct {
	MaxFiles int           // Python files analysed
	MaxBytes int64         // their total size: memory grows with it
	Timeout  time.Duration // unpacking and analysis
}

// DefaultBudget: 2,000 Python files, 8 MiB of Python, 5 minutes. A
// take-home is tens of files and well under 1 MiB. Peak memory grows with
// the bytes analysed: about 22 bytes per byte of ordinary Python (the
// standard library: 31.5 MB, 690 MB peak), up to about 150 for dense or
// error-ridden code, so 8 MiB stays near or under 1.3 GB (docs/checklist.md).
var DefaultBudget = Budget{MaxFiles: 2000, MaxBytes: 8 << 20, Timeout: 5 * time.Minute}

func (b Budget) orDefault() Budget {
	if b.MaxFiles <= 0 {
		b.MaxFiles = DefaultBudget.MaxFiles
	}
	if b.MaxBytes <= 0 {
		b.MaxBytes = DefaultBudget.MaxBytes
	}
	if b.Timeout <= 0 {
		b.Timeout = DefaultBudget.Timeout
	}
	return b
}

// Graded is one row of the index.
type Graded struct {
	Input  string  // as given on the command line
	Label  string  // name shown (anonymised label with --anonymize)
	Slug   string  // file stem of its reports
	Report *Report // once its files are written, what the index reads of it (no evidence)
	Err    string  // why no report was made
}

// Grade analyses every submission (directory or archive), writes
// OUT/<slug>.md and OUT/<slug>.html for each, and index.md, index.html and
// index.csv comparing them. Archives are unpacked into private temporary
// directories that are removed afterwards, also when ctx is cancelled
// (SIGINT): Grade then stops and returns ctx's error. Reports a previous
// batch wrote into OutDir and this one does not produce are removed (the
// batch keeps a list of its files in OutDir/.rubric-batch); files rubric
// did not write are left alone.
func Grade(ctx context.Context, inputs []string, o GradeOptions) ([]Graded, error) {
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	var rows []Graded
	if o.Anonymize && o.Salt == "" {
		o.Salt = randomSalt()
	}
	produced := []string{"index.md", "index.html", "index.csv", "index.json"}
	// Slugs are unique among all taken, case-insensitively (two
	// archives with one base name; a file system that folds case).
	taken := map[string]bool{"index": true}
	labels, slugs := make([]string, len(inputs)), make([]string, len(inputs))
	for i, in := range inputs {
		labels[i] = submissionLabel(in, o)
		slugs[i] = uniqueSlug(taken, slug(labels[i]))
		produced = append(produced, slugs[i]+".md", slugs[i]+".html", slugs[i]+".json")
	}
	// The manifest lists the previous batch's files and this one's before
	// anything is written, so that an interrupted batch is cleaned up by
	// the next.
	previous := readManifest(o.OutDir)
	if err := writeManifest(o.OutDir, append(append([]string{}, previous...), produced...)); err != nil {
		return nil, err
	}
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		if o.Progress != nil {
			o.Progress(i, len(inputs), in)
		}
		g := gradeOne(ctx, in, labels[i], o)
		if err := ctx.Err(); err != nil {
			return rows, err // interrupted: no row from a cut analysis
		}
		g.Slug = slugs[i]
		if g.Report != nil {
			if err := writeReportFiles(o.OutDir, g.Slug, g.Report); err != nil {
				return rows, err
			}
			g.Report = g.Report.indexView() // the index needs no more (gradememory.go)
		}
		rows = append(rows, g)
	}
	if o.Progress != nil {
		o.Progress(len(inputs), len(inputs), "")
	}
	cl := orDefault(o.Checklist)
	idx := &Index{Rows: rows, Areas: cl.Areas, Version: o.Version, At: clock(o.Now)().UTC(), Checklist: cl.Name}
	for _, w := range []struct {
		name  string
		write func(io.Writer, *Index) error
	}{{"index.md", WriteIndexMarkdown}, {"index.html", WriteIndexHTML}, {"index.csv", WriteIndexCSV}, {"index.json", WriteIndexJSON}} {
		if err := writeFile(filepath.Join(o.OutDir, w.name), func(f io.Writer) error { return w.write(f, idx) }); err != nil {
			return rows, err
		}
	}
	var keep []string
	for _, g := range rows {
		if g.Report != nil {
			keep = append(keep, g.Slug+".md", g.Slug+".html", g.Slug+".json")
		}
	}
	keep = append(keep, "index.md", "index.html", "index.csv", "index.json")
	removeStale(o.OutDir, previous, keep)
	if err := writeManifest(o.OutDir, keep); err != nil {
		return rows, err
	}
	return rows, nil
}

// submissionLabel is the name a submission is shown under.
func submissionLabel(in string, o GradeOptions) string {
	name := filepath.Base(filepath.Clean(in))
	if archive.IsArchive(in) {
		name = archive.Name(in)
	}
	if o.Anonymize {
		return AnonymousLabel(name, o.Salt)
	}
	return name
}

// manifestName lists the files the last batch wrote into its --out.
const manifestName = ".rubric-batch"

func readManifest(dir string) []string {
	data, err := safeio.ReadFileIn(dir, manifestName, 1<<20)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		// Only plain names in dir, never a path elsewhere.
		if l != "" && l == filepath.Base(l) && l != "." && l != ".." && l != manifestName {
			out = append(out, l)
		}
	}
	return out
}

func writeManifest(dir string, names []string) error {
	seen := map[string]bool{}
	var b strings.Builder
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			b.WriteString(n + "\n")
		}
	}
	return safeio.WriteBytes(filepath.Join(dir, manifestName), 0o644, []byte(b.String()))
}

// removeStale removes what the previous batch wrote and this one did not:
// regular files only, named in the previous manifest.
func removeStale(dir string, previous, keep []string) {
	kept := map[string]bool{}
	for _, k := range keep {
		kept[k] = true
	}
	for _, p := range previous {
		if kept[p] {
			continue
		}
		full := filepath.Join(dir, p)
		if st, err := os.Lstat(full); err == nil && st.Mode().IsRegular() {
			os.Remove(full)
		}
	}
}

func gradeOne(ctx context.Context, in, label string, o GradeOptions) (g Graded) {
	g = Graded{Input: in, Label: label}
	budget := o.Budget.orDefault()
	ctx, cancel := context.WithTimeout(ctx, budget.Timeout)
	defer cancel()
	name := filepath.Base(filepath.Clean(in))
	if archive.IsArchive(in) {
		name = archive.Name(in)
	}
	idents := []string{name, in}
	if o.Anonymize {
		// An error row never shows the name either.
		defer func() {
			if g.Err != "" {
				g.Err = anonymizer(idents, g.Label)(g.Err)
			}
		}()
	}
	dir := in
	var skipped []string
	tmp := ""
	fail := func(err error) Graded {
		msg := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			msg = fmt.Sprintf("over its time budget of %s; not graded", budget.Timeout)
		}
		if tmp != "" {
			// Never show the private directory.
			msg = strings.ReplaceAll(msg, tmp+string(filepath.Separator), "")
			msg = strings.ReplaceAll(msg, tmp, name)
		}
		g.Err = msg
		return g
	}
	if archive.IsArchive(in) {
		name = archive.Name(in)
		var err error
		if tmp, err = os.MkdirTemp("", "rubric-grade-"); err != nil {
			return fail(err)
		}
		defer os.RemoveAll(tmp)
		res, err := archive.Extract(ctx, in, tmp, o.Limits)
		if err != nil {
			return fail(err)
		}
		dir = res.Root
		for _, s := range res.Skipped {
			skipped = append(skipped, s.String())
		}
	} else if st, err := os.Stat(in); err != nil || !st.IsDir() {
		g.Err = "not a directory or a .zip/.tar.gz/.tgz/.tar archive"
		return g
	}
	if err := withinBudget(dir, budget); err != nil {
		return fail(err)
	}
	r, err := Analyze(ctx, dir, o.Rules, o.Jobs, Options{Name: name, Version: o.Version, Now: o.Now, Checklist: o.Checklist,
		Skipped: skipped, RespectSuppressions: o.RespectSuppressions})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fail(err)
	}
	if r.Header.PythonFiles == 0 {
		g.Err = fmt.Sprintf("no analysable Python file (%s)", plural(r.Header.Files, "file", "files"))
		return g
	}
	if o.Anonymize {
		idents = append(idents, filepath.Base(dir))
		Anonymize(r, label, append(idents, r.identities...))
	}
	g.Report = r
	return g
}

// withinBudget counts the Python files a run over dir would analyse and
// their size, before any is read.
func withinBudget(dir string, b Budget) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	inputs := analyzer.DiscoverIsolated([]string{abs}, abs, nil)
	if len(inputs) > b.MaxFiles {
		return fmt.Errorf("over its budget: more than %d Python files (%d); not graded", b.MaxFiles, len(inputs))
	}
	var total int64
	for _, in := range inputs {
		if st, err := os.Lstat(in.Path); err == nil {
			total += st.Size()
		}
		if total > b.MaxBytes {
			return fmt.Errorf("over its budget: more than %d bytes of Python; not graded", b.MaxBytes)
		}
	}
	return nil
}

// AnonymousLabel is the label of a submission name under a salt:
// "candidate-" and six hex digits of HMAC-SHA256(salt, name). The same
// name and salt always give the same label; without the salt, a label
// cannot be traced back by hashing candidate names.
func AnonymousLabel(name, salt string) string {
	mac := hmac.New(sha256.New, []byte(salt))
	mac.Write([]byte(strings.ToLower(strings.TrimSpace(name))))
	return "candidate-" + hex.EncodeToString(mac.Sum(nil))[:6]
}

func randomSalt() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 16)
	}
	return hex.EncodeToString(b)
}

// Anonymize replaces every identifying string (submission and directory
// names, git authors and their e-mails, the README's title, and the words of
// those names of four letters or more) with the label, case-insensitively,
// everywhere in the report except the directory part of evidence paths.
func Anonymize(r *Report, label string, idents []string) {
	rep := anonymizer(idents, label)
	r.Header.Name = label
	// Directories inside the submission are package names ("galileo/"),
	// kept so that evidence stays findable; file names are anonymised.
	repPath := func(p string) string {
		dir, base := path.Split(p)
		return dir + rep(base)
	}
	evs := func(es []Evidence) {
		for i := range es {
			es[i].Path, es[i].Code, es[i].Note = repPath(es[i].Path), rep(es[i].Code), rep(es[i].Note)
			es[i].Suppressed = rep(es[i].Suppressed)
			for j := range es[i].Also {
				es[i].Also[j] = repPath(es[i].Also[j])
			}
		}
	}
	for ai := range r.Areas {
		for ii := range r.Areas[ai].Items {
			it := &r.Areas[ai].Items[ii]
			it.Reason, it.Question = rep(it.Reason), rep(it.Question)
			evs(it.Evidence)
		}
	}
	for i := range r.Signals {
		r.Signals[i].Evidence = append([]Evidence(nil), r.Signals[i].Evidence...)
		evs(r.Signals[i].Evidence)
	}
	evs(r.Unmapped)
	for i := range r.Skipped {
		r.Skipped[i] = rep(r.Skipped[i])
	}
	for i := range r.Suppressions {
		s := &r.Suppressions[i]
		s.Path, s.Code = repPath(s.Path), rep(s.Code)
		s.Hides = append([]Evidence(nil), s.Hides...)
		evs(s.Hides)
	}
	for i := range r.Models {
		r.Models[i].Path = repPath(r.Models[i].Path)
	}
	r.Endpoints = append([]Endpoint(nil), r.Endpoints...)
	for i := range r.Endpoints {
		anonymizeEndpoint(&r.Endpoints[i], rep, repPath)
	}
	r.identities = nil
}

// anonymizeEndpoint rewrites an endpoint row's names and places on copies
// of its lists (the inventory shares them).
func anonymizeEndpoint(e *Endpoint, rep, repPath func(string) string) {
	e.Path, e.Route, e.View, e.Auth = repPath(e.Path), rep(e.Route), rep(e.View), rep(e.Auth)
	all := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = rep(x)
		}
		if xs == nil {
			return nil
		}
		return out
	}
	e.Reads, e.Writes, e.HTTPCalls, e.Tasks = all(e.Reads), all(e.Writes), all(e.HTTPCalls), all(e.Tasks)
	if e.Webhook != nil {
		w := *e.Webhook
		w.Signals = all(w.Signals)
		e.Webhook = &w
	}
	for _, at := range []**Evidence{&e.AuthAt, &e.VerifiedAt} {
		if *at != nil {
			ev := **at
			ev.Path, ev.Code = repPath(ev.Path), rep(ev.Code)
			*at = &ev
		}
	}
	e.view.Path, e.view.Code = repPath(e.view.Path), rep(e.view.Code)
}

// anonymizer returns a function replacing every identifying string (the
// idents, and their words of four letters or more) with label,
// case-insensitively, longest first.
func anonymizer(idents []string, label string) func(string) string {
	var pats []string
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) < 3 || seen[strings.ToLower(s)] {
			return
		}
		seen[strings.ToLower(s)] = true
		pats = append(pats, regexp.QuoteMeta(s))
	}
	for _, id := range idents {
		add(id)
		for _, w := range strings.FieldsFunc(id, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') }) {
			if len(w) >= 4 && !commonWord[strings.ToLower(w)] {
				add(w)
			}
		}
	}
	if len(pats) == 0 {
		return func(s string) string { return s }
	}
	sortByLenDesc(pats)
	re := regexp.MustCompile(`(?i)` + strings.Join(pats, "|"))
	return func(s string) string { return re.ReplaceAllString(s, label) }
}

// commonWord lists words of submission names that identify nobody.
var commonWord = map[string]bool{
	"take": true, "home": true, "takehome": true, "submission": true, "challenge": true, "project": true,
	"test": true, "main": true, "master": true, "final": true, "django": true, "python": true, "code": true,
	"interview": true, "assignment": true, "exercise": true, "solution": true, "repo": true,
	"integration": true, "sample": true, "service": true,
	"errors": true, "error": true, "readme": true, "with": true, "from": true, "into": true,
}

func sortByLenDesc(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && len(s[j]) > len(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

var slugRe = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

func slug(s string) string {
	s = strings.Trim(slugRe.ReplaceAllString(s, "-"), "-.")
	if s == "" || s == "index" {
		s = "submission"
	}
	return s
}

// uniqueSlug returns s, or s-2, s-3... the first not already taken
// (compared case-insensitively), and takes it.
func uniqueSlug(taken map[string]bool, s string) string {
	cand := s
	for n := 2; taken[strings.ToLower(cand)]; n++ {
		cand = s + "-" + strconv.Itoa(n)
	}
	taken[strings.ToLower(cand)] = true
	return cand
}

func writeReportFiles(dir, stem string, r *Report) error {
	if err := writeFile(filepath.Join(dir, stem+".md"), func(w io.Writer) error { return WriteMarkdown(w, r) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, stem+".json"), func(w io.Writer) error { return WriteJSON(w, r) }); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, stem+".html"), func(w io.Writer) error { return WriteHTML(w, r) })
}

// writeFile writes atomically: an interrupted batch leaves the previous
// file as it was.
func writeFile(name string, write func(io.Writer) error) error {
	return safeio.WriteFile(name, 0o644, write)
}

// Index compares graded submissions.
type Index struct {
	Rows      []Graded
	Areas     []AreaSpec
	Version   string
	At        time.Time
	Checklist string
}

// Completion is the share of applicable items that are met.
func (g Graded) Completion() (met, applicable int) {
	if g.Report == nil {
		return 0, 0
	}
	for _, a := range g.Report.Areas {
		met += a.Counts.Met
		applicable += a.Counts.Met + a.Counts.NotMet + a.Counts.NotObserved
	}
	return met, applicable
}

// CompletionText is "12/20 (60%)".
func (g Graded) CompletionText() string {
	met, app := g.Completion()
	if app == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%d%%)", met, app, met*100/app)
}

// KeyFindings are the titles of the first not-met items, heaviest first.
func (g Graded) KeyFindings(n int) []string {
	if g.Report == nil {
		return nil
	}
	var out []string
	for _, heavy := range []bool{true, false} {
		for _, a := range g.Report.Areas {
			for _, it := range a.Items {
				if it.Status == NotMet && (it.Weight >= 1) == heavy {
					out = append(out, it.Title)
				}
			}
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Area returns the named area of the row's report.
func (g Graded) Area(id string) *Area {
	if g.Report == nil {
		return nil
	}
	for i := range g.Report.Areas {
		if g.Report.Areas[i].ID == id {
			return &g.Report.Areas[i]
		}
	}
	return nil
}

// WriteIndexMarkdown renders the index as Markdown.
func WriteIndexMarkdown(w io.Writer, ix *Index) error {
	var b strings.Builder
	p := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	p("# Submissions compared\n\n> %s\n\n", Disclaimer)
	p("%d submissions; checklist: %s; rubric %s; analysed at %s.\n\n", len(ix.Rows), mdText(ix.Checklist), mdText(ix.Version), ix.At.Format(time.RFC3339))
	p("| Submission | Completion | Not met | Not observed | Findings | Tests | Migrations | Models | Syntax errors | Key findings |\n")
	p("|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, g := range ix.Rows {
		if g.Report == nil {
			p("| %s | not graded: %s | | | | | | | | |\n", mdCell(g.Label), mdCell(g.Err))
			continue
		}
		h := g.Report.Header
		var nm, hu int
		for _, a := range g.Report.Areas {
			nm += a.Counts.NotMet
			hu += a.Counts.NotObserved
		}
		p("| [%s](%s.md) ([html](%s.html)) | %s | %d | %d | %d | %d | %d | %d | %d | %s |\n", mdCell(g.Label), g.Slug, g.Slug,
			g.CompletionText(), nm, hu, h.Findings, h.TestFiles, h.Migrations, h.Models, h.SyntaxErrors, mdCell(strings.Join(g.KeyFindings(3), "; ")))
	}
	p("\n## Per area (met / not met, suggested band)\n\n| Submission |")
	for _, a := range ix.Areas {
		p(" %s |", mdCell(a.Title))
	}
	p("\n|---|")
	for range ix.Areas {
		p("---|")
	}
	p("\n")
	for _, g := range ix.Rows {
		p("| %s |", mdCell(g.Label))
		for _, a := range ix.Areas {
			if ar := g.Area(a.ID); ar != nil {
				p(" %d / %d, %s |", ar.Counts.Met, ar.Counts.NotMet, mdCell(ar.Band.Label))
			} else {
				p(" - |")
			}
		}
		p("\n")
	}
	_, err := io.WriteString(w, printer.EscapeControls(b.String()))
	return err
}

// WriteIndexCSV renders the index as CSV, one row per submission.
func WriteIndexCSV(w io.Writer, ix *Index) error {
	cw := csv.NewWriter(w)
	head := []string{"submission", "report_md", "report_html", "error", "files", "python_lines", "test_files", "migrations", "models",
		"syntax_errors", "findings", "met", "not_met", "not_observed", "not_applicable", "completion_pct"}
	for _, a := range ix.Areas {
		head = append(head, a.ID+"_met", a.ID+"_not_met", a.ID+"_band")
	}
	head = append(head, "key_findings")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, g := range ix.Rows {
		row := []string{csvSafe(g.Label)}
		if g.Report == nil {
			row = append(row, "", "", csvSafe(g.Err))
			for len(row) < len(head) {
				row = append(row, "")
			}
			if err := cw.Write(row); err != nil {
				return err
			}
			continue
		}
		h := g.Report.Header
		var c Counts
		for _, a := range g.Report.Areas {
			c.Add(a.Counts)
		}
		met, app := g.Completion()
		pct := ""
		if app > 0 {
			pct = strconv.Itoa(met * 100 / app)
		}
		row = append(row, g.Slug+".md", g.Slug+".html", "", strconv.Itoa(h.Files), strconv.Itoa(h.PythonLines), strconv.Itoa(h.TestFiles),
			strconv.Itoa(h.Migrations), strconv.Itoa(h.Models), strconv.Itoa(h.SyntaxErrors), strconv.Itoa(h.Findings),
			strconv.Itoa(c.Met), strconv.Itoa(c.NotMet), strconv.Itoa(c.NotObserved), strconv.Itoa(c.NotApplicable), pct)
		for _, a := range ix.Areas {
			if ar := g.Area(a.ID); ar != nil {
				row = append(row, strconv.Itoa(ar.Counts.Met), strconv.Itoa(ar.Counts.NotMet), ar.Band.Label)
			} else {
				row = append(row, "", "", "")
			}
		}
		row = append(row, csvSafe(strings.Join(g.KeyFindings(5), "; ")))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formulas in names taken from submissions.
func csvSafe(s string) string {
	s = printer.EscapeControls(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
