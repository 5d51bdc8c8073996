package effects

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestRetryConfig(t *testing.T) {
	src := "import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3.util.retry import Retry\nimport tenacity\nimport httpx\n" +
		"HTTPAdapter(max_retries=Retry(total=3))\n" + // 2: the adapter and the Retry
		"HTTPAdapter(max_retries=0)\n" +
		"httpx.HTTPTransport(retries=2)\n" +
		"tenacity.Retrying(stop=tenacity.stop_after_attempt(3))\n" // 2 library calls
	tr, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	im := pyast.CollectImports(tr.Root())
	mounts, lib := 0, 0
	for _, n := range pyast.FindAll(tr.Root(), "call") {
		if MountsRetries(im, n) {
			mounts++
		}
		if RetryLibraryCall(im, n) {
			lib++
		}
	}
	assert.Equal(t, 3, mounts)
	assert.Equal(t, 2, lib)
}
