package analyzer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
)

// runWithin fails the test instead of hanging when the run does not end.
func runWithin(t *testing.T, cfg analyzer.Config, paths ...string) *analyzer.Result {
	t.Helper()
	type out struct {
		res *analyzer.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := analyzer.Run(context.Background(), cfg, paths)
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		require.NoError(t, o.err)
		return o.res
	case <-time.After(60 * time.Second):
		t.Fatal("the run hangs")
		return nil
	}
}

func messages(res *analyzer.Result) map[string]string {
	m := map[string]string{}
	for _, d := range res.Diagnostics {
		m[d.Path+":"+d.Code] = d.Message
	}
	return m
}

// A FIFO, a device, a link out of the tree or a link named on the command
// line is refused with SYN002 before a byte is read: no hang, no memory
// exhaustion, nothing read from outside the tree.
func TestHostilePathsAreRefusedNotRead(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.py")
	write(t, filepath.Dir(secret), "secret.py", []byte("boom()\n"))
	write(t, dir, "ok.py", []byte("boom()\n"))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.py"), 0o644))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "link.py")))
	cfg := analyzer.Config{Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: 2}
	res := runWithin(t, cfg, filepath.Join(dir, "fifo.py"), "/dev/zero", filepath.Join(dir, "link.py"), filepath.Join(dir, "ok.py"))
	msgs := messages(res)
	assert.Contains(t, msgs["fifo.py:SYN002"], "FIFO")
	assert.Contains(t, msgs["/dev/zero:SYN002"], "device")
	assert.Contains(t, msgs["link.py:SYN002"], "symbolic link")
	assert.Contains(t, msgs, "ok.py:ERR999")
	assert.NotContains(t, msgs, "link.py:ERR999", "the link's target is never analysed")
	assert.Equal(t, 3, res.Stats.Unreadable)

	// Walking the directory refuses them the same way (a `.py` link or
	// FIFO is listed, not skipped without a word), reads nothing through
	// them, and the run ends.
	res = runWithin(t, cfg, dir)
	assert.Equal(t, []string{"fifo.py:SYN002", "link.py:SYN002", "ok.py:ERR999"}, codes(res))
	assert.Contains(t, messages(res)["link.py:SYN002"], "not followed")
}

// A PEP 263 coding declaration is honoured: the file is decoded and
// analysed, and positions are those of the decoded text.
func TestCodingDeclarationIsHonoured(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "latin1.py", []byte("# -*- coding: latin-1 -*-\ns = 'caf\xe9'; boom()\n"))
	write(t, dir, "cp1252.py", []byte("#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '\x93quoted\x94'; boom()\n"))
	write(t, dir, "utf8.py", []byte("# coding: utf-8\ns = 'caf\xc3\xa9'; boom()\n"))
	write(t, dir, "third_line.py", []byte("\n\n# coding: latin-1\ns = 'caf\xe9'\n"))
	write(t, dir, "unknown.py", []byte("# coding: klingon\nboom()\n"))
	write(t, dir, "ascii.py", []byte("# coding: ascii\ns = 'caf\xe9'\n"))
	write(t, dir, "undefined.py", []byte("# coding: cp1252\ns = '\x81'\n"))
	res := runWithin(t, analyzer.Config{Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: 2}, dir)
	assert.Equal(t, []string{
		"ascii.py:SYN002", "cp1252.py:ERR999", "latin1.py:ERR999", "third_line.py:SYN002",
		"undefined.py:SYN002", "unknown.py:SYN002", "utf8.py:ERR999",
	}, codes(res))
	for _, d := range res.Diagnostics {
		switch d.Path {
		case "latin1.py", "utf8.py":
			// s = 'café'; boom() — the column counts the decoded é as one.
			assert.Equal(t, 2, d.Pos.Line, d.Path)
			assert.Equal(t, 13, d.Pos.Column, d.Path)
		case "unknown.py":
			assert.Contains(t, d.Message, `unknown encoding "klingon"`)
		case "ascii.py", "undefined.py":
			assert.Contains(t, d.Message, "declared encoding")
		}
	}
	assert.Equal(t, "iso-8859-1", res.Files["latin1.py"].Encoding)
	assert.Equal(t, "s = 'café'; boom()", string(res.Files["latin1.py"].Line(2)))
	assert.Equal(t, "s = '\u201cquoted\u201d'; boom()", string(res.Files["cp1252.py"].Line(3)))
	assert.Equal(t, "", res.Files["utf8.py"].Encoding)
}

