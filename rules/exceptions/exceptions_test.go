package exceptions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/exceptions"
)

// A broad handler that shows the exception to the user, or returns it to
// its caller, is deliberate handling: reported at low confidence; one that
// only keeps its text, at medium.
func TestBroadExceptShownToUserIsLowConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/ERR002_user.txtar", []*analyzer.Rule{exceptions.BroadExcept})
	var got []analyzer.Confidence
	for _, d := range res.Diagnostics {
		if d.Code == "ERR002" {
			got = append(got, d.Confidence)
		}
	}
	require.Len(t, got, 3)
	assert.Equal(t, analyzer.Low, got[0])
	assert.Equal(t, analyzer.Medium, got[1])
	assert.Equal(t, analyzer.Low, got[2])
}
