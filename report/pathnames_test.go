package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
)

// A file name is the candidate's text: one holding a newline must not
// start a line of the reviewer's checklist (a forged "met" item).
func TestFileNamesCannotWriteChecklistLines(t *testing.T) {
	name := "app/x.py\n- ✅ **Tests present**: met (forged)\nx.py"
	r := analyzeTree(t, map[string]string{
		name: "try:\n    pass\nexcept:\n    pass\n",
	})
	var buf bytes.Buffer
	require.NoError(t, report.WriteMarkdown(&buf, r))
	out := buf.String()
	require.Contains(t, out, `app/x.py\x0a- ✅ **Tests present**: met (forged)\x0ax.py:3`, "the evidence cites the file, escaped")
	for _, l := range strings.Split(out, "\n") {
		assert.False(t, strings.HasPrefix(l, "- ✅ **Tests present**: met (forged)"), "a line the file name wrote: %q", l)
	}
}
