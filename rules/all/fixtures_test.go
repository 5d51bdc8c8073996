package all_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/all"
)

// TestFixtures runs every rule, alone, over its fixtures under
// testdata/rules: CODE.py / CODE_ok.py files and CODE*.txtar mini-projects,
// each mini-project also analysed from the directory above it (`rubric
// check proj`), where display paths and root-relative ones differ.
// The wants in a rule's fixtures must name that rule (or a built-in one).
func TestFixtures(t *testing.T) {
	for _, r := range all.Rules() {
		if r.Builtin() {
			continue
		}
		t.Run(r.Code, func(t *testing.T) {
			rules := []*analyzer.Rule{r}
			pys, _ := filepath.Glob(filepath.Join("../../testdata/rules/*", r.Code+"*.py"))
			for _, p := range pys {
				base := strings.TrimSuffix(filepath.Base(p), ".py")
				if base != r.Code && base != r.Code+"_ok" {
					continue
				}
				analyzertest.Run(t, filepath.Dir(p), rules, filepath.Base(p))
			}
			txs, _ := filepath.Glob(filepath.Join("../../testdata/rules/*", r.Code+"*.txtar"))
			for _, p := range txs {
				analyzertest.RunTxtar(t, p, rules)
				analyzertest.RunTxtarFromParent(t, p, rules)
			}
		})
	}
}
