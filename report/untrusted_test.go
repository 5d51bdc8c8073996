package report

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The checklist's own reads (README, requirements, git reflogs) follow no
// link out of the submission and open no FIFO: a .git pointing elsewhere
// leaks no author, a FIFO README does not hang the batch.
func TestSignalsReadOnlyRegularFilesInTheTree(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(elsewhere, ".git", "logs"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(elsewhere, ".git", "logs", "HEAD"),
		[]byte("0000 1111 Someone Else <else@example.com> 1700000000 +0000\tcommit: x\n"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, ".git"), filepath.Join(root, ".git")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "README.md"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(elsewhere, "reqs.txt"), []byte("django\n"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, "reqs.txt"), filepath.Join(root, "requirements.txt")))

	done := make(chan *Signals, 1)
	go func() { done <- CollectSignals(root, "", nil) }()
	var s *Signals
	select {
	case s = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("collecting signals hangs")
	}
	assert.Empty(t, s.Authors, "no author read through a linked .git")
	assert.Zero(t, s.Value("deps.unpinned"), "a linked requirements file is not read")

	// The same reflog inside the tree is read.
	require.NoError(t, os.Remove(filepath.Join(root, ".git")))
	require.NoError(t, os.Rename(filepath.Join(elsewhere, ".git"), filepath.Join(root, ".git")))
	s = CollectSignals(root, "", nil)
	assert.Contains(t, s.Authors, "Someone Else")
}