// Python 2 parses without a tree-sitter error, but is not Python 3: SYN001
// says so, at the construct.
func TestPython2IsASyntaxError(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"print_stmt.py":   "import sys\nprint 'hello'\n",
		"except_comma.py": "try:\n    pass\nexcept ValueError, e:\n    pass\n",
		"backticks.py":    "x = `y`\n",
		"exec_stmt.py":    "exec \"code\"\n",
		"broken.py":       "print 'a'\ndef f(:\n    pass\n",
		// Look-alikes: valid Python 3.
		"py3.py": "print('x')\nprint\nexec(code)\ntry:\n    pass\nexcept (A, B) as e:\n    pass\nx = 0o777 + 0 + 00\n",
	} {
		write(t, dir, name, []byte(src))
	}
	res := runWithin(t, analyzer.Config{Rules: analyzer.BuiltinRules(), WorkDir: dir, Jobs: 2}, dir)
	msgs := messages(res)
	assert.Len(t, msgs, 5)
	assert.Contains(t, msgs["print_stmt.py:SYN001"], "Python 2 syntax: `print` statement")
	assert.Contains(t, msgs["except_comma.py:SYN001"], "`except E, name:`")
	assert.Contains(t, msgs["backticks.py:SYN001"], "backquotes")
	assert.Contains(t, msgs["exec_stmt.py:SYN001"], "`exec` statement")
	assert.Contains(t, msgs["broken.py:SYN001"], "looks like Python 2 (`print` statement on line 1)")
	for _, d := range res.Diagnostics {
		if d.Path == "print_stmt.py" {
			assert.Equal(t, 2, d.Pos.Line)
		}
	}
	assert.Equal(t, 5, res.Stats.SyntaxErrors)
}

// Valid code indented 64 levels deep and more is not a syntax error, with
// spaces or tabs; a syntax error that deep still is, on its line.
func TestDeeplyIndentedCodeParses(t *testing.T) {
	dir := t.TempDir()
	nest := func(levels int, indent string) string {
		var b strings.Builder
		for i := 0; i < levels; i++ {
			fmt.Fprintf(&b, "%sif x:\n", strings.Repeat(indent, i))
		}
		fmt.Fprintf(&b, "%sboom()\n", strings.Repeat(indent, levels))
		return b.String()
	}
	write(t, dir, "spaces64.py", []byte(nest(64, "    ")))
	write(t, dir, "spaces99.py", []byte(nest(99, "    ")))
	write(t, dir, "tabs40.py", []byte(nest(40, "\t")))
	write(t, dir, "deep_error.py", []byte(nest(70, "    ")+strings.Repeat("    ", 70)+"def f(:\n"))
	res := runWithin(t, analyzer.Config{Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: 2}, dir)
	assert.Equal(t, []string{"deep_error.py:ERR999", "deep_error.py:SYN001",
		"spaces64.py:ERR999", "spaces99.py:ERR999", "tabs40.py:ERR999"}, codes(res))
	for _, d := range res.Diagnostics {
		if d.Code == "SYN001" {
			assert.Equal(t, 72, d.Pos.Line)
		}
		if d.Path == "spaces99.py" {
			assert.Equal(t, 100, d.Pos.Line)
			assert.Equal(t, 99*4+1, d.Pos.Column, "offsets are those of the file as written")
		}
	}
}

// Error-heavy input is stopped by the parse's work budget, whatever the
// machine's load: the same answer at any -j, and nothing for the cache to
// refuse.
func TestErrorHeavyInputIsBoundedByWork(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "tries.py", []byte(strings.Repeat("try:\n", 30000)))
	write(t, dir, "ok.py", []byte("boom()\n"))
	var first []string
	for _, jobs := range []int{1, 2} {
		res := runWithin(t, analyzer.Config{Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: jobs}, dir)
		got := codesWithPos(res)
		if first == nil {
			first = got
		}
		assert.Equal(t, first, got)
		assert.Contains(t, messages(res)["tries.py:SYN002"], "too costly to parse")
		assert.Zero(t, res.ParseTimeouts)
	}
}

// Config.Inputs: the run analyses exactly the listed snapshot, not what
// the directory holds by the time it runs.
func TestInputsAreAnalysedAsListed(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.py", []byte("boom()\n"))
	write(t, dir, "gone.py", []byte("boom()\n"))
	inputs := analyzer.Discover([]string{dir}, dir, nil)
	require.Len(t, inputs, 2)
	write(t, dir, "late.py", []byte("boom()\n"))
	sources := map[string][]byte{"a.py": []byte("boom()\n"), "gone.py": []byte("boom()\n")}
	require.NoError(t, os.Remove(filepath.Join(dir, "gone.py")))
	res := runWithin(t, analyzer.Config{Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: 2,
		Inputs: inputs, Sources: sources}, dir)
	assert.Equal(t, []string{"a.py:ERR999", "gone.py:ERR999"}, codes(res))
	assert.Equal(t, "a.py", inputs[0].Rel, "the caller's inputs are not rewritten")
}

// SourceFiles shows exactly the files a run shows: what a cached result
// prints from.
func TestSourceFilesMatchTheRun(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.py", []byte("boom()\n"))
	write(t, dir, "bin.py", []byte("x\x00"))
	write(t, dir, "bad.py", []byte("s = '\xff'\n"))
	write(t, dir, "latin.py", []byte("# coding: latin-1\ns = '\xe9'\n"))
	write(t, dir, "syntax.py", []byte("def f(:\n"))
	cfg := analyzer.Config{Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: 2}
	res := runWithin(t, cfg, dir)
	files := analyzer.SourceFiles(cfg, analyzer.Discover([]string{dir}, dir, nil))
	require.Len(t, files, len(res.Files))
	for rel, f := range res.Files {
		require.Contains(t, files, rel)
		assert.Equal(t, f.Src(), files[rel].Src(), rel)
		assert.Equal(t, f.Encoding, files[rel].Encoding, rel)
	}
	assert.NotContains(t, files, "bin.py")
	assert.Contains(t, files, "bad.py", "invalid UTF-8 keeps its bytes for the code frame")
}
