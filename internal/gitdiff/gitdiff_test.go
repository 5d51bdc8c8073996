package gitdiff

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChangedLines(t *testing.T) {
	old := "a\nb\nc\nd\ne\n"
	for _, tc := range []struct {
		name, cur string
		want      []int
	}{
		{"unchanged", old, nil},
		{"insert", "a\nb\nX\nY\nc\nd\ne\n", []int{3, 4}},
		{"modify", "a\nB\nc\nd\ne\n", []int{2}},
		{"delete marks both sides of the gap", "a\nb\nd\ne\n", []int{2, 3}},
		{"delete first line", "b\nc\nd\ne\n", []int{1}},
		{"append without final newline", "a\nb\nc\nd\ne\nf", []int{6}},
		{"CRLF endings are not a change", "a\r\nb\r\nc\r\nd\r\ne\r\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ChangedLines([]byte(old), []byte(tc.cur))
			var lines []int
			for l := 1; l <= 10; l++ {
				if got[l] {
					lines = append(lines, l)
				}
			}
			assert.Equal(t, tc.want, lines)
		})
	}
}

// run runs the test's own git (never rubric's code path) to build fixtures.
func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir(),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o755))
}

// newRepo makes a repository with two commits of app/views.py, then
// edits line 2 in the working tree.
func newRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed: the fixtures are built with it")
	}
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "app/views.py"), "a = 1\nb = 2\nc = 3\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "one")
	write(t, filepath.Join(dir, "app/views.py"), "a = 1\nb = 2\nc = 3\nd = 4\n")
	run(t, dir, "commit", "-q", "-am", "two")
	write(t, filepath.Join(dir, "app/views.py"), "a = 1\nB = 2\nc = 3\nd = 4\n")
	return dir
}

func TestSince(t *testing.T) {
	dir := newRepo(t)
	src, err := os.ReadFile(filepath.Join(dir, "app/views.py"))
	require.NoError(t, err)
	file := filepath.Join(dir, "app/views.py")

	ch, err := Since(filepath.Join(dir, "app"), "HEAD")
	require.NoError(t, err)
	assert.True(t, ch.Touches(file, src, 2, 2))
	assert.False(t, ch.Touches(file, src, 1, 1))
	assert.False(t, ch.Touches(file, src, 3, 4))
	assert.True(t, ch.File(file, src))

	ch, err = Since(dir, "HEAD~1")
	require.NoError(t, err)
	assert.True(t, ch.Touches(file, src, 4, 4), "line 4 was added after HEAD~1")
	assert.False(t, ch.Touches(file, src, 3, 3))

	ch, err = Since(dir, "main")
	require.NoError(t, err)
	assert.True(t, ch.Touches(file, src, 2, 2))

	newFile := filepath.Join(dir, "app/new.py")
	write(t, newFile, "x = 1\n")
	assert.True(t, ch.Touches(newFile, []byte("x = 1\n"), 1, 1), "a file the revision lacks is new in every line")

	unchanged := []byte("a = 1\nb = 2\nc = 3\nd = 4\n")
	ch2, err := Since(dir, "HEAD")
	require.NoError(t, err)
	assert.False(t, ch2.File(file, unchanged), "content equal to the revision's blob is no change")

	_, err = Since(dir, "no-such-branch")
	assert.ErrorContains(t, err, "is not a revision")
	_, err = Since(t.TempDir(), "HEAD")
	assert.ErrorContains(t, err, "not inside a git repository")
}

