package printer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// A finding on a minified line of 100,000 characters shows a window of the
// line around the underline, cut with "…" on both sides, not the line.
func TestFrameClipsLongLines(t *testing.T) {
	line := "x = [" + strings.Repeat("1, ", 20000) + "requests.post(URL)" + strings.Repeat(", 2", 20000) + "]\n"
	f := source.New("app/min.py", "app/min.py", []byte(line))
	start := strings.Index(line, "requests.post(URL)")
	r := analyzer.Range{Start: start, End: start + len("requests.post(URL)")}
	d := analyzer.Diagnostic{Code: testRule.Code, Name: testRule.Name, Category: testRule.Category, Severity: testRule.Severity,
		Confidence: testRule.Confidence, Path: "app/min.py", Range: r, Message: "`requests.post` has no `timeout`"}
	d.Pos, d.EndPos = f.Position(r.Start), f.Position(r.End)
	res := &analyzer.Result{Diagnostics: []analyzer.Diagnostic{d}, Files: map[string]*source.File{"app/min.py": f},
		Rules: []*analyzer.Rule{testRule}, Stats: analyzer.Stats{Files: 1, Lines: 1}}
	p, err := printer.New("text", printer.Options{Version: "0.1.0"})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, p.Print(&buf, res))
	out := buf.String()
	assert.Less(t, len(out), 2000, "the frame is a window, not the line")
	var code, marker string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "1 | ") {
			code = strings.TrimPrefix(l, "1 | ")
		}
		if strings.HasPrefix(l, "  | ") && strings.Contains(l, "^") {
			marker = strings.TrimPrefix(l, "  | ")
		}
	}
	require.NotEmpty(t, code, out)
	assert.True(t, strings.HasPrefix(code, "…") && strings.HasSuffix(code, "…"), code)
	col := strings.Index(marker, "^")
	require.GreaterOrEqual(t, col, 0, out)
	assert.Equal(t, "requests.post(URL)", string([]rune(code)[col:col+len("requests.post(URL)")]), "the underline is under the call")
	assert.Equal(t, "^^^^^^^^^^^^^^^^^^ NET001", strings.TrimSpace(marker))
}
