package printer_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schemaPath finds the official SARIF schema in the shared folder beside
// the repository (../shared/schemas from the repository root); the project
// never carries its own copy. RUBRIC_SHARED_DIR overrides the folder.
func schemaPath(t *testing.T) string {
	dir := os.Getenv("RUBRIC_SHARED_DIR")
	if dir == "" {
		root, err := filepath.Abs("../..")
		require.NoError(t, err)
		dir = filepath.Join(root, "..", "shared")
	}
	p := filepath.Join(dir, "schemas", "sarif-schema-2.1.0.json")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("SARIF schema not found at %s (expected ../shared/schemas/ beside the repository, or set RUBRIC_SHARED_DIR); schema validation skipped", p)
	}
	return p
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	path := schemaPath(t)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("file:///sarif-schema-2.1.0.json", doc))
	sch, err := c.Compile("file:///sarif-schema-2.1.0.json")
	require.NoError(t, err)

	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(render(t, "sarif")))
	require.NoError(t, err)
	assert.NoError(t, sch.Validate(inst))
}

// What GitHub code scanning needs beyond the schema: a rule id and a
// located region on every result, rules with help, partial fingerprints.
func TestSARIFForGitHub(t *testing.T) {
	var log struct {
		Runs []struct {
			ColumnKind string `json:"columnKind"`
			Tool       struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						HelpURI    string         `json:"helpUri"`
						Help       map[string]any `json:"help"`
						Properties struct {
							Tags []string `json:"tags"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Fixes               []any             `json:"fixes"`
				RelatedLocations    []any             `json:"relatedLocations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(render(t, "sarif"), &log))
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	assert.Equal(t, "unicodeCodePoints", run.ColumnKind)
	for _, r := range run.Tool.Driver.Rules {
		assert.Contains(t, r.HelpURI, "docs/rules/"+r.ID+".md")
		assert.NotEmpty(t, r.Help["markdown"])
		assert.Len(t, r.Properties.Tags, 2)
	}
	var fixes, related int
	for _, r := range run.Results {
		require.NotNil(t, r.RuleIndex, r.RuleID)
		assert.Equal(t, r.RuleID, run.Tool.Driver.Rules[*r.RuleIndex].ID)
		require.Len(t, r.Locations, 1)
		assert.NotEmpty(t, r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
		assert.Positive(t, r.Locations[0].PhysicalLocation.Region.StartLine)
		assert.Len(t, r.PartialFingerprints["rubric/v1"], 32)
		fixes += len(r.Fixes)
		related += len(r.RelatedLocations)
		if r.RuleID == "NET001" {
			// After "café ☕ 🎉"; : code points, not UTF-16 units (which would give 25).
			assert.Equal(t, 24, r.Locations[0].PhysicalLocation.Region.StartColumn)
		}
	}
	assert.Equal(t, 1, fixes)
	assert.Equal(t, 1, related)
}
