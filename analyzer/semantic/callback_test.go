package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A loop calling a parameter with each row, the rows built from another
// parameter through rebindings, filters and a slice; and the queries a
// function passed there runs with the row through a model method and a
// nested function.
func TestRowCallbacksAndRowLookups(t *testing.T) {
	m := load(t, `
-- dojo/models.py --
from django.db import models

class Finding(models.Model):
    title = models.CharField(max_length=10)

    def compute_hash(self):
        return self.title + self.vulnerability_ids()

    def vulnerability_ids(self):
        def _saved(finding):
            rows = Vulnerability.objects.filter(finding=finding)
            return "".join(str(r) for r in rows.all())
        return _saved(self)

class Vulnerability(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE)
-- dojo/utils.py --
def mass_update(models, function, page_size=100):
    last_id = 0
    models = models.order_by("id")
    while True:
        page = models.filter(id__gt=last_id)[:page_size]
        for model in page:
            last_id = model.id
            function(model)

def not_a_callback(models, function):
    for model in models:
        function = print
        function(model)
-- dojo/commands.py --
def generate_hash(finding):
    finding.hash = finding.compute_hash()
`)
	mu := m.LookupFunc("dojo.utils.mass_update")
	require.NotNil(t, mu)
	cbs := mu.RowCallbacks()
	require.Len(t, cbs, 1)
	assert.Equal(t, 0, cbs[0].Rows)
	assert.Equal(t, 1, cbs[0].Fn)
	assert.Equal(t, 0, cbs[0].Arg)
	assert.Empty(t, m.LookupFunc("dojo.utils.not_a_callback").RowCallbacks())

	gen := m.LookupFunc("dojo.commands.generate_hash")
	require.NotNil(t, gen)
	finding := m.Graph.ByQual("dojo.models.Finding")
	accs := m.RowLookups(gen, 0, finding)
	require.Len(t, accs, 1)
	assert.Equal(t, "rows.all()", accs[0].Node.Text(), "the query runs where the bound chain is iterated")
	assert.Len(t, accs[0].Via, 3)
	assert.Empty(t, m.Lookups(gen, 0), "without the row's model, methods are not followed")
}
