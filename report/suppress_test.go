package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/rules/all"
)

// laden copies the guide sample and silences every finding the way a
// candidate could: a noqa on the finding's line, and ignore-file comments
// (appended, so no line moves) in two files.
func laden(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs(submissions + "galileo")
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), "galileo")
	require.NoError(t, filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	}))
	orig := analyze(t, "galileo")
	noqa := map[string]map[int][]string{}
	for _, a := range orig.Areas {
		for _, it := range a.Items {
			for _, e := range it.Evidence {
				if e.Rule == "" || e.Path == "galileo/services.py" || e.Path == "transactions/views.py" {
					continue
				}
				if noqa[e.Path] == nil {
					noqa[e.Path] = map[int][]string{}
				}
				noqa[e.Path][e.Line] = append(noqa[e.Path][e.Line], e.Rule)
				for _, also := range e.Also { // the repeats collapsed into it
					var n int
					_, err := fmt.Sscanf(also[strings.LastIndex(also, ":")+1:], "%d", &n)
					require.NoError(t, err)
					noqa[e.Path][n] = append(noqa[e.Path][n], e.Rule)
				}
			}
		}
	}
	for path, lines := range noqa {
		file := filepath.Join(dst, filepath.FromSlash(path))
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		ls := strings.Split(string(data), "\n")
		for n, codes := range lines {
			sort.Strings(codes)
			ls[n-1] += "  # noqa: " + strings.Join(codes, ", ")
		}
		require.NoError(t, os.WriteFile(file, []byte(strings.Join(ls, "\n")), 0o644))
	}
	for _, f := range []string{"galileo/services.py", "transactions/views.py"} {
		file := filepath.Join(dst, filepath.FromSlash(f))
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		data = append(data, []byte("# rubric: ignore-file[ORM, ERR, NET, ARC, IDM, TXN, LOG, SEC]\n")...)
		require.NoError(t, os.WriteFile(file, data, 0o644))
	}
	return dst
}

// outline is what a reviewer reads of a report, without the code lines
// (the laden copy's lines carry the comments): statuses, reasons, where
// each piece of evidence is and what it says, and the bands.
func outline(r *report.Report) []string {
	var out []string
	for _, c := range r.Categories {
		out = append(out, fmt.Sprintf("category %s: %+v %s", c.ID, c.Counts, c.Band.Label))
	}
	for _, a := range r.Areas {
		out = append(out, fmt.Sprintf("area %s: %+v %s", a.ID, a.Counts, a.Band.Label))
		for _, it := range a.Items {
			out = append(out, fmt.Sprintf("  %s %s (%s) +%d", it.ID, it.Status, it.Reason, it.More))
			for _, e := range it.Evidence {
				out = append(out, fmt.Sprintf("    %s %s %s", e.Location(), e.Rule, e.Note))
			}
		}
	}
	return out
}

func TestSuppressionsDoNotSilenceTheReport(t *testing.T) {
	dir := laden(t)
	orig := analyze(t, "galileo")
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Version: "test", Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, outline(orig), outline(r), "the same checklist as the original")
	assert.Equal(t, orig.Header.Findings, r.Header.Findings)

	// Plus the list of suppressions and what they hide: every finding.
	require.NotEmpty(t, r.Suppressions)
	assert.GreaterOrEqual(t, r.Hidden(), orig.Header.Findings, "every finding is hidden by some comment")
	var kinds []string
	for _, s := range r.Suppressions {
		kinds = append(kinds, s.Kind)
	}
	assert.Contains(t, kinds, "ignore-file")
	assert.Contains(t, kinds, "noqa")
	n1 := item(r, "no-n-plus-one")
	var marked int
	for _, e := range n1.Evidence {
		if e.Suppressed != "" {
			marked++
			assert.Contains(t, e.Suppressed, "#")
		}
	}
	assert.Equal(t, len(n1.Evidence), marked, "each finding names the comment that would hide it")

	var md strings.Builder
	require.NoError(t, report.WriteMarkdown(&md, r))
	assert.Contains(t, md.String(), "## Suppression comments")
	assert.Contains(t, md.String(), "`transactions/views.py:22` `# rubric: ignore-file[ORM, ERR, NET, ARC, IDM, TXN, LOG, SEC]`: ORM, ERR, NET, ARC, IDM, TXN, LOG, SEC in the whole file; 4 findings hidden")

	// --respect-suppressions: the candidate's comments hold, and are still listed.
	kept, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Version: "test", Now: fixedNow, RespectSuppressions: true})
	require.NoError(t, err)
	assert.Zero(t, kept.Header.Findings)
	assert.Equal(t, r.Hidden(), kept.Hidden())
	assert.NotEqual(t, report.NotMet, item(kept, "no-n-plus-one").Status)
	md.Reset()
	require.NoError(t, report.WriteMarkdown(&md, kept))
	assert.Contains(t, md.String(), "left out of the checklist (`--respect-suppressions`)")
}
