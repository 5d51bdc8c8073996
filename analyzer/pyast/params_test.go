package pyast

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParamNames(t *testing.T) {
	tr, err := Parse([]byte("def f(self, a, b: int, c=1, d: str = 'x', /, *args: int, e, **kw: str): ...\n"))
	require.NoError(t, err)
	fn := FindAll(tr.Root(), "function_definition")[0]
	assert.Equal(t, []string{"self", "a", "b", "c", "d", "e"}, ParamNames(fn))
}
