package analyzer_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// replaceRule reports every node of type typ whose text is text, with a fix
// replacing it (or the node and what follows up to extra bytes) by with.
func replaceRule(code, typ, text, with string, a analyzer.Applicability) *analyzer.Rule {
	return &analyzer.Rule{Code: code, Name: "replace-" + code, Category: analyzer.Design,
		Severity: analyzer.Warning, Confidence: analyzer.High, Since: "0.1.0",
		Run: func(p *analyzer.Pass) error {
			for _, n := range pyast.FindAll(p.Root, typ) {
				if n.Text() != text {
					continue
				}
				d := analyzer.Diagnostic{Range: analyzer.RangeOf(n), Message: text}
				d.Fixes = []analyzer.Fix{{Message: "use " + with, Applicability: a,
					Edits: []analyzer.TextEdit{{Range: analyzer.RangeOf(n), NewText: with}}}}
				p.Report(d)
			}
			return nil
		}}
}

func fixDir(t *testing.T, files map[string]string, opts analyzer.FixOptions, rules ...*analyzer.Rule) (*analyzer.FixResult, string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o640))
	}
	cfg := analyzer.Config{Rules: append([]*analyzer.Rule{analyzer.SyntaxError}, rules...), WorkDir: dir, Jobs: 2}
	fr, err := analyzer.FixRounds(context.Background(), cfg, []string{dir}, opts)
	require.NoError(t, err)
	return fr, dir
}

func fixCodes(res *analyzer.Result) []string {
	var out []string
	for _, d := range res.Diagnostics {
		out = append(out, d.Code)
	}
	return out
}

func TestFixRoundsUntilStable(t *testing.T) {
	ab := replaceRule("FIX901", "identifier", "a", "b", analyzer.Safe)
	bc := replaceRule("FIX902", "identifier", "b", "c", analyzer.Safe)
	fr, _ := fixDir(t, map[string]string{"m.py": "x = a + a\n"}, analyzer.FixOptions{}, ab, bc)
	assert.Equal(t, "x = c + c\n", string(fr.After["m.py"]))
	assert.Equal(t, "x = a + a\n", string(fr.Before["m.py"]))
	assert.True(t, fr.Converged)
	assert.Empty(t, fixCodes(fr.Result), "the last round sees the fixed source")
	assert.Len(t, fr.Applied, 4) // two a->b, then two b->c
}

func TestFixOverlappingEditsWaitForTheNextRound(t *testing.T) {
	// Both fixes start at `b`; the first (the shorter range) is applied,
	// the other clashes and is judged again on the fixed source, where it
	// no longer applies.
	whole := replaceRule("FIX903", "binary_operator", "b + b", "b * 2", analyzer.Safe)
	bc := replaceRule("FIX902", "identifier", "b", "c", analyzer.Safe)
	fr, _ := fixDir(t, map[string]string{"m.py": "x = b + b\n"}, analyzer.FixOptions{}, whole, bc)
	assert.Equal(t, "x = c + c\n", string(fr.After["m.py"]))
	assert.Empty(t, fr.Rejected)
}

func TestFixBoundedRounds(t *testing.T) {
	// a -> a + a never converges.
	grow := replaceRule("FIX904", "identifier", "a", "(a)", analyzer.Safe)
	fr, _ := fixDir(t, map[string]string{"m.py": "x = a\n"}, analyzer.FixOptions{MaxRounds: 3}, grow)
	assert.False(t, fr.Converged)
	assert.Equal(t, "x = (((a)))\n", string(fr.After["m.py"]))
}

func TestFixThatBreaksParsingIsDropped(t *testing.T) {
	bad := replaceRule("FIX905", "identifier", "a", "a(", analyzer.Safe)
	good := replaceRule("FIX906", "identifier", "z", "y", analyzer.Safe)
	fr, _ := fixDir(t, map[string]string{"m.py": "x = a\nw = z\n"}, analyzer.FixOptions{}, bad, good)
	assert.Equal(t, "x = a\nw = y\n", string(fr.After["m.py"]))
	require.Len(t, fr.Rejected, 1)
	assert.Equal(t, "FIX905", fr.Rejected[0].Code)
	assert.Equal(t, 1, fr.Rejected[0].Line)
	assert.Contains(t, fr.Rejected[0].Reason, "would not parse")
	assert.Equal(t, []string{"FIX905"}, fixCodes(fr.Result))
}

