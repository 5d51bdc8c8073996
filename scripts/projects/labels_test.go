// Package projects holds the hand verdicts on the new rules' findings on
// real Django projects (labels.toml) and the README that sums them up.
// The test keeps the two consistent.
package projects

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/rules/all"
)

type label struct {
	Set        string `toml:"set"`
	Project    string `toml:"project"`
	Code       string `toml:"code"`
	Confidence string `toml:"confidence"`
	Path       string `toml:"path"`
	Line       int    `toml:"line"`
	Message    string `toml:"message"`
	Verdict    string `toml:"verdict"`
	Why        string `toml:"why"`
	After      string `toml:"after"`
}

var six = map[string]bool{"saleor": true, "netbox": true, "plane": true, "baserow": true, "Misago": true, "django-cms": true}

func load(t *testing.T) []label {
	var doc struct {
		Finding []label `toml:"finding"`
	}
	md, err := toml.DecodeFile("labels.toml", &doc)
	require.NoError(t, err)
	require.Empty(t, md.Undecoded(), "unknown keys in labels.toml")
	require.NotEmpty(t, doc.Finding)
	return doc.Finding
}

// Every label names a rule of the registry, a project of its set, a
// place, a verdict and a reason, once.
func TestLabelsAreComplete(t *testing.T) {
	codes := map[string]bool{}
	for _, r := range all.Rules() {
		codes[r.Code] = true
	}
	seen := map[string]bool{}
	for _, l := range load(t) {
		where := l.Project + ":" + l.Path + ":" + strconv.Itoa(l.Line) + " " + l.Code
		assert.True(t, codes[l.Code], "%s: unknown rule", where)
		assert.Contains(t, []string{"six", "held-out"}, l.Set, where)
		assert.Equal(t, l.Set == "six", six[l.Project], "%s: project and set disagree", where)
		assert.Contains(t, []string{"true", "noise", "wrong"}, l.Verdict, where)
		assert.Contains(t, []string{"high", "medium", "low"}, l.Confidence, where)
		assert.True(t, l.Path != "" && l.Line > 0 && l.Message != "" && l.Why != "" && l.After != "", "%s: incomplete", where)
		assert.True(t, strings.HasPrefix(l.After, "reported") || strings.HasPrefix(l.After, "silent"), "%s: after", where)
		assert.False(t, seen[where], "%s: labelled twice", where)
		seen[where] = true
	}
}

// The README's table for the six projects says what the labels say.
func TestReadmeTableMatchesLabels(t *testing.T) {
	counts := map[string][4]int{} // findings, true, noise, wrong
	for _, l := range load(t) {
		if l.Set != "six" {
			continue
		}
		c := counts[l.Code]
		c[0]++
		c[map[string]int{"true": 1, "noise": 2, "wrong": 3}[l.Verdict]]++
		counts[l.Code] = c
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	section := string(readme)
	start := strings.Index(section, "## Per rule, six projects")
	require.GreaterOrEqual(t, start, 0)
	section = section[start:]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	row := regexp.MustCompile(`(?m)^\| ([A-Z]{3}\d{3})[^|]* \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|`)
	got := map[string][4]int{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		var c [4]int
		for i := range c {
			c[i], _ = strconv.Atoi(m[i+2])
		}
		got[m[1]] = c
	}
	assert.Equal(t, counts, got)
}
