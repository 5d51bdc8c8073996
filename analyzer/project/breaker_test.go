package project

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestBreakers(t *testing.T) {
	src := []byte("from circuitbreaker import circuit\nimport pybreaker\n\nclass PaymentBreaker:\n    pass\n\n@circuit(failure_threshold=3)\n@payment_breaker\ndef pay():\n    Circuit.objects.get(cid=1)\n    breaker = pybreaker.CircuitBreaker(fail_max=5)\n")
	tr, err := pyast.Parse(src)
	require.NoError(t, err)
	im := pyast.CollectImports(tr.Root())
	assert.Equal(t, "circuitbreaker", BreakerImport(im))
	var types []string
	for _, n := range BreakerSites(tr) {
		types = append(types, n.Type())
	}
	assert.Equal(t, []string{"class_definition", "decorator", "call"}, types) // @payment_breaker; not @circuit, not Circuit.objects

	tr, err = pyast.Parse([]byte("import requests\n"))
	require.NoError(t, err)
	assert.Empty(t, BreakerImport(pyast.CollectImports(tr.Root())))
	assert.Empty(t, BreakerSites(tr))
}

func TestBreakerName(t *testing.T) {
	for name, want := range map[string]bool{
		"CircuitBreaker": true, "BreakerBoard": true, "initialize_breaker_board": true, "pybreaker.CircuitBreaker": true,
		"circuitbreaker": true, "self.breakers.get": true, "FailureBreaker": true,
		"self._apply_ordering_tie_breaker": false, "TieBreaker": false, "tiebreaker": false, "Circuit.objects.get": false,
		"circuit_termination": false, "icebreaker_game": false,
	} {
		assert.Equal(t, want, breakerName(name), name)
	}
}
