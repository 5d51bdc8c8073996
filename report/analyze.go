package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
)

// Analyze runs the rules over the submission in dir and fills the
// checklist. Paths in the report are relative to dir. The name defaults to
// the directory's base name.
func Analyze(ctx context.Context, dir string, rules []*analyzer.Rule, jobs int, o Options) (*Report, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	// Isolated: the submission's own .gitignore does not decide what is
	// reviewed. A deadline on ctx (grade's budget) also bounds any parse.
	// Rules that are off by default stay off: the judges of suppression
	// comments (RUB002, RUB003) would only restate the report's own list
	// of suppressions.
	cfg := analyzer.Config{Rules: analyzer.Select(rules, nil, nil), Registry: rules, Jobs: jobs, WorkDir: abs, Isolated: true}
	if dl, ok := ctx.Deadline(); ok {
		cfg.ParseTimeout = max(time.Until(dl), time.Millisecond)
	}
	res, err := analyzer.Run(ctx, cfg, []string{abs})
	if err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = filepath.Base(abs)
	}
	sig := CollectSignals(abs, "", res)
	return Build(res, sig, o), nil
}
