package filter

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer"
)

func diag(path, code string, start int) analyzer.Diagnostic {
	return analyzer.Diagnostic{Path: path, Code: code, Range: analyzer.Range{Start: start, End: start + 1}, Message: code}
}

func codes(ds []analyzer.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Path+":"+d.Code)
	}
	return out
}

func TestPipeline(t *testing.T) {
	res := func() *analyzer.Result {
		return &analyzer.Result{
			Diagnostics: []analyzer.Diagnostic{diag("a.py", "ERR001", 10), diag("b.py", "LOG001", 5)},
			Suppressed:  []analyzer.SuppressedDiagnostic{{Diagnostic: diag("a.py", "NET001", 3)}},
		}
	}
	r := res()
	Pipeline{}.Apply(r)
	assert.Equal(t, []string{"a.py:ERR001", "b.py:LOG001"}, codes(r.Diagnostics), "suppressed findings stay out by default")

	r = res()
	Pipeline{RestoreSuppressed: true}.Apply(r)
	assert.Equal(t, []string{"a.py:NET001", "a.py:ERR001", "b.py:LOG001"}, codes(r.Diagnostics), "the reviewer's report puts them back, sorted")
	assert.Len(t, r.Suppressed, 1, "and still lists them")

	r = res()
	Pipeline{RestoreSuppressed: true, Ignored: func(path, code string) bool { return path == "a.py" }}.Apply(r)
	assert.Equal(t, []string{"b.py:LOG001"}, codes(r.Diagnostics), "per-file ignores apply after suppressions are restored")
	assert.Equal(t, 2, r.Stats.Suppressed)
}
