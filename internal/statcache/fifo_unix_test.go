//go:build unix

package statcache

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A FIFO (or a link) planted where the index lives is not read: Open
// returns at once with an empty index instead of blocking the run.
func TestOpenIgnoresAFIFO(t *testing.T) {
	dir := t.TempDir()
	path := Open(dir, "scope").path
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, syscall.Mkfifo(path, 0o644))
	done := make(chan *Cache, 1)
	go func() { done <- Open(dir, "scope") }()
	select {
	case c := <-done:
		require.Empty(t, c.old)
	case <-time.After(5 * time.Second):
		t.Fatal("Open blocked on a FIFO")
	}
}
