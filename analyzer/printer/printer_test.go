package printer_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden")

const goldenDir = "../../testdata/golden"

// testRule stands in for a real rule so that the goldens change only when
// the printers do.
var testRule = &analyzer.Rule{
	Code: "NET001", Name: "request-without-timeout", Category: analyzer.Resilience,
	Severity: analyzer.Warning, Confidence: analyzer.High, Since: "0.1.0",
	Doc: "Outbound HTTP call without a timeout\n## Why it matters\nA call without a timeout can hang a worker forever.\n" +
		"## Example\n```python\nrequests.post(url)\n```\n## Instead\n```python\nrequests.post(url, timeout=5)\n```\n" +
		"## Known limits\nWrappers are not followed.\n",
	Run: func(*analyzer.Pass) error { return nil },
}

var testRule2 = &analyzer.Rule{
	Code: "ERR001", Name: "bare-except", Category: analyzer.ErrorHandling,
	Severity: analyzer.Error, Confidence: analyzer.Medium, Since: "0.1.0",
	Doc: "Bare `except:` catches everything\n## Why it matters\nIt swallows `KeyboardInterrupt` too.\n" +
		"## Example\n```python\ntry:\n    f()\nexcept:\n    pass\n```\n## Instead\n```python\ntry:\n    f()\nexcept ValueError:\n    pass\n```\n" +
		"## Known limits\nNone.\n",
	Run: func(*analyzer.Pass) error { return nil },
}

// FixedResult is the shared input of every golden: two analysed files and
// a broken one, a non-ASCII line, a fix, a related location, a syntax error
// and an internal error.
func FixedResult(t testing.TB) *analyzer.Result {
	views := "import requests\n\n\ndef pay(order):\n    note = \"café ☕ 🎉\"; requests.post(URL)\n    try:\n        charge(order)\n    except:\n        pass\n"
	settings := "URL = \"https://pay.example.com/charge\"\n"
	broken := "def f(:\n    pass\n"
	files := map[string]*source.File{
		"app/views.py":    source.New("app/views.py", "app/views.py", []byte(views)),
		"app/settings.py": source.New("app/settings.py", "app/settings.py", []byte(settings)),
		"app/broken.py":   source.New("app/broken.py", "app/broken.py", []byte(broken)),
	}
	at := func(path, sub string) analyzer.Range {
		i := strings.Index(string(files[path].Src()), sub)
		require.GreaterOrEqual(t, i, 0, sub)
		return analyzer.Range{Start: i, End: i + len(sub)}
	}
	pos := func(path string, r analyzer.Range) (source.Position, source.Position) {
		return files[path].Position(r.Start), files[path].Position(r.End)
	}
	mk := func(rule *analyzer.Rule, path string, r analyzer.Range, msg, help string) analyzer.Diagnostic {
		d := analyzer.Diagnostic{Code: rule.Code, Name: rule.Name, Category: rule.Category, Severity: rule.Severity,
			Confidence: rule.Confidence, Path: path, Range: r, Message: msg, Help: help}
		d.Pos, d.EndPos = pos(path, r)
		return d
	}
	net := mk(testRule, "app/views.py", at("app/views.py", "requests.post(URL)"), "`requests.post` has no `timeout`", "pass `timeout=` (seconds)")
	rel := at("app/settings.py", "URL")
	rp, rep := pos("app/settings.py", rel)
	net.Related = []analyzer.Related{{Path: "app/settings.py", Range: rel, Message: "`URL` is an external service", Pos: rp, EndPos: rep}}
	ins := at("app/views.py", "URL)")
	ins.Start += 3
	ins.End = ins.Start
	ip, iep := pos("app/views.py", ins)
	net.Fixes = []analyzer.Fix{{Message: "Add `timeout=10`", Applicability: analyzer.Safe, Edits: []analyzer.TextEdit{{Path: "app/views.py", Range: ins, NewText: ", timeout=10", Pos: ip, EndPos: iep}}}}

	bare := mk(testRule2, "app/views.py", at("app/views.py", "except:"), "bare `except:` catches `SystemExit` and `KeyboardInterrupt`", "catch the exceptions `charge` raises")
	syn := mk(analyzer.SyntaxError, "app/broken.py", at("app/broken.py", ":"), "syntax error near `:`", "")
	ie := mk(analyzer.InternalError, "app/settings.py", analyzer.Range{}, "rule NET001 failed on this file: panic: boom, 50% \"done\"\nsecond line", "")

	diags := analyzer.SortDiagnostics([]analyzer.Diagnostic{net, bare, syn, ie})
	return &analyzer.Result{
		Diagnostics: diags,
		Files:       files,
		Rules:       []*analyzer.Rule{analyzer.SyntaxError, analyzer.UnreadableFile, analyzer.InternalError, testRule2, testRule},
		Stats:       analyzer.Stats{Files: 3, Lines: 12, SyntaxErrors: 1, Suppressed: 1},
	}
}

func render(t *testing.T, format string) []byte {
	p, err := printer.New(format, printer.Options{Version: "0.1.0"})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, p.Print(&buf, FixedResult(t)))
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, format := range printer.Names() {
		t.Run(format, func(t *testing.T) {
			got := render(t, format)
			path := filepath.Join(goldenDir, format+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "no golden for %s; run go test ./analyzer/printer -update", format)
			assert.Equal(t, string(want), string(got))
		})
	}
}
