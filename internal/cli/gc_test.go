package cli

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
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

	t.Setenv("GOGC", "300")
	withGCPercent(func() int {
		assert.Equal(t, before, gcTarget(), "GOGC is the user's choice")
		return 0
	})
}
