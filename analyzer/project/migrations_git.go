package project

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/rubric-dev/rubric/internal/gitdiff"
)

// ReleasedAtRevision lists the migrations of the index that exist, as
// files, at a git revision of the repository holding them ("v2.3",
// "origin/main", a commit): what that revision deployed. The repository
// is read with go-git through gitdiff.Open; no git command runs, so nothing
// the analysed repository configures is executed, and nothing outside its
// .git directory is read. The names are "app.migration", ready
// for SelectReleased.
func (mi *MigrationIndex) ReleasedAtRevision(units []*Unit, rev string) ([]string, error) {
	var anyPath string
	abs := map[string]*Migration{}
	for _, u := range units {
		if m := mi.ByPath[u.File.Rel]; m != nil {
			p, err := filepath.Abs(u.File.Path)
			if err != nil {
				continue
			}
			if real, err := filepath.EvalSymlinks(p); err == nil {
				p = real
			}
			abs[p] = m
			anyPath = p
		}
	}
	if anyPath == "" {
		return nil, nil
	}
	// Opened as --changed-since opens it (gitdiff.Open): the analysed
	// repository's configuration, alternates and gitdir: redirections are
	// never read, only its objects, through a filesystem bound to .git.
	repo, top, err := gitdiff.Open(filepath.Dir(anyPath))
	if err != nil {
		return nil, fmt.Errorf("released-revision: %w", err)
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("released-revision %q: %w", rev, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("released-revision %q: %w", rev, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("released-revision %q: %w", rev, err)
	}
	var out []string
	err = tree.Files().ForEach(func(f *object.File) error {
		if !strings.HasSuffix(f.Name, ".py") || !strings.Contains(f.Name, "migrations/") {
			return nil
		}
		if m := abs[filepath.Join(top, filepath.FromSlash(f.Name))]; m != nil {
			app := m.DirLabel
			if a := mi.App(m); a != nil {
				app = a.Label
			}
			out = append(out, app+"."+m.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("released-revision %q: %w", rev, err)
	}
	return out, nil
}
