package all_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/all"
)

func TestRegistryValid(t *testing.T) {
	require.NoError(t, analyzer.Validate(all.Rules()))
}

// The families about one framework say so (Rule.Stack), so that a new
// rule there is not run on, and does not slow, a project that never
// imports it: ORM, MIG and TXN rules are about Django, CEL rules about
// Celery.
func TestFrameworkFamiliesDeclareTheirStack(t *testing.T) {
	want := map[string]project.Stack{"ORM": project.Django, "MIG": project.Django, "TXN": project.Django, "CEL": project.Celery}
	for _, r := range all.Rules() {
		if s, ok := want[r.Family()]; ok {
			assert.True(t, r.Stack.Any(s), "%s: Stack should name %s", r.Code, s)
		}
	}
}

// Every rule has a firing fixture and a silent one: CODE.py + CODE_ok.py,
// or CODE.txtar + CODE_ok.txtar, somewhere under testdata/rules.
func TestEveryRuleHasFixtures(t *testing.T) {
	for _, r := range all.Rules() {
		if r.Builtin() {
			continue
		}
		for _, suffix := range []string{"", "_ok"} {
			py, _ := filepath.Glob(filepath.Join("../../testdata/rules/*", r.Code+suffix+".py"))
			tx, _ := filepath.Glob(filepath.Join("../../testdata/rules/*", r.Code+suffix+".txtar"))
			assert.NotEmpty(t, append(py, tx...), "%s: no testdata/rules/*/%s%s.{py,txtar}", r.Code, r.Code, suffix)
		}
	}
}

// The Example block of each rule's doc must fire the rule; the Instead
// block must not. A block may name its path with title=path.
func TestDocExamples(t *testing.T) {
	for _, r := range all.Rules() {
		if r.Builtin() {
			continue
		}
		t.Run(r.Code, func(t *testing.T) {
			d := analyzer.ParseDoc(r.Doc)
			for _, sec := range []string{"Example", "Instead"} {
				blocks := analyzer.CodeBlocks(d.Section(sec))
				var py, files []analyzer.CodeBlock
				for _, b := range blocks {
					if b.Lang == "python" {
						py = append(py, b)
					}
					// Other blocks naming their path (a template) are
					// files of the example project too.
					if b.Lang == "python" || b.Path != "" {
						files = append(files, b)
					}
				}
				require.NotEmpty(t, py, "%s: section %s has no python block", r.Code, sec)
				dir := t.TempDir()
				for i, b := range files {
					p := b.Path
					if p == "" {
						p = filepath.Join("example", "module"+string(rune('a'+i))+".py")
					}
					full := filepath.Join(dir, filepath.FromSlash(p))
					require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
					require.NoError(t, os.WriteFile(full, []byte(b.Code), 0o644))
				}
				res, err := analyzer.Run(context.Background(), analyzer.Config{
					Rules: append(analyzer.BuiltinRules(), r), WorkDir: dir, Jobs: 1}, []string{dir})
				require.NoError(t, err)
				n := 0
				for _, dg := range res.Diagnostics {
					if dg.Code == r.Code {
						n++
					} else if dg.Code == analyzer.SyntaxError.Code || dg.Code == analyzer.InternalError.Code {
						t.Errorf("%s %s block: %s %s", r.Code, sec, dg.Code, dg.Message)
					}
				}
				if sec == "Example" {
					assert.Positive(t, n, "%s: the Example block does not fire the rule", r.Code)
				} else {
					assert.Zero(t, n, "%s: the Instead block fires the rule", r.Code)
				}
			}
		})
	}
}

// A rule that reads shared analyses without digests (the semantic model,
// the endpoint inventory) on test modules builds them whenever a test
// module changes: an edit to one of saleor's test modules then costs a
// whole model (0.3 s of wall time became 0.6 s when BUG060 ran there).
// Such rules skip test modules, or declare that they read no analysis
// there (LocalOn); summary rules, whose analyses all have digests, may
// run there.
func TestRulesOnTestModulesBuildNoModel(t *testing.T) {
	for _, r := range all.Rules() {
		if r.Run == nil || r.Skip.Any(semantic.Test) || r.LocalOn.Any(semantic.Test) {
			continue
		}
		for _, a := range r.Requires {
			assert.True(t, project.Digestible(a), "%s runs on test modules and requires %s, which has no digest: skip test modules (Skip) or declare LocalOn", r.Code, a.AnalysisName())
		}
	}
}