// TestNothingFromTheRepositoryRuns plants every known way a repository can
// make git run a program, or read outside the tree, and checks that
// computing the changes neither runs anything nor leaves the tree. Where
// the vector is real for the git command rubric used to run, a control
// check shows that git itself does run it: the test would fail on that
// implementation.
func TestNothingFromTheRepositoryRuns(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed: the fixtures are built with it")
	}
	type vector struct {
		name string
		// plant sets up the vector; cmd is a shell command that creates
		// the marker file when run.
		plant func(t *testing.T, dir, cmd string)
		// gitRuns: git's own `diff REV` runs the command (control).
		gitRuns bool
		// wantErr: rubric refuses the repository rather than reading it.
		wantErr bool
	}
	cfg := func(kv ...string) func(t *testing.T, dir, cmd string) {
		return func(t *testing.T, dir, cmd string) {
			for i := 0; i < len(kv); i += 2 {
				run(t, dir, "config", kv[i], strings.ReplaceAll(kv[i+1], "CMD", cmd))
			}
		}
	}
	attrs := func(line string, kv ...string) func(t *testing.T, dir, cmd string) {
		return func(t *testing.T, dir, cmd string) {
			write(t, filepath.Join(dir, ".gitattributes"), line+"\n")
			cfg(kv...)(t, dir, cmd)
		}
	}
	vectors := []vector{
		{name: "core.fsmonitor", plant: cfg("core.fsmonitor", "CMD"), gitRuns: true},
		{name: "diff driver textconv", plant: attrs("*.py diff=evil", "diff.evil.textconv", "CMD; cat"), gitRuns: true},
		{name: "diff driver command", plant: attrs("*.py diff=evil", "diff.evil.command", "CMD")},
		{name: "diff.external", plant: cfg("diff.external", "CMD")},
		{name: "filter clean and smudge", plant: attrs("*.py filter=evil", "filter.evil.clean", "CMD; cat", "filter.evil.smudge", "CMD; cat"), gitRuns: true},
		{name: "filter process", plant: attrs("*.py filter=evil", "filter.evil.process", "CMD")},
		{name: "hooks", plant: func(t *testing.T, dir, cmd string) {
			for _, h := range []string{"pre-commit", "post-checkout", "post-index-change", "fsmonitor-watchman", "reference-transaction", "pre-auto-gc"} {
				write(t, filepath.Join(dir, ".git/hooks", h), "#!/bin/sh\n"+cmd+"\n")
			}
		}},
		{name: "core.hooksPath", plant: func(t *testing.T, dir, cmd string) {
			write(t, filepath.Join(dir, "hooks/post-index-change"), "#!/bin/sh\n"+cmd+"\n")
			run(t, dir, "config", "core.hooksPath", filepath.Join(dir, "hooks"))
		}},
		{name: "pager", plant: cfg("core.pager", "CMD", "pager.diff", "CMD")},
		{name: "lazy fetch of a missing object", wantErr: true, plant: func(t *testing.T, dir, cmd string) {
			cfg("core.repositoryformatversion", "1", "extensions.partialClone", "origin",
				"remote.origin.promisor", "true", "remote.origin.url", "ext::sh -c CMD", "protocol.ext.allow", "always",
				"core.sshCommand", "CMD", "remote.origin.uploadpack", "CMD")(t, dir, cmd)
		}},
		{name: "include of a FIFO", plant: func(t *testing.T, dir, cmd string) {
			fifo := filepath.Join(t.TempDir(), "fifo")
			require.NoError(t, syscall.Mkfifo(fifo, 0o644))
			run(t, dir, "config", "include.path", fifo)
		}},
		{name: "FIFO as HEAD", wantErr: true, plant: func(t *testing.T, dir, cmd string) {
			require.NoError(t, os.Remove(filepath.Join(dir, ".git/HEAD")))
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, ".git/HEAD"), 0o644))
		}},
		{name: ".git file pointing elsewhere", wantErr: true, plant: func(t *testing.T, dir, cmd string) {
			elsewhere := t.TempDir()
			require.NoError(t, os.Rename(filepath.Join(dir, ".git"), filepath.Join(elsewhere, "git")))
			write(t, filepath.Join(dir, ".git"), "gitdir: "+filepath.Join(elsewhere, "git")+"\n")
		}},
		{name: ".git symlink to a directory elsewhere", wantErr: true, plant: func(t *testing.T, dir, cmd string) {
			elsewhere := t.TempDir()
			require.NoError(t, os.Rename(filepath.Join(dir, ".git"), filepath.Join(elsewhere, "git")))
			require.NoError(t, os.Symlink(filepath.Join(elsewhere, "git"), filepath.Join(dir, ".git")))
		}},
		{name: "objects symlinked out of .git", wantErr: true, plant: func(t *testing.T, dir, cmd string) {
			elsewhere := t.TempDir()
			require.NoError(t, os.Rename(filepath.Join(dir, ".git/objects"), filepath.Join(elsewhere, "objects")))
			require.NoError(t, os.Symlink(filepath.Join(elsewhere, "objects"), filepath.Join(dir, ".git/objects")))
		}},
		{name: "alternates", wantErr: true, plant: func(t *testing.T, dir, cmd string) {
			write(t, filepath.Join(dir, ".git/objects/info/alternates"), filepath.Join(t.TempDir(), "objects")+"\n")
		}},
	}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			dir := newRepo(t)
			marker := filepath.Join(t.TempDir(), "ran")
			cmd := "touch " + marker
			v.plant(t, dir, cmd)

			if v.gitRuns {
				// Control: the vector is live for `git diff REV`.
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				c := exec.CommandContext(ctx, "git", "-C", dir, "diff", "--unified=0", "--no-color", "--no-ext-diff", "HEAD", "--")
				c.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
				_, _ = c.Output()
				_, err := os.Stat(marker)
				require.NoError(t, err, "control: git itself should have run the planted command")
				require.NoError(t, os.Remove(marker))
			}

			done := make(chan error, 1)
			go func() {
				ch, err := Since(dir, "HEAD")
				if err == nil {
					file := filepath.Join(dir, "app/views.py")
					src, rerr := os.ReadFile(file)
					if rerr == nil {
						ch.Touches(file, src, 1, 4)
					}
				}
				done <- err
			}()
			select {
			case err := <-done:
				if v.wantErr {
					assert.Error(t, err)
				} else {
					assert.NoError(t, err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("reading the repository blocked")
			}
			_, err := os.Stat(marker)
			assert.True(t, os.IsNotExist(err), "the planted command ran")
		})
	}
}

// TestRevisionIsNotAnOption: a revision that looks like an option is a
// revision name, never an instruction (git would take `--output=FILE`).
func TestRevisionIsNotAnOption(t *testing.T) {
	dir := newRepo(t)
	out := filepath.Join(t.TempDir(), "written")
	_, err := Since(dir, "--output="+out)
	assert.Error(t, err)
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr))
}
