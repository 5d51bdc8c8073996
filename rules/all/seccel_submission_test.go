package all_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/all"
)

// The sample submission's settings and tasks show the SEC and CEL findings
// a reviewer expects: a committed SECRET_KEY and API key, DEBUG = True,
// ALLOWED_HOSTS = ["*"]. Its one task only prints: nothing in it can hang,
// so CEL002 is silent.
func TestGalileoSubmissionSecurityCelery(t *testing.T) {
	var rules []*analyzer.Rule
	for _, r := range all.Rules() {
		if r.Family() == "SEC" || r.Family() == "CEL" {
			rules = append(rules, r)
		}
	}
	dir, err := filepath.Abs("../../testdata/submissions/galileo")
	require.NoError(t, err)
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, Jobs: 2}, []string{dir})
	require.NoError(t, err)
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, fmt.Sprintf("%s:%d %s", d.Path, d.Pos.Line, d.Code))
	}
	assert.Equal(t, []string{
		"config/settings.py:1 SEC006",
		"config/settings.py:2 SEC007",
		"config/settings.py:3 SEC008",
		"config/settings.py:15 SEC006",
	}, got)
}
