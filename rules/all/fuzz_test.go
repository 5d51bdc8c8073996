package all_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/all"
)

// FuzzAnalyze feeds arbitrary bytes through parsing, indexing and every
// rule, as a models.py, a views.py and a migration at once. No panic may
// escape, and a rule that fails must do so as an RUB001 diagnostic.
func FuzzAnalyze(f *testing.F) {
	seeds, _ := filepath.Glob("../../testdata/rules/*/*.py")
	more, _ := filepath.Glob("../../testdata/submissions/*/*/*.py")
	// Inputs made to break rules (names bound from themselves and from
	// each other: a rule that follows them round overflows the stack,
	// which ends the whole run).
	robust, _ := filepath.Glob("../../testdata/robust/*.py")
	for _, s := range slices.Concat(seeds, more, robust) {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("class M(models.Model):\n    a = models.ForeignKey('self', related_name='+')\n"))
	f.Add([]byte("\xff\xfe\x00"))
	rules := analyzer.Select(all.Rules(), []string{"ALL"}, nil)
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		for _, rel := range []string{"app/models.py", "app/views.py", "app/migrations/0002_auto.py"} {
			p := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, Jobs: 1}, []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Diagnostics {
			if d.Code == analyzer.InternalError.Code {
				t.Errorf("%s: %s", d.Path, d.Message)
			}
		}
	})
}
