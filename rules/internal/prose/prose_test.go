package prose

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestJoinAnd(t *testing.T) {
	assert.Equal(t, "", JoinAnd(nil))
	assert.Equal(t, "a", JoinAnd([]string{"a"}))
	assert.Equal(t, "a and b", JoinAnd([]string{"a", "b"}))
	assert.Equal(t, "a, b and c", JoinAnd([]string{"a", "b", "c"}))
}
