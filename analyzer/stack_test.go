package analyzer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

// eachFileOf reports once on every file it runs on, for rules about the
// frameworks of stack.
func eachFileOf(code string, stack project.Stack) *analyzer.Rule {
	return &analyzer.Rule{
		Code: code, Name: "each-file-" + strings.ToLower(code), Category: analyzer.Design, Severity: analyzer.Info,
		Confidence: analyzer.High, Since: "0.0.0", Stack: stack,
		Run: func(p *analyzer.Pass) error {
			p.Reportf(p.Root, "seen")
			return nil
		},
	}
}

// onceOf reports once on the project, for a project rule about the
// frameworks of stack.
func onceOf(code string, stack project.Stack) *analyzer.Rule {
	return &analyzer.Rule{
		Code: code, Name: "once-" + strings.ToLower(code), Category: analyzer.Design, Severity: analyzer.Info,
		Confidence: analyzer.High, Since: "0.0.0", Stack: stack,
		RunProject: func(p *analyzer.ProjectPass) error {
			u := p.Project.Units[0]
			p.Report(analyzer.Diagnostic{Path: u.File.Rel, Message: "project seen"})
			return nil
		},
	}
}

func foundBy(res *analyzer.Result) map[string][]string {
	out := map[string][]string{}
	for _, d := range res.Diagnostics {
		out[d.Code] = append(out[d.Code], d.Path)
	}
	return out
}

// A rule about a framework runs on every file of a project some file of
// which imports the framework, and on none of a project that never does;
// a rule about Python itself runs everywhere.
func TestRulesAboutAFrameworkRunWhereItIsImported(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "lib/util.py", []byte("import os\n\n\ndef here():\n    return os.getcwd()\n"))
	rules := []*analyzer.Rule{
		eachFileOf("DES901", project.Django), eachFileOf("DES902", project.Celery),
		eachFileOf("DES903", project.Django|project.WebApp), eachFileOf("DES904", 0), onceOf("DES905", project.Celery),
	}
	runIt := func() map[string][]string {
		t.Helper()
		res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, Jobs: 2}, []string{dir})
		require.NoError(t, err)
		return foundBy(res)
	}
	assert.Equal(t, map[string][]string{"DES904": {"lib/util.py"}}, runIt(), "plain Python: only the rule about Python runs")

	write(t, dir, "web/app.py", []byte("from flask import Flask\n\napp = Flask(__name__)\n"))
	assert.Equal(t, map[string][]string{"DES903": {"lib/util.py", "web/app.py"}, "DES904": {"lib/util.py", "web/app.py"}}, runIt(),
		"Flask opens the rules about web frameworks, on every file")

	write(t, dir, "web/app.py", []byte("from django.apps import AppConfig\n"))
	write(t, dir, "jobs/tasks.py", []byte("from celery import shared_task\n"))
	found := runIt()
	for _, code := range []string{"DES901", "DES902", "DES903", "DES904"} {
		assert.Equal(t, []string{"jobs/tasks.py", "lib/util.py", "web/app.py"}, found[code], code)
	}
	assert.Equal(t, []string{"jobs/tasks.py"}, found["DES905"], "the project rule about Celery runs")
}

// The stack is read from the facts: an edit that adds the project's
// first Django import runs the Django rules on every file (the kept
// findings of files left as they were included), and one that removes it
// drops them, as runs from scratch do.
func TestReuseFollowsTheStack(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "shop/__init__.py", nil)
	write(t, dir, "shop/prices.py", []byte("def total(items):\n    return sum(i.price for i in items)\n"))
	write(t, dir, "shop/apps.py", []byte("NAME = \"shop\"\n"))
	h := newReuseHarness(t, dir)
	h.rules = append(h.rules, eachFileOf("DES906", project.Django))
	out, _ := h.check("no Django")
	assert.NotContains(t, out, `"code": "DES906"`)
	h.edit("shop/apps.py", func(s string) string { return "from django.apps import AppConfig\n\n" + s })
	out, _ = h.check("Django imported in apps.py")
	assert.Equal(t, 3, strings.Count(out, `"code": "DES906"`), "every file, prices.py's kept findings included")
	h.edit("shop/apps.py", func(s string) string { return strings.TrimPrefix(s, "from django.apps import AppConfig\n\n") })
	out, _ = h.check("Django import removed")
	assert.NotContains(t, out, `"code": "DES906"`)
}

// The editor server's answer for one file drops the rules about a
// framework the project no longer imports once the edit removes the last
// import of it, as a whole run does.
func TestRunFileFollowsTheStack(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "shop/prices.py", []byte("def total(items):\n    return sum(i.price for i in items)\n"))
	write(t, dir, "shop/apps.py", []byte("from django.apps import AppConfig\n"))
	cfg := analyzer.Config{Rules: []*analyzer.Rule{eachFileOf("DES907", project.Django)}, WorkDir: dir, Jobs: 2}
	prev, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	require.Len(t, prev.Diagnostics, 2)

	ans, err := analyzer.RunFile(context.Background(), cfg, prev, "shop/apps.py", []byte("import os\n"))
	require.NoError(t, err)
	assert.Empty(t, ans.Diagnostics, "no file imports Django any more")
	ans, err = analyzer.RunFile(context.Background(), cfg, prev, "shop/prices.py", []byte("import os\n"))
	require.NoError(t, err)
	assert.Len(t, ans.Diagnostics, 1, "apps.py still imports Django")
}
