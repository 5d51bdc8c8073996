package printer

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

func TestEscapeControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain café ☕\tand\nlines":     "plain café ☕\tand\nlines",
		"\x1b[2Jclear":                 `\x1b[2Jclear`,
		"bell\x07 del\x7f nul\x00":     `bell\x07 del\x7f nul\x00`,
		"c1 \u009b31m":                 `c1 \x9b31m`,
		"bad \xff\xfe utf8":            `bad \xff\xfe utf8`,
		"bidi \u202eevil\u202c \u2066": `bidi \u202eevil\u202c \u2066`,
		"cr\r":                         `cr\x0d`,
		"":                             "",
	} {
		assert.Equal(t, want, EscapeControls(in), "%q", in)
	}
	s := "nothing to do"
	assert.Equal(t, s, EscapeControls(s))
}

func TestXMLSafe(t *testing.T) {
	for in, want := range map[string]string{
		"ok <&> é\t\r\n":  "ok <&> é\t\r\n",
		"esc \x1b[31m":    `esc \x1b[31m`,
		"nul \x00":        `nul \x00`,
		"bad \xc3\x28":    `bad \xc3(`,
		"nonchar \uFFFE":  `nonchar \ufffe`,
		"astral 🎉 \u0085": "astral 🎉 \u0085",
	} {
		assert.Equal(t, want, xmlSafe(in), "%q", in)
	}
}

// hostileResult holds a file whose name, source line and message carry an
// ESC sequence, a NUL, invalid UTF-8 and a bidi override.
func hostileResult() *analyzer.Result {
	name := "app/evil\x1b[2J\xff.py"
	src := "s = '\x1b[31m\x00\xfe\u202e'; boom()\n"
	f := source.New(name, name, []byte(src))
	start := strings.Index(src, "boom")
	d := analyzer.Diagnostic{Code: "ERR999", Path: name, Severity: analyzer.Error, Range: analyzer.Range{Start: start, End: start + 4},
		Message: "`\x1b[31m` quoted from the source]]>", Help: "help \x07",
		Related: []analyzer.Related{{Path: name, Message: "related \x1b"}}}
	d.Pos, d.EndPos = f.Position(d.Start), f.Position(d.End)
	return &analyzer.Result{Diagnostics: []analyzer.Diagnostic{d}, Files: map[string]*source.File{name: f},
		Rules: []*analyzer.Rule{{Code: "ERR999"}}}
}

// No byte of a submission's control sequences reaches the terminal, and
// the underline still sits under the finding.
func TestTextEscapesWhatTheSubmissionWrote(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, (&Text{}).Print(&buf, hostileResult()))
	out := buf.String()
	for _, raw := range []string{"\x1b", "\x00", "\x07", "\xff", "\xfe", "\u202e"} {
		assert.NotContains(t, out, raw)
	}
	assert.Contains(t, out, `app/evil\x1b[2J\xff.py:1:`)
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, "boom()") && strings.HasPrefix(l, "1 |") {
			col := strings.Index(l, "boom") - len("1 | ")
			marker := lines[i+1]
			assert.Equal(t, col, strings.Index(marker, "^")-len("  | "), "underline under `boom`:\n%s\n%s", l, marker)
		}
	}

	// With colour, the only escape sequences are rubric's own.
	buf.Reset()
	require.NoError(t, (&Text{opts: Options{Color: true}}).Print(&buf, hostileResult()))
	assert.NotContains(t, buf.String(), "\x1b[2J")
	assert.NotContains(t, buf.String(), "'\x1b[31m")
}

// JUnit output is well-formed XML whatever bytes the file name, the source
// and the message hold.
func TestJUnitIsWellFormed(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, (&JUnit{}).Print(&buf, hostileResult()))
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, buf.String())
	}
	assert.Contains(t, buf.String(), `evil\x1b[2J\xff.py`)
}

// The one-line formats a terminal or a CI log shows (concise, GitHub
// workflow commands) escape what the submission wrote too.
func TestOneLineFormatsEscapeWhatTheSubmissionWrote(t *testing.T) {
	for name, p := range map[string]Printer{"concise": &Concise{}, "github": &GitHub{}} {
		var buf bytes.Buffer
		require.NoError(t, p.Print(&buf, hostileResult()), name)
		out := buf.String()
		for _, raw := range []string{"\x1b", "\x00", "\x07", "\xff", "\xfe", "\u202e"} {
			assert.NotContains(t, out, raw, name)
		}
		assert.Contains(t, out, `evil\x1b[2J\xff.py`, name)
	}
}

// A file name stays on one line in every human-readable output.
func TestEscapePathKeepsNamesOnOneLine(t *testing.T) {
	assert.Equal(t, `a.py\x0ab.py:1:1: SEC001 forged\x09\x1b[31m`, EscapePath("a.py\nb.py:1:1: SEC001 forged\t\x1b[31m"))
	assert.Equal(t, "app/views.py", EscapePath("app/views.py"))
}
