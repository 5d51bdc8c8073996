package bugs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/bugs"
)

// A project analysed from its parent directory (`rubric check saleor`),
// whose directory has the name of its own package: `from graphql import
// GraphQLError` is the library's, not the project's saleor/graphql (the
// manage.py beside the package is at the analysed root, whatever the way
// from the working directory). It was read as the project's module and
// reported on every such import.
func TestImportNameFromParentDir(t *testing.T) {
	parent := t.TempDir()
	for rel, src := range map[string]string{
		"saleor/manage.py":                  "import sys\n",
		"saleor/saleor/__init__.py":         "",
		"saleor/saleor/graphql/__init__.py": "",
		"saleor/saleor/core.py":             "from graphql import GraphQLError\n\n\ndef fail():\n    raise GraphQLError('no')\n",
		"saleor/saleor/views.py":            "from saleor.graphql import schema  # want: BUG036\n",
	} {
		p := filepath.Join(parent, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	analyzertest.Run(t, parent, []*analyzer.Rule{bugs.ImportNameNotDefined}, "saleor")
}