func TestFixSkipsFilesWithSyntaxErrors(t *testing.T) {
	ab := replaceRule("FIX901", "identifier", "a", "b", analyzer.Safe)
	fr, _ := fixDir(t, map[string]string{"m.py": "x = a\ndef (:\n"}, analyzer.FixOptions{}, ab)
	assert.Empty(t, fr.Changed())
}

func TestFixApplicability(t *testing.T) {
	files := map[string]string{"m.py": "x = a\ny = u\nz = d\n"}
	rules := []*analyzer.Rule{
		replaceRule("FIX901", "identifier", "a", "b", analyzer.Safe),
		replaceRule("FIX907", "identifier", "u", "v", analyzer.Unsafe),
		replaceRule("FIX908", "identifier", "d", "e", analyzer.DisplayOnly),
	}
	fr, _ := fixDir(t, files, analyzer.FixOptions{}, rules...)
	assert.Equal(t, "x = b\ny = u\nz = d\n", string(fr.After["m.py"]))
	fr, _ = fixDir(t, files, analyzer.FixOptions{Unsafe: true}, rules...)
	assert.Equal(t, "x = b\ny = v\nz = d\n", string(fr.After["m.py"]))
	assert.Equal(t, []string{"FIX908"}, fixCodes(fr.Result))
}

func TestFixKeepsLineEndingsAndFinalNewline(t *testing.T) {
	split := replaceRule("FIX909", "identifier", "a", "b\nq = 1", analyzer.Safe)
	fr, _ := fixDir(t, map[string]string{
		"crlf.py":    "x = 1\r\ny = a\r\n",
		"nofinal.py": "x = 1\ny = a",
	}, analyzer.FixOptions{}, split)
	assert.Equal(t, "x = 1\r\ny = b\r\nq = 1\r\n", string(fr.After["crlf.py"]))
	assert.Equal(t, "x = 1\ny = b\nq = 1", string(fr.After["nofinal.py"]))

	// A fix that swallows the final newline gets it back.
	eat := &analyzer.Rule{Code: "FIX910", Name: "eat", Category: analyzer.Design, Severity: analyzer.Warning, Since: "0.1.0",
		Run: func(p *analyzer.Pass) error {
			for _, n := range pyast.FindAll(p.Root, "pass_statement") {
				d := analyzer.Diagnostic{Range: analyzer.RangeOf(n), Message: "pass"}
				d.Fixes = []analyzer.Fix{{Applicability: analyzer.Safe,
					Edits: []analyzer.TextEdit{{Range: analyzer.Range{Start: n.StartByte(), End: n.EndByte() + 1}, NewText: "..."}}}}
				p.Report(d)
			}
			return nil
		}}
	fr, _ = fixDir(t, map[string]string{"m.py": "pass\n"}, analyzer.FixOptions{}, eat)
	assert.Equal(t, "...\n", string(fr.After["m.py"]))
}

func TestFixWriteIsAtomicAndRefusesChangedFiles(t *testing.T) {
	ab := replaceRule("FIX901", "identifier", "a", "b", analyzer.Safe)
	fr, dir := fixDir(t, map[string]string{"m.py": "x = a\n", "n.py": "y = a\n"}, analyzer.FixOptions{}, ab)
	require.Equal(t, []string{"m.py", "n.py"}, fr.Changed())
	// n.py is edited by someone else after the analysis.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "n.py"), []byte("y = a  # edited\n"), 0o640))
	errs := fr.Write()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs["n.py"], analyzer.ErrChangedOnDisk)

	got, err := os.ReadFile(filepath.Join(dir, "m.py"))
	require.NoError(t, err)
	assert.Equal(t, "x = b\n", string(got))
	st, err := os.Stat(filepath.Join(dir, "m.py"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	got, _ = os.ReadFile(filepath.Join(dir, "n.py"))
	assert.Equal(t, "y = a  # edited\n", string(got))
	left, _ := filepath.Glob(filepath.Join(dir, ".*rubric-*"))
	assert.Empty(t, left, "no temporary file left behind")
}

func TestApplicabilityNames(t *testing.T) {
	for _, a := range []analyzer.Applicability{analyzer.Safe, analyzer.Unsafe, analyzer.DisplayOnly} {
		got, err := analyzer.ParseApplicability(a.String())
		require.NoError(t, err)
		assert.Equal(t, a, got)
	}
	_, err := analyzer.ParseApplicability("maybe")
	assert.Error(t, err)
	var zero analyzer.Fix
	assert.Equal(t, analyzer.Unsafe, zero.Applicability, "a fix is unsafe unless its rule says otherwise")
}
