package cli

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/analyzertest"
)

func TestModelsCommand(t *testing.T) {
	dir, _ := analyzertest.Extract(t, "../../testdata/projects/models_graph.txtar")
	var out, errb bytes.Buffer
	code := Main([]string{"models", dir}, nil, &out, &errb)
	require.Equal(t, ExitClean, code, errb.String())
	text := out.String()
	assert.Contains(t, text, "app shop\n")
	assert.Contains(t, text, "    customer: ForeignKey -> crm.Customer (external) indexed\n")
	assert.Contains(t, text, "    owner: ForeignKey -> accounts.User related_name=\"%(class)s_owned\" indexed (from TimeStamped)\n")
	assert.Contains(t, text, "    <- items (many, OrderItem.order)\n")
	assert.Contains(t, text, "    index (status, -created_at)\n")

	out.Reset()
	code = Main([]string{"models", "--format", "json", dir}, nil, &out, &errb)
	require.Equal(t, ExitClean, code, errb.String())
	var g graphJSON
	require.NoError(t, json.Unmarshal(out.Bytes(), &g))
	assert.Equal(t, "accounts.User", g.AuthUserModel)
	var labels []string
	for _, m := range g.Models {
		labels = append(labels, m.Label)
	}
	assert.Contains(t, labels, "shop.Order")
	assert.NotContains(t, labels, "shop.Printable")
	require.NotEmpty(t, g.External)
}
