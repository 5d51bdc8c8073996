package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed corpus must load: every kind declared, every verdict and state well-formed.
func TestCommittedLabelsLoad(t *testing.T) {
	kinds, err := LoadKinds("kinds.toml")
	require.NoError(t, err)
	subs, err := LoadSubmissions("takehomes", kinds)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(subs), 15)
	used := map[string]bool{}
	for _, s := range subs {
		assert.NotEmpty(t, s.Defects, s.Slug)
		assert.NotEmpty(t, s.Checklist, s.Slug)
		assert.NotEmpty(t, s.Endpoints, s.Slug)
		for _, d := range s.Defects {
			used[d.Kind] = true
		}
	}
	for k, v := range kinds.Kinds {
		assert.NotEmpty(t, v.Desc, "kind %s has no description", k)
	}
}

const validLabel = `repository = "octo/shop"
commit = "0123456789012345678901234567890123456789"
exercise = "x"
summary = "y"
missed = ["D1"]

[[endpoint]]
route = "api/"
view = "views.py:1 v"

[[defect]]
id = "D1"
kind = "lost-update"
severity = "high"
path = "models.py"
line = 3
also = ["views.py:9"]

[[checklist]]
item = "timeouts"
state = "n/a"

[[finding]]
code = "LOG003"
path = "views.py"
line = 2
message = "print"
verdict = "noise"
noise = "repeat"
defect = "D1"
`

func writeLabel(t *testing.T, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	return dir
}

func TestLoadSubmissionsRejectsBadLabels(t *testing.T) {
	kinds := &Kinds{Window: 5, Kinds: map[string]Kind{"lost-update": {Desc: "d"}}}
	subs, err := LoadSubmissions(writeLabel(t, "octo+shop.toml", validLabel), kinds)
	require.NoError(t, err)
	require.Len(t, subs, 1)
	locs, err := subs[0].Defects[0].Locations()
	require.NoError(t, err)
	assert.Equal(t, []Location{{"models.py", 3}, {"views.py", 9}}, locs)

	bad := map[string]struct{ name, from, to string }{
		"slug and repository differ": {"octo+other.toml", "", ""},
		"short commit":               {"", `"0123456789012345678901234567890123456789"`, `"0123456"`},
		"undeclared kind":            {"", `kind = "lost-update"`, `kind = "lost-updates"`},
		"bad severity":               {"", `severity = "high"`, `severity = "critical"`},
		"bad also":                   {"", `also = ["views.py:9"]`, `also = ["views.py"]`},
		"bad verdict":                {"", `verdict = "noise"`, `verdict = "maybe"`},
		"noise without its reason":   {"", `noise = "repeat"`, `noise = ""`},
		"unknown noise reason":       {"", `noise = "repeat"`, `noise = "boring"`},
		"unknown defect":             {"", `defect = "D1"`, `defect = "D9"`},
		"unknown missed defect":      {"", `missed = ["D1"]`, `missed = ["D2"]`},
		"bad checklist state":        {"", `state = "n/a"`, `state = "partly"`},
		"unknown key":                {"", `exercise = "x"`, "exercise = \"x\"\nexcercise = \"typo\""},
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			file := b.name
			if file == "" {
				file = "octo+shop.toml"
			}
			body := validLabel
			if b.from != "" {
				require.Contains(t, body, b.from)
				body = strings.Replace(body, b.from, b.to, 1)
			}
			_, err := LoadSubmissions(writeLabel(t, file, body), kinds)
			assert.Error(t, err)
		})
	}
}

func TestSelectSubmissions(t *testing.T) {
	subs := []*Submission{{Slug: "a+b"}, {Slug: "c+d"}}
	got, err := selectSubmissions(subs, []string{"c+d"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "c+d", got[0].Slug)
	_, err = selectSubmissions(subs, []string{"x+y"})
	assert.Error(t, err)
}

func TestUsageErrors(t *testing.T) {
	var out, errb strings.Builder
	assert.Equal(t, 2, run(nil, &out, &errb))
	assert.Contains(t, errb.String(), "usage")
	assert.Equal(t, 2, run([]string{"--repos", t.TempDir(), "--rubric", filepath.Join(t.TempDir(), "none"), "--labels", "takehomes", "--kinds", "kinds.toml"}, &out, &errb))
	assert.Contains(t, errb.String(), "rubric binary")
}

// The README's table of kinds must follow kinds.toml.
func TestReadmeListsEveryKind(t *testing.T) {
	kinds, err := LoadKinds("kinds.toml")
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join("takehomes", "README.md"))
	require.NoError(t, err)
	for k := range kinds.Kinds {
		assert.Contains(t, string(readme), "| `"+k+"` |", "kind %s missing from takehomes/README.md", k)
	}
}
