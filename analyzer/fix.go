package analyzer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// Applicability says when a fix may be applied without a person looking at
// it, after ruff's three levels. The zero value is Unsafe: a fix whose rule
// did not say otherwise is offered, never applied by a plain --fix.
type Applicability int

const (
	// Unsafe fixes may change what the program does (a deferred side
	// effect, a stricter parser, a different query): applied only with
	// --unsafe-fixes.
	Unsafe Applicability = iota
	// Safe fixes keep the program's meaning and remove the finding:
	// applied by --fix.
	Safe
	// DisplayOnly fixes are shown as a suggestion and never applied.
	DisplayOnly
)

// String returns "safe", "unsafe" or "display-only".
func (a Applicability) String() string {
	switch a {
	case Safe:
		return "safe"
	case DisplayOnly:
		return "display-only"
	}
	return "unsafe"
}

// ParseApplicability reads the names String returns.
func ParseApplicability(s string) (Applicability, error) {
	switch s {
	case "safe":
		return Safe, nil
	case "unsafe":
		return Unsafe, nil
	case "display-only":
		return DisplayOnly, nil
	}
	return 0, fmt.Errorf("unknown applicability %q (want safe, unsafe or display-only)", s)
}

// Applies reports whether a fix of this applicability is applied when
// unsafe fixes are (or are not) allowed.
func (a Applicability) Applies(unsafe bool) bool {
	return a == Safe || (a == Unsafe && unsafe)
}

// ApplyEdits applies non-overlapping edits to src. Edits are sorted first;
// overlapping edits are an error.
func ApplyEdits(src []byte, edits []TextEdit) ([]byte, error) {
	es := append([]TextEdit(nil), edits...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Start < es[j].Start })
	var out []byte
	last := 0
	for _, e := range es {
		if e.Start < last || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("edit [%d,%d) overlaps or is out of range", e.Start, e.End)
		}
		out = append(out, src[last:e.Start]...)
		out = append(out, e.NewText...)
		last = e.End
	}
	out = append(out, src[last:]...)
	return out, nil
}

// FixOptions configure FixRounds.
type FixOptions struct {
	// Unsafe applies unsafe fixes too (--unsafe-fixes).
	Unsafe bool
	// MaxRounds bounds the analyse-and-apply rounds; 0 means 10.
	MaxRounds int
	// Filter, when set, drops from each round's result the diagnostics the
	// caller does not report (per-file ignores, a baseline): what is not
	// reported is not fixed.
	Filter func(*Result)
	// KeepFirst keeps the first round's result in FixResult.First (it
	// holds every tree of the project until the rounds end).
	KeepFirst bool
}

// FixRecord is one fix applied or refused.
type FixRecord struct {
	Path    string // display path of the diagnostic's file
	Line    int
	Code    string
	Name    string
	Message string // the fix's description
	Reason  string // why a fix was refused; "" when applied
}

// FixResult is the outcome of FixRounds. Nothing is written: Write does.
type FixResult struct {
	// Result is the analysis of the fixed sources (the last round's);
	// First is the analysis before any fix (with FixOptions.KeepFirst).
	Result, First *Result
	// Before and After hold, by display path, the bytes of every file a
	// fix changed, before the first round and after the last.
	Before, After map[string][]byte
	// Disk maps each changed display path to the path it was read from;
	// Encoding to its declared encoding (PEP 263) when not UTF-8: Before
	// and After are UTF-8 text, written back in that encoding.
	Disk     map[string]string
	Encoding map[string]string
	Applied  []FixRecord
	Rejected []FixRecord
	// Converged is false when fixes were still being applied in the last
	// round allowed.
	Converged bool
}

