package semantic_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// Path converters and re_path named groups are both keyword arguments of
// the view; unnamed groups and literal text are not captures.
func TestURLCaptures(t *testing.T) {
	assert.Equal(t, map[string]bool{"org": true, "pk": true}, semantic.URLCaptures("orgs/<slug:org>/items/<pk>/"))
	assert.Equal(t, map[string]bool{"code": true}, semantic.URLCaptures(`^r/(?P<code>[a-z0-9]+)/(\d+)/$`))
	assert.Empty(t, semantic.URLCaptures("health/"))
}
