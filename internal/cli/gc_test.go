package cli

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gcTarget reads the collector's current target.
func gcTarget() int {
	old := debug.SetGCPercent(100)
	debug.SetGCPercent(old)
	return old
}

// A command runs with the collector at gcPercent, then the previous target
// is back; GOGC, when set, wins.
func TestCommandsCollectAtGCPercent(t *testing.T) {
	before := gcTarget()
	t.Setenv("GOGC", "")
	withGCPercent(func() int {
		assert.Equal(t, gcPercent, gcTarget())
		return 0
	})
	assert.Equal(t, before, gcTarget(), "restored")

	require.NotNil(t, gcPhases(), "the analysis sets its own target per phase")

	t.Setenv("GOGC", "300")
	assert.Nil(t, gcPhases(), "GOGC holds through the analysis too")
	withGCPercent(func() int {
		assert.Equal(t, before, gcTarget(), "GOGC is the user's choice")
		return 0
	})
}