// Changed lists the display paths of changed files, sorted.
func (fr *FixResult) Changed() []string {
	var out []string
	for p, b := range fr.After {
		if !bytes.Equal(b, fr.Before[p]) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// FixRounds analyses the paths and applies the first fix of each finding
// whose applicability allows it, in rounds until no fix applies (at most
// opts.MaxRounds): fixes whose edits overlap one already chosen wait for
// the next round, which re-analyses the fixed sources. Every fixed file is
// parsed again; a fix that makes a file fail to parse is dropped and
// recorded in Rejected. Files with a syntax error are never fixed. Line
// endings follow the file (a CRLF file stays CRLF) and the final newline is
// kept as it was. Nothing is written to disk.
func FixRounds(ctx context.Context, cfg Config, paths []string, opts FixOptions) (*FixResult, error) {
	max := opts.MaxRounds
	if max <= 0 {
		max = 10
	}
	overlay := map[string][]byte{}
	for k, v := range cfg.Sources {
		overlay[k] = v
	}
	fr := &FixResult{Before: map[string][]byte{}, After: map[string][]byte{}, Disk: map[string]string{}, Encoding: map[string]string{}}
	rejected := map[string]bool{} // fixes refused once are not tried again
	if cfg.Trees == nil {
		// Rounds after the first parse only the files a fix changed.
		cfg.Trees = &memoryTrees{m: map[[32]byte]*pyast.Tree{}}
	}
	for round := 0; ; round++ {
		cfg.Sources = overlay
		res, err := Run(ctx, cfg, paths)
		if err != nil {
			return nil, err
		}
		if opts.Filter != nil {
			opts.Filter(res)
		}
		fr.Result = res
		if round == 0 && opts.KeepFirst {
			fr.First = res
		}
		if round == max {
			fr.Converged = len(candidates(res, opts.Unsafe, rejected)) == 0
			break
		}
		changed := applyRound(res, candidates(res, opts.Unsafe, rejected), fr, rejected)
		if len(changed) == 0 {
			fr.Converged = true
			break
		}
		for rel, src := range changed {
			if _, seen := fr.Before[rel]; !seen {
				fr.Before[rel] = res.Files[rel].Src()
				fr.Disk[rel] = res.Files[rel].Path
				if enc := res.Files[rel].Encoding; enc != "" {
					fr.Encoding[rel] = enc
				}
			}
			src = keepFinalNewline(fr.Before[rel], src)
			// The next round reads the file as it would be written: in its
			// declared encoding.
			raw, err := source.Encode(src, fr.Encoding[rel])
			if err != nil {
				fr.Rejected = append(fr.Rejected, FixRecord{Path: rel, Reason: err.Error()})
				continue
			}
			fr.After[rel] = src
			overlay[rel] = raw
		}
	}
	sort.SliceStable(fr.Applied, func(i, j int) bool { return lessRecord(fr.Applied[i], fr.Applied[j]) })
	sort.SliceStable(fr.Rejected, func(i, j int) bool { return lessRecord(fr.Rejected[i], fr.Rejected[j]) })
	return fr, nil
}

func lessRecord(a, b FixRecord) bool {
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Code < b.Code
}

// candidate is a diagnostic's fix with its edits resolved to files.
type candidate struct {
	d     Diagnostic
	fix   Fix
	key   string
	edits map[string][]TextEdit // by display path
}

// candidates returns the fixes that may be applied this round, in
// diagnostic order (the result is sorted, so the order is deterministic).
func candidates(res *Result, unsafe bool, rejected map[string]bool) []*candidate {
	var out []*candidate
	for _, d := range res.Diagnostics {
		if len(d.Fixes) == 0 || !d.Fixes[0].Applicability.Applies(unsafe) {
			continue
		}
		c := &candidate{d: d, fix: d.Fixes[0], edits: map[string][]TextEdit{}}
		ok := len(c.fix.Edits) > 0
		for _, e := range c.fix.Edits {
			p := e.Path
			if p == "" {
				p = d.Path
			}
			f := res.Files[p]
			if f == nil || e.Start < 0 || e.End < e.Start || e.End > len(f.Src()) || brokenFile(res, p) {
				ok = false
				break
			}
			c.edits[p] = append(c.edits[p], e)
		}
		if !ok {
			continue
		}
		c.key = fixKey(c)
		if rejected[c.key] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// fixKey identifies a fix by what it does, so that a fix refused in one
// round is not tried again in the next (its file being unchanged).
func fixKey(c *candidate) string {
	var b strings.Builder
	paths := make([]string, 0, len(c.edits))
	for p := range c.edits {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, e := range c.edits[p] {
			fmt.Fprintf(&b, "%s:%d:%d:%q;", p, e.Start, e.End, e.NewText)
		}
	}
	return b.String()
}

func brokenFile(res *Result, rel string) bool {
	if res.Index == nil {
		return true
	}
	u := res.Index.ByPath[rel]
	return u == nil || u.Tree.Root().HasError()
}

// overlaps reports whether two edits touch: overlapping ranges, or an
// insertion at the edge of the other (whose order would be ambiguous).
func overlaps(a, b TextEdit) bool {
	if a.Start < b.End && b.Start < a.End {
		return true
	}
	if a.Start == a.End || b.Start == b.End {
		return a.Start <= b.End && b.Start <= a.End
	}
	return false
}

// applyRound chooses non-overlapping candidates, applies them, re-parses
// each changed file and drops the fixes that break parsing. It returns the
// new bytes of the changed files and records what it applied or refused.
func applyRound(res *Result, cands []*candidate, fr *FixResult, rejected map[string]bool) map[string][]byte {
	var chosen []*candidate
	taken := map[string][]TextEdit{}
	for _, c := range cands {
		clash := false
		for p, es := range c.edits {
			for _, e := range es {
				for _, t := range taken[p] {
					if overlaps(e, t) {
						clash = true
					}
				}
			}
		}
		if clash {
			continue // the next round sees it again, re-analysed
		}
		chosen = append(chosen, c)
		for p, es := range c.edits {
			taken[p] = append(taken[p], es...)
		}
	}
	refuse := func(c *candidate, reason string) {
		rejected[c.key] = true
		fr.Rejected = append(fr.Rejected, record(c, reason))
	}
	// A fix that breaks its file alone is refused; then the rest are
	// applied together and, should they still break a file together, the
	// fixes touching that file wait (refused) too.
	for {
		out, broken := applyChosen(res, chosen)
		if len(broken) == 0 {
			for _, c := range chosen {
				fr.Applied = append(fr.Applied, record(c, ""))
			}
			return out
		}
		var keep []*candidate
		for _, c := range chosen {
			touches := false
			for p := range c.edits {
				touches = touches || broken[p]
			}
			if !touches {
				keep = append(keep, c)
				continue
			}
			if _, alone := applyChosen(res, []*candidate{c}); len(alone) > 0 {
				refuse(c, "the fixed file would not parse")
				continue
			}
			keep = append(keep, c)
		}
		if len(keep) == len(chosen) {
			// Each is fine alone but not together: refuse those in the
			// broken files.
			keep = keep[:0]
			for _, c := range chosen {
				touches := false
				for p := range c.edits {
					touches = touches || broken[p]
				}
				if touches {
					refuse(c, "the fixed file would not parse together with other fixes")
				} else {
					keep = append(keep, c)
				}
			}
		}
		chosen = keep
	}
}

func record(c *candidate, reason string) FixRecord {
	return FixRecord{Path: c.d.Path, Line: c.d.Pos.Line, Code: c.d.Code, Name: c.d.Name, Message: c.fix.Message, Reason: reason}
}

// applyChosen applies the candidates' edits file by file and returns the
// new sources and the files that no longer parse.
func applyChosen(res *Result, chosen []*candidate) (map[string][]byte, map[string]bool) {
	byFile := map[string][]TextEdit{}
	for _, c := range chosen {
		for p, es := range c.edits {
			byFile[p] = append(byFile[p], es...)
		}
	}
	out := map[string][]byte{}
	broken := map[string]bool{}
	for p, es := range byFile {
		src := res.Files[p].Src()
		if crlf(src) {
			for i := range es {
				es[i].NewText = toCRLF(es[i].NewText)
			}
		}
		fixed, err := ApplyEdits(src, es)
		if err != nil || !parses(fixed) {
			broken[p] = true
			continue
		}
		out[p] = fixed
	}
	return out, broken
}

func parses(src []byte) bool {
	t, err := pyast.Parse(src)
	return err == nil && !t.Root().HasError()
}

// crlf reports whether a file's first line ends with CRLF.
func crlf(src []byte) bool {
	i := bytes.IndexByte(src, '\n')
	return i > 0 && src[i-1] == '\r'
}

// toCRLF turns the bare LFs of s into CRLFs.
func toCRLF(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// keepFinalNewline gives after the final line ending before had, or its
// absence.
func keepFinalNewline(before, after []byte) []byte {
	had := bytes.HasSuffix(before, []byte("\n"))
	has := bytes.HasSuffix(after, []byte("\n"))
	switch {
	case had && !has && len(after) > 0:
		nl := "\n"
		if bytes.HasSuffix(before, []byte("\r\n")) {
			nl = "\r\n"
		}
		return append(after[:len(after):len(after)], nl...)
	case !had && has:
		after = bytes.TrimSuffix(after, []byte("\n"))
		return bytes.TrimSuffix(after, []byte("\r"))
	}
	return after
}

// ErrChangedOnDisk is returned by Write when a file changed since it was
// analysed: it is left alone rather than overwritten.
var ErrChangedOnDisk = errors.New("changed on disk since it was analysed; not written")

// Write writes every changed file atomically (a temporary file in the
// same directory, renamed over the original), keeping its permissions. A
// file whose bytes on disk are no longer those analysed (edited meanwhile,
// or decoded from another encoding) is not written. It returns the error of
// each file not written, by display path.
func (fr *FixResult) Write() map[string]error {
	errs := map[string]error{}
	for _, rel := range fr.Changed() {
		if err := writeFixed(fr.Disk[rel], fr.Before[rel], fr.After[rel], fr.Encoding[rel]); err != nil {
			errs[rel] = err
		}
	}
	return errs
}

func writeFixed(path string, before, after []byte, enc string) error {
	// Compared and written in the file's own encoding.
	before, err := source.Encode(before, enc)
	if err != nil {
		return err
	}
	if after, err = source.Encode(after, enc); err != nil {
		return err
	}
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("not a regular file; not written")
	}
	disk, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(disk, before) {
		return ErrChangedOnDisk
	}
	return WriteFileAtomic(path, after, st.Mode().Perm())
}

// memoryTrees caches parsed trees by content for the rounds of one
// FixRounds call.
type memoryTrees struct {
	mu sync.Mutex
	m  map[[32]byte]*pyast.Tree
}

func (c *memoryTrees) Get(src []byte) *pyast.Tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[sha256.Sum256(src)]
}

// SharesTrees marks the cache as one that hands the same tree to every
// file of the same content (sharesTrees).
func (c *memoryTrees) SharesTrees() {}

func (c *memoryTrees) Put(src []byte, t *pyast.Tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[sha256.Sum256(src)] = t
}

// WriteFileAtomic writes data to a temporary file beside path and renames
// it over path, so that a reader sees the old or the new content, never a
// part of it.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rubric-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(name, perm); err != nil {
		return err
	}
	return os.Rename(name, path)
}
