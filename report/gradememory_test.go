package report

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report/archive"
	"github.com/rubric-dev/rubric/rules/all"
)

// A batch keeps only each submission's index view; every index format
// prints the same bytes from it as from the whole reports.
func TestIndexViewIsAllTheIndexReads(t *testing.T) {
	o := GradeOptions{Rules: all.Rules(), Jobs: 1, Version: "test", Limits: archive.DefaultLimits,
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	var whole, slim []Graded
	for _, name := range []string{"galileo", "galileo-strong", "webhook"} {
		g := gradeOne(context.Background(), "../testdata/submissions/"+name, name, o)
		require.NotNil(t, g.Report, g.Err)
		g.Slug = name
		whole = append(whole, g)
		v := g
		v.Report = g.Report.indexView()
		slim = append(slim, v)
		evidence := 0
		for _, a := range g.Report.Areas {
			for _, it := range a.Items {
				evidence += len(it.Evidence)
			}
		}
		assert.Positive(t, evidence, "%s: the whole report has evidence", name)
		for _, a := range v.Report.Areas {
			for _, it := range a.Items {
				assert.Nil(t, it.Evidence, "%s: the view keeps none", name)
			}
		}
	}
	whole = append(whole, Graded{Input: "broken", Label: "broken", Err: "archive cut short"})
	slim = append(slim, whole[len(whole)-1])
	cl := orDefault(nil)
	index := func(rows []Graded) *Index {
		return &Index{Rows: rows, Areas: cl.Areas, Version: "test", At: o.Now(), Checklist: cl.Name}
	}
	for name, write := range map[string]func(io.Writer, *Index) error{
		"md": WriteIndexMarkdown, "html": WriteIndexHTML, "csv": WriteIndexCSV, "json": WriteIndexJSON} {
		var a, b bytes.Buffer
		require.NoError(t, write(&a, index(whole)), name)
		require.NoError(t, write(&b, index(slim)), name)
		assert.Equal(t, a.String(), b.String(), name)
	}
}
