package printer_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
)

// A collapsed finding (analyzer.Aggregate) carries every other location;
// text prints the first three and "and N more", JSON keeps them all.
func TestManyRelatedLocations(t *testing.T) {
	d := analyzer.Diagnostic{Code: "LOG001", Path: "a.py", Message: "f-string (and 9 more like it in this file)", Severity: analyzer.Info}
	for i := 0; i < 9; i++ {
		d.Related = append(d.Related, analyzer.Related{Path: "a.py", Message: fmt.Sprintf("also LOG001 #%d", i)})
	}
	res := &analyzer.Result{Diagnostics: []analyzer.Diagnostic{d}}
	var text, js bytes.Buffer
	p, err := printer.New("text", printer.Options{})
	require.NoError(t, err)
	require.NoError(t, p.Print(&text, res))
	assert.Equal(t, 4, strings.Count(text.String(), "= note:"))
	assert.Contains(t, text.String(), "= note: and 6 more\n")
	p, err = printer.New("json", printer.Options{})
	require.NoError(t, err)
	require.NoError(t, p.Print(&js, res))
	assert.Equal(t, 9, strings.Count(js.String(), "also LOG001 #"))
}

// The run summary says how many migrations were not judged, and why.
func TestSummaryMigrationsNotJudged(t *testing.T) {
	res := &analyzer.Result{Stats: analyzer.Stats{Files: 3, MigrationsNotJudged: 2, NotJudgedReason: "2 of 3 migrations not judged: because"}}
	for name, want := range map[string]string{"text": "Migrations: 2 of 3 migrations not judged: because.\n", "json": `"migrations_not_judged": 2`} {
		p, err := printer.New(name, printer.Options{})
		require.NoError(t, err)
		var out bytes.Buffer
		require.NoError(t, p.Print(&out, res))
		assert.Contains(t, out.String(), want, name)
	}
}
