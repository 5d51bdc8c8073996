package semantic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// TestNoModelsChangesNoValue builds the model of every fixture of the
// repository that defines no Django model (each .py file alone, each
// archive's Python files together) with and without the shortcut a
// project without models takes (no settling, no evaluation), and requires
// the same settled values and the same value and queryset for every name,
// attribute, call and subscript: without a model the evaluator finds
// nothing, so skipping it must change nothing. A fixture with a model
// takes no shortcut.
func TestNoModelsChangesNoValue(t *testing.T) {
	var archives []string
	require.NoError(t, filepath.WalkDir("../../testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".py"):
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			archives = append(archives, "-- "+filepath.Base(p)+" --\n"+string(data))
		case strings.HasSuffix(p, ".txtar"):
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			ar := txtar.Parse(data)
			var py txtar.Archive
			for _, f := range ar.Files {
				if strings.HasSuffix(f.Name, ".py") {
					py.Files = append(py.Files, f)
				}
			}
			archives = append(archives, string(txtar.Format(&py)))
		}
		return nil
	}))
	shortcut, withModels, values := 0, 0, 0
	for _, ar := range archives {
		m := load(t, ar)
		if !m.noModels {
			withModels++
			continue
		}
		shortcut++
		honourNoModels = false
		full := load(t, ar)
		honourNoModels = true
		require.False(t, full.noModels)
		assert.Equal(t, dumpSettled(full), dumpSettled(m))
		a, b := dumpValues(full), dumpValues(m)
		values += len(a)
		assert.Equal(t, a, b)
	}
	assert.Positive(t, shortcut)
	assert.Positive(t, withModels)
	assert.Positive(t, values)
	t.Logf("%d shortcut, %d with models, %d values", shortcut, withModels, values)
}

// dumpValues prints what the model says of every name, attribute, call
// and subscript of its files.
func dumpValues(m *Model) []string {
	var out []string
	for _, f := range m.Files() {
		for n := range pyast.FindEach(f.Unit.Tree.Root(), "identifier", "attribute", "call", "subscript") {
			out = append(out, f.Unit.File.Rel+" "+n.Text()+" "+dumpValue(f.Value(n))+" "+dumpQS(f.Eval(n), 0))
		}
	}
	return out
}
