// Package gitdiff finds the lines changed since a git revision.
//
// The analysed repository is untrusted: its configuration can name
// programs (core.fsmonitor, diff and filter drivers, hooks, pagers, lazy
// fetch transports) that any git command would run. So no git process is
// ever started. The repository's objects are read directly (go-git), from
// a filesystem bound to the .git directory: symbolic links cannot lead out
// of it, alternates and `gitdir:` redirections are refused, and every file
// opened must be a regular file (a FIFO cannot block the run). Each
// analysed file is compared line by line with its blob at the revision; a
// file the revision does not have is new in every line.
package gitdiff

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxBlob caps the size of a blob read at the revision; a larger one is
// treated as entirely changed.
const maxBlob = 16 << 20

// Changes answers which lines of a file changed since a revision.
type Changes struct {
	root string       // the work tree (directory holding .git), symlinks resolved
	tree *object.Tree // the revision's tree

	mu    sync.Mutex
	lines map[string]lineSet // by absolute path
}

// lineSet is the set of changed lines of one file; all means every line
// (a file the revision does not have).
type lineSet struct {
	all   bool
	lines map[int]bool
}

// Since opens the repository containing dir and resolves rev (a branch,
// tag, commit, `HEAD~2`...) to the tree later files are compared with.
func Since(dir, rev string) (*Changes, error) {
	repo, root, err := Open(dir)
	if err != nil {
		return nil, fmt.Errorf("--changed-since: %w", err)
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("--changed-since: %q is not a revision of %s", rev, root)
	}
	commit, err := repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("--changed-since: %q is not a commit of %s: %v", rev, root, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("--changed-since: cannot read the tree of %q: %v", rev, err)
	}
	return &Changes{root: root, tree: tree, lines: map[string]lineSet{}}, nil
}

// Open opens, for reading its objects, the git repository holding dir, as
// the package comment says: the first .git walking up must be a real
// directory; its files are read through a filesystem bound to it, regular
// files only, with no alternates. root is the work tree (the directory
// holding .git), symbolic links resolved. Every reader of the analysed
// repository (--changed-since, the released-revision option) opens it
// here.
func Open(dir string) (repo *git.Repository, root string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	root, gitDir, err := findRepo(abs)
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Lstat(filepath.Join(gitDir, "objects", "info", "alternates")); err == nil {
		return nil, "", fmt.Errorf("%s uses alternates (objects stored outside the repository), which rubric does not read", gitDir)
	}
	fs := regularOnly{osfs.New(gitDir, osfs.WithBoundOS())}
	st := filesystem.NewStorageWithOptions(fs, cache.NewObjectLRUDefault(), filesystem.Options{AlternatesFS: fs})
	repo, err = git.Open(st, nil)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the git repository at %s: %v", root, err)
	}
	return repo, root, nil
}

// findRepo walks up from dir to the first directory holding .git. The
// .git must be a real directory: a `.git` file (worktrees, submodules)
// redirects to a directory elsewhere, which rubric does not follow.
func findRepo(dir string) (root, gitDir string, err error) {
	for d := dir; ; {
		p := filepath.Join(d, ".git")
		fi, err := os.Lstat(p)
		switch {
		case err == nil && fi.IsDir():
			return d, p, nil
		case err == nil && fi.Mode()&os.ModeSymlink != 0:
			return "", "", fmt.Errorf("%s is a symbolic link; rubric reads only a .git directory inside the tree", p)
		case err == nil:
			return "", "", fmt.Errorf("%s is a file pointing to a git directory elsewhere (a worktree or submodule); run rubric from the main checkout", p)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", fmt.Errorf("%s is not inside a git repository", dir)
		}
		d = parent
	}
}

// Touches reports whether lines first..last of file (absolute path, whose
// current content is src) changed since the revision.
func (c *Changes) Touches(file string, src []byte, first, last int) bool {
	ls, ok := c.changed(file, src)
	if !ok {
		return false
	}
	if ls.all {
		return true
	}
	for l := first; l <= max(first, last); l++ {
		if ls.lines[l] {
			return true
		}
	}
	return false
}

// File reports whether the file changed at all since the revision.
func (c *Changes) File(file string, src []byte) bool {
	_, ok := c.changed(file, src)
	return ok
}

// changed computes (once per file) the lines of src that differ from the
// file's blob at the revision; ok is false when nothing changed.
func (c *Changes) changed(file string, src []byte) (lineSet, bool) {
	if real, err := filepath.EvalSymlinks(file); err == nil {
		file = real
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ls, done := c.lines[file]; done {
		return ls, ls.all || len(ls.lines) > 0
	}
	ls := c.compute(file, src)
	c.lines[file] = ls
	return ls, ls.all || len(ls.lines) > 0
}

func (c *Changes) compute(file string, src []byte) lineSet {
	rel, err := filepath.Rel(c.root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return lineSet{} // outside the repository: not a change of it
	}
	f, err := c.tree.File(filepath.ToSlash(rel))
	if err != nil || f.Size > maxBlob {
		return lineSet{all: true}
	}
	r, err := f.Reader()
	if err != nil {
		return lineSet{all: true}
	}
	defer r.Close()
	old, err := io.ReadAll(io.LimitReader(r, maxBlob+1))
	if err != nil {
		return lineSet{all: true}
	}
	return lineSet{lines: ChangedLines(old, src)}
}

// ChangedLines returns the 1-based lines of cur that are new or modified
// relative to old. A pure deletion marks the lines on both sides of the
// gap, so a finding next to removed code still counts as changed. Line
// endings are compared without their carriage returns.
func ChangedLines(old, cur []byte) map[int]bool {
	norm := func(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }
	diffs := diff.Do(norm(old), norm(cur))
	out := map[int]bool{}
	line := 1 // the next line of cur
	for i, d := range diffs {
		n := countLines(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			line += n
		case diffmatchpatch.DiffInsert:
			for j := 0; j < n; j++ {
				out[line+j] = true
			}
			line += n
		case diffmatchpatch.DiffDelete:
			// A deletion next to an insertion is a modification: the
			// inserted lines carry it.
			replaced := i > 0 && diffs[i-1].Type == diffmatchpatch.DiffInsert ||
				i+1 < len(diffs) && diffs[i+1].Type == diffmatchpatch.DiffInsert
			if replaced {
				continue
			}
			if line > 1 {
				out[line-1] = true
			}
			out[line] = true
		}
	}
	return out
}

func countLines(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

// regularOnly is the bound .git filesystem with one more guarantee: a file
// is opened without following a final symbolic link and without blocking,
// and only a regular file is handed to the reader. A FIFO, device or
// socket planted in .git is refused instead of hanging the run.
type regularOnly struct{ billy.Filesystem }

var errNotRegular = errors.New("not a regular file")

func (fs regularOnly) Open(name string) (billy.File, error) {
	return fs.OpenFile(name, os.O_RDONLY, 0)
}

func (fs regularOnly) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 {
		return nil, fmt.Errorf("%s: rubric never writes to the analysed repository: %w", name, os.ErrPermission)
	}
	f, err := fs.Filesystem.OpenFile(name, flag|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, perm)
	if err != nil {
		return nil, err
	}
	if osf, ok := f.(interface{ Stat() (os.FileInfo, error) }); ok {
		fi, err := osf.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			f.Close()
			if err == nil {
				err = errNotRegular
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	} else if fi, err := fs.Filesystem.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = errNotRegular
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

func (fs regularOnly) Chroot(path string) (billy.Filesystem, error) {
	sub, err := fs.Filesystem.Chroot(path)
	if err != nil {
		return nil, err
	}
	return regularOnly{sub}, nil
}
