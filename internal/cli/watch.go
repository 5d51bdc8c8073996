package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// watchInterval is how often --watch looks at the files. Polling (a stat
// of every discovered file and of the configuration) needs no dependency,
// sees new files and directories anywhere in the tree, and works on
// network and container file systems where change notifications do not.
var watchInterval = 500 * time.Millisecond

// watch checks, then checks again whenever a file's size or modification
// time changes, a Python file or template appears or goes, or the
// configuration file changes, until interrupted.
func (r *checkRun) watch() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r.cmd.SetContext(ctx)
	stderr := r.cmd.ErrOrStderr()
	last := ""
	for {
		if sig := r.fingerprint(); sig != last {
			if last != "" {
				fmt.Fprintln(stderr, "rubric: files changed; checking again")
			}
			last = sig
			if _, err := r.once(); err != nil {
				fmt.Fprintf(stderr, "rubric: %v\n", err)
			}
			// Fixes written by this round change the files: look again.
			last = r.fingerprint()
			fmt.Fprintf(stderr, "[%s] rubric: watching for file changes (Ctrl-C to stop)\n", time.Now().Format("15:04:05"))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(watchInterval):
		}
	}
}

// fingerprint summarises what --watch watches.
func (r *checkRun) fingerprint() string {
	h := sha256.New()
	stat := func(p string) {
		if st, err := os.Stat(p); err == nil {
			fmt.Fprintf(h, "%s\x00%d\x00%d\n", p, st.Size(), st.ModTime().UnixNano())
		} else {
			fmt.Fprintf(h, "%s\x00missing\n", p)
		}
	}
	if r.eff.Source != nil {
		stat(r.eff.Source.Path)
	}
	var refs []semantic.SourceRef
	for _, in := range analyzer.Discover(r.args, r.wd, r.cfg.Exclude) {
		stat(in.Path)
		refs = append(refs, semantic.SourceRef{Path: in.Path, Rel: in.Rel, RootRel: in.RootRel})
	}
	// The templates next to them: the template rule (ORM013) reads them.
	for _, t := range semantic.ListTemplates(refs) {
		stat(filepath.Join(t.Root, filepath.FromSlash(t.Rel)))
	}
	return string(h.Sum(nil))
}
